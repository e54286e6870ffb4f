//! Glob-style pattern matching as Redis's `KEYS`, `SCAN MATCH` and `CONFIG GET` use it.

/// Whether `text` matches `pattern`: `*` any run, `?` any byte, `[abc]`, `[^a-z]` classes, `\x` escapes.
/// Iterative with backtracking to the last `*` only, so hostile patterns cannot blow up exponentially.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    glob_match_case(pattern, text, false)
}

/// [`glob_match`], optionally ignoring ASCII case (`CONFIG GET` matches names case-insensitively).
pub fn glob_match_case(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    while p < pattern.len() && pattern[p] == b'*' {
                        p += 1;
                    }
                    if p == pattern.len() {
                        return true;
                    }
                    backtrack = Some((p, t));
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((true, next)) = match_class(pattern, p, text[t], nocase) {
                        p = next;
                        t += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if eq(pattern[p + 1], text[t]) {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if eq(c, text[t]) {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match backtrack {
            Some((star_p, star_t)) => {
                backtrack = Some((star_p, star_t + 1));
                p = star_p;
                t = star_t + 1;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `byte` against the class starting at `pattern[start] == b'['`; returns (matched, index after the
/// class). An unterminated class runs to the end of the pattern, as in Redis.
fn match_class(pattern: &[u8], start: usize, byte: u8, nocase: bool) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let fold = |c: u8| if nocase { c.to_ascii_lowercase() } else { c };
    let byte = fold(byte);
    let mut matched = false;
    while i < pattern.len() && pattern[i] != b']' {
        if pattern[i] == b'\\' && i + 1 < pattern.len() {
            matched |= fold(pattern[i + 1]) == byte;
            i += 2;
        } else if i + 2 < pattern.len() && pattern[i + 1] == b'-' && pattern[i + 2] != b']' {
            let (mut low, mut high) = (fold(pattern[i]), fold(pattern[i + 2]));
            if low > high {
                std::mem::swap(&mut low, &mut high);
            }
            matched |= (low..=high).contains(&byte);
            i += 3;
        } else {
            matched |= fold(pattern[i]) == byte;
            i += 1;
        }
    }
    let next = if i < pattern.len() { i + 1 } else { i };
    Some((matched != negate, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_glob_cases() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "anything", true),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h\\*llo", "h*llo", true),
            ("h\\*llo", "hello", false),
            ("k*", "k1", true),
            ("*a*b*c*", "xxaxxbxxcxx", true),
            ("*a*b*c*", "xxaxxcxxbxx", false),
            ("", "", true),
            ("", "a", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                glob_match(pattern.as_bytes(), text.as_bytes()),
                *expected,
                "{pattern} vs {text}"
            );
        }
        assert!(glob_match_case(b"MAXMEMORY*", b"maxmemory-policy", true));
    }
}
