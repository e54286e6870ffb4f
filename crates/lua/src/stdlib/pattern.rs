//! Lua 5.1 pattern matching (the backtracking matcher of `lstrlib.c`), over bytes.

use crate::error::LuaError;
use crate::interp::CallContext;
use crate::value::Value;

const MAX_CAPTURES: usize = 32;
/// Recursion bound: each pattern item with a quantifier or capture nests one level.
const MAX_MATCH_DEPTH: usize = 200;
/// Matching steps between two abort checks, so catastrophic backtracking stays killable.
const STEPS_PER_TICK: u32 = 1000;
const SPECIALS: &[u8] = b"^$*+?.([%-";

#[derive(Clone, Copy, Debug, PartialEq)]
enum CapLen {
    Unfinished,
    Position,
    Len(usize),
}

/// One capture of a successful match.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Capture {
    /// A substring, as a byte range of the subject.
    Str(usize, usize),
    /// A position capture `()`, 1-based.
    Position(usize),
}

impl Capture {
    pub(super) fn to_value(&self, src: &[u8]) -> Value {
        match *self {
            Capture::Str(s, e) => Value::from(&src[s..e]),
            Capture::Position(p) => Value::Number(p as f64),
        }
    }
}

/// The outcome of matching at one position.
pub(super) struct Match {
    pub(super) end: usize,
    pub(super) captures: Vec<Capture>,
}

struct State<'s, 'c, 'a> {
    src: &'s [u8],
    pat: &'s [u8],
    level: usize,
    capture: [(usize, CapLen); MAX_CAPTURES],
    depth: usize,
    steps: u32,
    ctx: &'c mut CallContext<'a>,
}

type MResult<T> = Result<T, LuaError>;

/// Whether a pattern has no special characters, so a plain substring search will do.
pub(super) fn is_plain(pat: &[u8]) -> bool {
    !pat.iter().any(|c| SPECIALS.contains(c))
}

/// Tries to match `pat` against `src` starting exactly at `start`.
pub(super) fn match_at(
    ctx: &mut CallContext<'_>,
    src: &[u8],
    pat: &[u8],
    start: usize,
) -> MResult<Option<Match>> {
    let mut st = State {
        src,
        pat,
        level: 0,
        capture: [(0, CapLen::Unfinished); MAX_CAPTURES],
        depth: 0,
        steps: 0,
        ctx,
    };
    let Some(end) = st.do_match(start, 0)? else {
        return Ok(None);
    };
    let mut captures = Vec::with_capacity(st.level);
    for i in 0..st.level {
        let (s, len) = st.capture[i];
        captures.push(match len {
            CapLen::Position => Capture::Position(s + 1),
            CapLen::Len(l) => Capture::Str(s, s + l),
            CapLen::Unfinished => return Err(st.ctx.error("unfinished capture")),
        });
    }
    Ok(Some(Match { end, captures }))
}

fn class_matches(c: u8, class: u8) -> bool {
    let res = match class.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return class == c,
    };
    if class.is_ascii_uppercase() {
        !res
    } else {
        res
    }
}

