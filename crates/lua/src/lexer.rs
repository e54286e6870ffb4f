//! Tokenizer for Lua 5.1 source (byte oriented; strings may hold any bytes).

use std::rc::Rc;

use crate::number;

/// One token kind; names, strings and numbers carry their value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Eof,
    Name(Rc<str>),
    Str(Rc<[u8]>),
    Num(f64),
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Hash,
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
    Assign,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Semi,
    Colon,
    Comma,
    Dot,
    Concat,
    Dots,
}

impl Tok {
    /// The fixed spelling of keywords and symbols, as error messages quote them.
    pub(crate) fn symbol(&self) -> &'static str {
        match self {
            Tok::Eof => "<eof>",
            Tok::Name(_) => "<name>",
            Tok::Str(_) => "<string>",
            Tok::Num(_) => "<number>",
            Tok::And => "and",
            Tok::Break => "break",
            Tok::Do => "do",
            Tok::Else => "else",
            Tok::Elseif => "elseif",
            Tok::End => "end",
            Tok::False => "false",
            Tok::For => "for",
            Tok::Function => "function",
            Tok::If => "if",
            Tok::In => "in",
            Tok::Local => "local",
            Tok::Nil => "nil",
            Tok::Not => "not",
            Tok::Or => "or",
            Tok::Repeat => "repeat",
            Tok::Return => "return",
            Tok::Then => "then",
            Tok::True => "true",
            Tok::Until => "until",
            Tok::While => "while",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Caret => "^",
            Tok::Hash => "#",
            Tok::Eq => "==",
            Tok::Ne => "~=",
            Tok::Le => "<=",
            Tok::Ge => ">=",
            Tok::Lt => "<",
            Tok::Gt => ">",
            Tok::Assign => "=",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Semi => ";",
            Tok::Colon => ":",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Concat => "..",
            Tok::Dots => "...",
        }
    }
}

fn keyword(name: &[u8]) -> Option<Tok> {
    Some(match name {
        b"and" => Tok::And,
        b"break" => Tok::Break,
        b"do" => Tok::Do,
        b"else" => Tok::Else,
        b"elseif" => Tok::Elseif,
        b"end" => Tok::End,
        b"false" => Tok::False,
        b"for" => Tok::For,
        b"function" => Tok::Function,
        b"if" => Tok::If,
        b"in" => Tok::In,
        b"local" => Tok::Local,
        b"nil" => Tok::Nil,
        b"not" => Tok::Not,
        b"or" => Tok::Or,
        b"repeat" => Tok::Repeat,
        b"return" => Tok::Return,
        b"then" => Tok::Then,
        b"true" => Tok::True,
        b"until" => Tok::Until,
        b"while" => Tok::While,
        _ => return None,
    })
}

/// A token with its position: `line` is where it ends (what Lua reports), `start..end` its bytes.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) line: u32,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A lexical error: the message, the line, and the text to quote after `near`.
#[derive(Debug)]
pub(crate) struct LexError {
    pub(crate) message: String,
    pub(crate) line: u32,
    pub(crate) near: String,
}

pub(crate) struct Lexer<'s> {
    src: &'s [u8],
    pos: usize,
    line: u32,
}

impl<'s> Lexer<'s> {
    pub(crate) fn new(src: &'s [u8]) -> Lexer<'s> {
        Lexer {
            src,
            pos: 0,
            line: 1,
        }
    }

    pub(crate) fn source(&self) -> &'s [u8] {
        self.src
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.pos + ahead).copied()
    }

    fn error(&self, message: &str, start: usize) -> LexError {
        let end = self.pos.min(self.src.len());
        let near = if start >= end {
            "<eof>".to_string()
        } else {
            String::from_utf8_lossy(&self.src[start..end]).into_owned()
        };
        LexError {
            message: message.to_string(),
            line: self.line,
            near,
        }
    }

    /// Consumes one line break (`\n`, `\r`, `\r\n` or `\n\r` count once).
    fn newline(&mut self) {
        let first = self.src[self.pos];
        self.pos += 1;
        if let Some(c) = self.peek(0)
            && (c == b'\n' || c == b'\r')
            && c != first
        {
            self.pos += 1;
        }
        self.line += 1;
    }

    pub(crate) fn next_token(&mut self) -> Result<Token, LexError> {
        loop {
            let Some(c) = self.peek(0) else {
                return Ok(Token {
                    tok: Tok::Eof,
                    line: self.line,
                    start: self.pos,
                    end: self.pos,
                });
            };
            match c {
                b'\n' | b'\r' => self.newline(),
                b' ' | b'\t' | 0x0b | 0x0c => self.pos += 1,
                b'-' if self.peek(1) == Some(b'-') => self.comment()?,
                _ => break,
            }
        }
        let start = self.pos;
        let tok = self.scan(start)?;
        Ok(Token {
            tok,
            line: self.line,
            start,
            end: self.pos,
        })
    }

    fn comment(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        self.pos += 2;
        if self.peek(0) == Some(b'[')
            && let Some(level) = self.long_bracket_level()
        {
            self.long_string(level, start, false)?;
            return Ok(());
        }
        while let Some(c) = self.peek(0) {
            if c == b'\n' || c == b'\r' {
                break;
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// At a `[`: the level of a long bracket `[==[` (consumed up to the second `[`), or `None`
    /// (nothing consumed) when this is not one.
    fn long_bracket_level(&mut self) -> Option<usize> {
        let mut i = self.pos + 1;
        while self.src.get(i) == Some(&b'=') {
            i += 1;
        }
        if self.src.get(i) == Some(&b'[') {
            let level = i - self.pos - 1;
            self.pos = i + 1;
            Some(level)
        } else {
            None
        }
    }

    /// Reads a long string or comment body after its opening bracket.
    fn long_string(&mut self, level: usize, start: usize, keep: bool) -> Result<Vec<u8>, LexError> {
        let mut out = Vec::new();
        // A line break right after the opening bracket is not part of the string.
        if matches!(self.peek(0), Some(b'\n' | b'\r')) {
            self.newline();
        }
        loop {
            let Some(c) = self.peek(0) else {
                let what = if keep {
                    "unfinished long string"
                } else {
                    "unfinished long comment"
                };
                return Err(self.error(what, start));
            };
            match c {
                b']' => {
                    let mut i = self.pos + 1;
                    while self.src.get(i) == Some(&b'=') {
                        i += 1;
                    }
                    if self.src.get(i) == Some(&b']') && i - self.pos - 1 == level {
                        self.pos = i + 1;
                        return Ok(out);
                    }
                    out.push(c);
                    self.pos += 1;
                }
                b'[' if level == 0 && self.peek(1) == Some(b'[') => {
                    self.pos += 2;
                    return Err(self.error("nesting of [[...]] is deprecated", start));
                }
                b'\n' | b'\r' => {
                    self.newline();
                    if keep {
                        out.push(b'\n');
                    }
                }
                _ => {
                    if keep {
                        out.push(c);
                    }
                    self.pos += 1;
                }
            }
        }
    }

    fn scan(&mut self, start: usize) -> Result<Tok, LexError> {
        let c = self.src[self.pos];
        let two = |lexer: &mut Lexer<'_>, next: u8, yes: Tok, no: Tok| {
            if lexer.peek(1) == Some(next) {
                lexer.pos += 2;
                yes
            } else {
                lexer.pos += 1;
                no
            }
        };
        let tok = match c {
            b'[' => match self.long_bracket_level() {
                Some(level) => Tok::Str(Rc::from(self.long_string(level, start, true)?)),
                None => {
                    self.pos += 1;
                    Tok::LBracket
                }
            },
            b'=' => two(self, b'=', Tok::Eq, Tok::Assign),
            b'<' => two(self, b'=', Tok::Le, Tok::Lt),
            b'>' => two(self, b'=', Tok::Ge, Tok::Gt),
            b'~' => {
                if self.peek(1) == Some(b'=') {
                    self.pos += 2;
                    Tok::Ne
                } else {
                    self.pos += 1;
                    return Err(self.error("unexpected symbol", start));
                }
            }
            b'"' | b'\'' => self.string(c, start)?,
            b'.' => {
                if self.peek(1) == Some(b'.') {
                    if self.peek(2) == Some(b'.') {
                        self.pos += 3;
                        Tok::Dots
                    } else {
                        self.pos += 2;
                        Tok::Concat
                    }
                } else if self.peek(1).is_some_and(|d| d.is_ascii_digit()) {
                    self.number(start)?
                } else {
                    self.pos += 1;
                    Tok::Dot
                }
            }
            b'0'..=b'9' => self.number(start)?,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while self
                    .peek(0)
                    .is_some_and(|d| d.is_ascii_alphanumeric() || d == b'_')
                {
                    self.pos += 1;
                }
                let word = &self.src[start..self.pos];
                match keyword(word) {
                    Some(k) => k,
                    // Identifiers are ASCII by construction.
                    None => Tok::Name(Rc::from(String::from_utf8_lossy(word).as_ref())),
                }
            }
            _ => {
                self.pos += 1;
                match c {
                    b'+' => Tok::Plus,
                    b'-' => Tok::Minus,
                    b'*' => Tok::Star,
                    b'/' => Tok::Slash,
                    b'%' => Tok::Percent,
                    b'^' => Tok::Caret,
                    b'#' => Tok::Hash,
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'{' => Tok::LBrace,
                    b'}' => Tok::RBrace,
                    b']' => Tok::RBracket,
                    b';' => Tok::Semi,
                    b':' => Tok::Colon,
                    b',' => Tok::Comma,
                    other => {
                        let mut e = self.error("unexpected symbol", start);
                        if other.is_ascii_control() {
                            // Lua names a control byte by its code rather than printing it.
                            e.near = format!("char({other})");
                        }
                        return Err(e);
                    }
                }
            }
        };
        Ok(tok)
    }

    /// Reads a numeral the way Lua 5.1 does: greedily, then converts the whole text.
    fn number(&mut self, start: usize) -> Result<Tok, LexError> {
        while let Some(c) = self.peek(0) {
            if c.is_ascii_digit() || c == b'.' {
                self.pos += 1;
            } else if (c == b'e' || c == b'E') && matches!(self.peek(1), Some(b'+' | b'-')) {
                self.pos += 2;
            } else if c.is_ascii_alphanumeric() || c == b'_' {
                self.pos += 1;
            } else {
                break;
            }
        }
        match number::str_to_number(&self.src[start..self.pos]) {
            Some(n) => Ok(Tok::Num(n)),
            None => Err(self.error("malformed number", start)),
        }
    }

    fn string(&mut self, quote: u8, start: usize) -> Result<Tok, LexError> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.error("unfinished string", self.src.len()));
            };
            match c {
                b'\n' | b'\r' => return Err(self.error("unfinished string", start)),
                b'\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek(0) else {
                        return Err(self.error("unfinished string", self.src.len()));
                    };
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'a' => out.push(0x07),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'v' => out.push(0x0b),
                        b'\n' | b'\r' => {
                            out.push(b'\n');
                            self.newline();
                            continue;
                        }
                        b'0'..=b'9' => {
                            let mut v: u32 = 0;
                            let mut n = 0;
                            while n < 3 && self.peek(0).is_some_and(|d| d.is_ascii_digit()) {
                                v = v * 10 + u32::from(self.src[self.pos] - b'0');
                                self.pos += 1;
                                n += 1;
                            }
                            if v > 255 {
                                return Err(self.error("escape sequence too large", start));
                            }
                            out.push(v as u8);
                            continue;
                        }
                        // Lua 5.1 keeps any other escaped character as itself (\\, \", \', ...).
                        other => out.push(other),
                    }
                    self.pos += 1;
                }
                c if c == quote => {
                    self.pos += 1;
                    return Ok(Tok::Str(Rc::from(out)));
                }
                _ => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(src: &str) -> Vec<Tok> {
        let mut l = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        loop {
            let t = l.next_token().unwrap();
            if t.tok == Tok::Eof {
                return out;
            }
            out.push(t.tok);
        }
    }

    fn s(x: &[u8]) -> Tok {
        Tok::Str(Rc::from(x))
    }

    #[test]
    fn tokens_and_numbers() {
        assert_eq!(
            lex("local x = 0x10 + 1.5e2 .. 'a' -- c\n ~= ... ."),
            vec![
                Tok::Local,
                Tok::Name(Rc::from("x")),
                Tok::Assign,
                Tok::Num(16.0),
                Tok::Plus,
                Tok::Num(150.0),
                Tok::Concat,
                s(b"a"),
                Tok::Ne,
                Tok::Dots,
                Tok::Dot
            ]
        );
        assert_eq!(lex(".5 3e-2"), vec![Tok::Num(0.5), Tok::Num(0.03)]);
    }

    #[test]
    fn escapes_and_long_strings() {
        assert_eq!(
            lex(r#""a\n\t\\\"\'\65\0\r\a\b\f\v""#),
            vec![s(b"a\n\t\\\"'A\0\r\x07\x08\x0c\x0b")]
        );
        assert_eq!(lex("'x\\\ny'"), vec![s(b"x\ny")]);
        assert_eq!(lex("[[\nab]]"), vec![s(b"ab")]);
        assert_eq!(lex("[==[a]]b]=]c]==]"), vec![s(b"a]]b]=]c")]);
        assert_eq!(lex("--[[ long\ncomment ]] 1"), vec![Tok::Num(1.0)]);
        assert_eq!(lex("--[==[ x ]==] 2"), vec![Tok::Num(2.0)]);
    }

    #[test]
    fn errors() {
        let err = |src: &str| {
            let mut l = Lexer::new(src.as_bytes());
            loop {
                match l.next_token() {
                    Ok(t) if t.tok == Tok::Eof => panic!("no error for {src}"),
                    Ok(_) => {}
                    Err(e) => return (e.message, e.near),
                }
            }
        };
        assert_eq!(err("'abc"), ("unfinished string".into(), "<eof>".into()));
        assert_eq!(err("'abc\n'"), ("unfinished string".into(), "'abc".into()));
        assert_eq!(err("3..2"), ("malformed number".into(), "3..2".into()));
        assert_eq!(err("'\\300'").0, "escape sequence too large");
        assert_eq!(err("[[ x").0, "unfinished long string");
        assert_eq!(err("@").0, "unexpected symbol");
    }
}