impl State<'_, '_, '_> {
    fn error(&self, msg: &str) -> LuaError {
        self.ctx.error(msg)
    }

    fn step(&mut self) -> MResult<()> {
        self.steps += 1;
        if self.steps >= STEPS_PER_TICK {
            self.steps = 0;
            self.ctx.tick()?;
        }
        Ok(())
    }

    /// Index just past the single-character class starting at `p`.
    fn class_end(&self, mut p: usize) -> MResult<usize> {
        let pat = self.pat;
        let c = pat[p];
        p += 1;
        if c == b'%' {
            if p >= pat.len() {
                return Err(self.error("malformed pattern (ends with '%')"));
            }
            return Ok(p + 1);
        }
        if c == b'[' {
            if p < pat.len() && pat[p] == b'^' {
                p += 1;
            }
            // The first character after `[` (or `[^`) is always part of the set, even `]`.
            loop {
                if p >= pat.len() {
                    return Err(self.error("malformed pattern (missing ']')"));
                }
                let cc = pat[p];
                p += 1;
                if cc == b'%' && p < pat.len() {
                    p += 1;
                }
                if p >= pat.len() {
                    return Err(self.error("malformed pattern (missing ']')"));
                }
                if pat[p] == b']' {
                    return Ok(p + 1);
                }
            }
        }
        Ok(p)
    }

    /// Whether `c` is in the set `pat[p..=ec]` where `pat[p]` is `[` and `pat[ec]` is `]`.
    fn match_bracket_class(&self, c: u8, mut p: usize, ec: usize) -> bool {
        let pat = self.pat;
        let mut sig = true;
        if pat.get(p + 1) == Some(&b'^') {
            sig = false;
            p += 1;
        }
        p += 1;
        while p < ec {
            if pat[p] == b'%' {
                p += 1;
                if p < ec && class_matches(c, pat[p]) {
                    return sig;
                }
            } else if p + 2 < ec && pat[p + 1] == b'-' {
                if pat[p] <= c && c <= pat[p + 2] {
                    return sig;
                }
                p += 2;
            } else if pat[p] == c {
                return sig;
            }
            p += 1;
        }
        !sig
    }

    fn single_match(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match self.pat[p] {
            b'.' => true,
            b'%' => class_matches(c, self.pat[p + 1]),
            b'[' => self.match_bracket_class(c, p, ep - 1),
            pc => pc == c,
        }
    }

    fn do_match(&mut self, s: usize, p: usize) -> MResult<Option<usize>> {
        self.depth += 1;
        if self.depth > MAX_MATCH_DEPTH {
            return Err(self.error("pattern too complex"));
        }
        let r = self.match_inner(s, p);
        self.depth -= 1;
        r
    }

    fn match_inner(&mut self, mut s: usize, mut p: usize) -> MResult<Option<usize>> {
        let pat = self.pat;
        loop {
            self.step()?;
            if p >= pat.len() {
                return Ok(Some(s));
            }
            match pat[p] {
                b'(' => {
                    return if pat.get(p + 1) == Some(&b')') {
                        self.start_capture(s, p + 2, CapLen::Position)
                    } else {
                        self.start_capture(s, p + 1, CapLen::Unfinished)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                b'$' if p + 1 == pat.len() => {
                    return Ok((s == self.src.len()).then_some(s));
                }
                b'%' if pat.get(p + 1) == Some(&b'b') => match self.match_balance(s, p + 2)? {
                    Some(e) => {
                        s = e;
                        p += 4;
                        continue;
                    }
                    None => return Ok(None),
                },
                b'%' if pat.get(p + 1) == Some(&b'f') => {
                    p += 2;
                    if pat.get(p) != Some(&b'[') {
                        return Err(self.error("missing '[' after '%f' in pattern"));
                    }
                    let ep = self.class_end(p)?;
                    let prev = if s == 0 { 0 } else { self.src[s - 1] };
                    let cur = self.src.get(s).copied().unwrap_or(0);
                    if !self.match_bracket_class(prev, p, ep - 1)
                        && self.match_bracket_class(cur, p, ep - 1)
                    {
                        p = ep;
                        continue;
                    }
                    return Ok(None);
                }
                b'%' if pat.get(p + 1).is_some_and(u8::is_ascii_digit) => {
                    let l = usize::from(pat[p + 1] - b'0');
                    match self.match_capture(s, l)? {
                        Some(e) => {
                            s = e;
                            p += 2;
                            continue;
                        }
                        None => return Ok(None),
                    }
                }
                _ => {}
            }
            let ep = self.class_end(p)?;
            let m = self.single_match(s, p, ep);
            match pat.get(ep) {
                Some(b'?') => {
                    if m && let Some(r) = self.do_match(s + 1, ep + 1)? {
                        return Ok(Some(r));
                    }
                    p = ep + 1;
                }
                Some(b'*') => return self.max_expand(s, p, ep),
                Some(b'+') => {
                    return if m {
                        self.max_expand(s + 1, p, ep)
                    } else {
                        Ok(None)
                    };
                }
                Some(b'-') => return self.min_expand(s, p, ep),
                _ => {
                    if !m {
                        return Ok(None);
                    }
                    s += 1;
                    p = ep;
                }
            }
        }
    }

    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> MResult<Option<usize>> {
        let mut i = 0;
        while self.single_match(s + i, p, ep) {
            i += 1;
        }
        loop {
            if let Some(r) = self.do_match(s + i, ep + 1)? {
                return Ok(Some(r));
            }
            if i == 0 {
                return Ok(None);
            }
            i -= 1;
        }
    }

    fn min_expand(&mut self, mut s: usize, p: usize, ep: usize) -> MResult<Option<usize>> {
        loop {
            if let Some(r) = self.do_match(s, ep + 1)? {
                return Ok(Some(r));
            }
            if self.single_match(s, p, ep) {
                s += 1;
            } else {
                return Ok(None);
            }
        }
    }

    fn start_capture(&mut self, s: usize, p: usize, what: CapLen) -> MResult<Option<usize>> {
        if self.level >= MAX_CAPTURES {
            return Err(self.error("too many captures"));
        }
        self.capture[self.level] = (s, what);
        self.level += 1;
        let r = self.do_match(s, p)?;
        if r.is_none() {
            self.level -= 1;
        }
        Ok(r)
    }

    fn end_capture(&mut self, s: usize, p: usize) -> MResult<Option<usize>> {
        let Some(l) = (0..self.level)
            .rev()
            .find(|&i| self.capture[i].1 == CapLen::Unfinished)
        else {
            return Err(self.error("invalid pattern capture"));
        };
        self.capture[l].1 = CapLen::Len(s - self.capture[l].0);
        let r = self.do_match(s, p)?;
        if r.is_none() {
            self.capture[l].1 = CapLen::Unfinished;
        }
        Ok(r)
    }

    fn match_balance(&self, s: usize, p: usize) -> MResult<Option<usize>> {
        if p + 1 >= self.pat.len() {
            return Err(self.error("unbalanced pattern"));
        }
        let (open, close) = (self.pat[p], self.pat[p + 1]);
        if self.src.get(s) != Some(&open) {
            return Ok(None);
        }
        let mut depth = 1;
        let mut i = s + 1;
        while i < self.src.len() {
            let c = self.src[i];
            if c == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(Some(i + 1));
                }
            } else if c == open {
                depth += 1;
            }
            i += 1;
        }
        Ok(None)
    }

    fn match_capture(&self, s: usize, l: usize) -> MResult<Option<usize>> {
        let idx = l.wrapping_sub(1);
        let len = match self.capture.get(idx) {
            Some(&(_, CapLen::Len(len))) if idx < self.level => len,
            _ => return Err(self.error("invalid capture index")),
        };
        let start = self.capture[idx].0;
        let cap = &self.src[start..start + len];
        if self.src.len() - s >= len && &self.src[s..s + len] == cap {
            Ok(Some(s + len))
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lua, NoHost, Value};

    fn find(src: &str, pat: &str) -> Option<(usize, usize, Vec<String>)> {
        let mut lua = Lua::new();
        let f = crate::Function::native("t", {
            let (src, pat) = (src.to_string(), pat.to_string());
            move |ctx, _| {
                for start in 0..=src.len() {
                    if let Some(m) = match_at(ctx, src.as_bytes(), pat.as_bytes(), start)? {
                        let caps: Vec<Value> = m
                            .captures
                            .iter()
                            .map(|c| c.to_value(src.as_bytes()))
                            .collect();
                        let mut out =
                            vec![Value::Number(start as f64), Value::Number(m.end as f64)];
                        out.extend(caps);
                        return Ok(out);
                    }
                }
                Ok(vec![])
            }
        });
        let r = lua.call(&f, vec![], &mut NoHost).unwrap();
        if r.is_empty() {
            return None;
        }
        let caps = r[2..]
            .iter()
            .map(|v| String::from_utf8_lossy(&v.to_display_bytes()).into_owned())
            .collect();
        Some((
            r[0].as_number().unwrap() as usize,
            r[1].as_number().unwrap() as usize,
            caps,
        ))
    }

    #[test]
    fn classes_sets_and_quantifiers() {
        assert_eq!(find("hello world", "o w"), Some((4, 7, vec![])));
        assert_eq!(find("abc123", "%d+"), Some((3, 6, vec![])));
        assert_eq!(
            find("key=value", "(%w+)=(%w+)"),
            Some((0, 9, vec!["key".into(), "value".into()]))
        );
        assert_eq!(find("  x", "%s*"), Some((0, 2, vec![])));
        assert_eq!(find("aaa", "a-b"), None);
        assert_eq!(find("<<a>>", "%b<>"), Some((0, 5, vec![])));
        assert_eq!(find("THE (quick) fox", "%f[%a]%a+"), Some((0, 3, vec![])));
        assert_eq!(find("x]y", "[]]"), Some((1, 2, vec![])));
        assert_eq!(find("a-b", "[a%-]+"), Some((0, 2, vec![])));
        assert_eq!(find("abab", "(ab)%1"), Some((0, 4, vec!["ab".into()])));
        assert_eq!(
            find("abc", "()b()"),
            Some((1, 2, vec!["2".into(), "3".into()]))
        );
        assert_eq!(find("abc", "c$"), Some((2, 3, vec![])));
        assert_eq!(find("x", "[^%a]"), None);
    }

    #[test]
    fn malformed_patterns_are_errors() {
        let mut lua = Lua::new();
        for pat in ["%", "[a", "(a", "a)", "%1", "%b", "%fx"] {
            let p = pat.to_string();
            let f = crate::Function::native("t", move |ctx, _| {
                match_at(ctx, b"abc", p.as_bytes(), 0)?;
                Ok(vec![])
            });
            assert!(lua.call(&f, vec![], &mut NoHost).is_err(), "{pat}");
        }
    }
}
