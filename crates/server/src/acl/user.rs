//! [`User`]: an ACL user (enabled or not, passwords kept as SHA-256 digests, selectors) and the user-level
//! rules of `ACL SETUSER` (`on`, `>password`, `reset`, `(selector)`...); everything else goes to the root
//! selector.

use bytes::Bytes;

use super::selector::{RuleError, Selector};
use super::sha256;

/// One ACL user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    name: Bytes,
    enabled: bool,
    nopass: bool,
    /// `sanitize-payload` (true) or `skip-sanitize-payload` (false); neither until one is given.
    sanitize: Option<bool>,
    /// Hex SHA-256 digests, in the order they were added.
    passwords: Vec<String>,
    /// The root selector first, then the `(...)` ones.
    selectors: Vec<Selector>,
}

impl User {
    /// A new user: disabled, no password, no permissions; `all_channels` is `acl-pubsub-default`.
    pub fn new(name: &[u8], all_channels: bool) -> User {
        User {
            name: Bytes::copy_from_slice(name),
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: Vec::new(),
            selectors: vec![Selector::new(all_channels)],
        }
    }

    /// The `default` user as the server starts: on, no password, every command, key and channel.
    pub fn default_user() -> User {
        let mut user = User::new(b"default", false);
        for rule in ["+@all", "~*", "&*", "on", "nopass"] {
            user.apply(rule.as_bytes(), false)
                .expect("the default user's rules are valid");
        }
        user
    }

    /// The user's name.
    pub fn name(&self) -> &Bytes {
        &self.name
    }

    /// Whether it may authenticate (`on`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Whether any password works (`nopass`).
    pub fn nopass(&self) -> bool {
        self.nopass
    }

    /// Its selectors, the root one first.
    pub fn selectors(&self) -> &[Selector] {
        &self.selectors
    }

    /// Whether its root selector allows everything and there is nothing else to consult.
    pub fn unrestricted(&self) -> bool {
        self.selectors.first().is_some_and(Selector::unrestricted)
    }

    /// Whether `password` authenticates this user (never for a disabled one).
    pub fn password_matches(&self, password: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        let digest = sha256::hex_digest(password);
        // Compared in full whatever the first difference, so timing tells nothing about the digest.
        self.passwords.iter().any(|known| {
            known
                .bytes()
                .zip(digest.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
        })
    }

    /// Applies one rule of `ACL SETUSER`; `all_channels` is `acl-pubsub-default` (for `reset` and new
    /// selectors).
    pub fn apply(&mut self, op: &[u8], all_channels: bool) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if op.is_empty() {
            return Ok(());
        }
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize = Some(false);
        } else if is("sanitize-payload") {
            self.sanitize = Some(true);
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if let [b'>' | b'#', rest @ ..] = op {
            let digest = if op[0] == b'>' {
                sha256::hex_digest(rest)
            } else {
                valid_hash(rest)?
            };
            if !self.passwords.contains(&digest) {
                self.passwords.push(digest);
            }
            self.nopass = false;
        } else if let [b'<' | b'!', rest @ ..] = op {
            let digest = if op[0] == b'<' {
                sha256::hex_digest(rest)
            } else {
                valid_hash(rest)?
            };
            let position = self
                .passwords
                .iter()
                .position(|known| *known == digest)
                .ok_or(RuleError::NoSuchPassword)?;
            self.passwords.remove(position);
        } else if op.len() >= 2 && op[0] == b'(' && op[op.len() - 1] == b')' {
            let mut selector = Selector::new(all_channels);
            // Inside the parentheses the rules are split with Redis's quoting rules; an unbalanced quote
            // leaves no rule at all, as in Redis.
            for rule in resp::split_args(&op[1..op.len() - 1]).unwrap_or_default() {
                selector.apply(&rule)?;
            }
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            for rule in ["resetpass", "resetkeys", "resetchannels"] {
                self.apply(rule.as_bytes(), all_channels)?;
            }
            if all_channels {
                self.apply(b"allchannels", all_channels)?;
            }
            for rule in ["off", "sanitize-payload", "clearselectors", "-@all"] {
                self.apply(rule.as_bytes(), all_channels)?;
            }
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// The flags `ACL GETUSER` lists, in Redis's order.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            flags.push("nopass");
        }
        match self.sanitize {
            Some(false) => flags.push("skip-sanitize-payload"),
            Some(true) => flags.push("sanitize-payload"),
            None => {}
        }
        flags
    }

    /// The password digests.
    pub fn passwords(&self) -> &[String] {
        &self.passwords
    }

    /// The user as rules (`ACL LIST` without the `user <name> ` prefix).
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for flag in self.flags() {
            out.extend_from_slice(flag.as_bytes());
            out.push(b' ');
        }
        for password in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(password.as_bytes());
            out.push(b' ');
        }
        for (index, selector) in self.selectors.iter().enumerate() {
            if index == 0 {
                out.extend_from_slice(&selector.describe());
            } else {
                out.extend_from_slice(b" (");
                out.extend_from_slice(&selector.describe());
                out.push(b')');
            }
        }
        out
    }
}

/// A `#hash`/`!hash` argument: exactly 64 lower-case hex digits.
fn valid_hash(hash: &[u8]) -> Result<String, RuleError> {
    if hash.len() == 64
        && hash
            .iter()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(byte))
    {
        Ok(String::from_utf8_lossy(hash).into_owned())
    } else {
        Err(RuleError::BadHash)
    }
}

/// Joins the arguments of a selector written across several arguments (`(~x` `+get)`), as Redis does;
/// `Err` carries the index of an opening argument that is never closed.
pub fn merge_selector_args(args: &[Bytes]) -> Result<Vec<Bytes>, usize> {
    let mut merged = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (index, arg) in args.iter().enumerate() {
        if arg.first() == Some(&b'(') && arg.last() != Some(&b')') {
            open = Some((index, arg.to_vec()));
            continue;
        }
        if let Some((_, selector)) = open.as_mut() {
            selector.push(b' ');
            selector.extend_from_slice(arg);
            if arg.last() == Some(&b')') {
                let (_, selector) = open.take().expect("checked above");
                merged.push(Bytes::from(selector));
            }
            continue;
        }
        merged.push(arg.clone());
    }
    match open {
        Some((index, _)) => Err(index),
        None => Ok(merged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(rules: &str) -> Result<User, RuleError> {
        let mut user = User::new(b"u", false);
        let args: Vec<Bytes> = rules
            .split_whitespace()
            .map(|rule| Bytes::copy_from_slice(rule.as_bytes()))
            .collect();
        for rule in merge_selector_args(&args).expect("balanced") {
            user.apply(&rule, false)?;
        }
        Ok(user)
    }

    fn described(rules: &str) -> String {
        String::from_utf8(user(rules).unwrap().describe()).unwrap()
    }

    #[test]
    fn new_and_default_users() {
        assert_eq!(described(""), "off resetchannels -@all");
        assert_eq!(
            String::from_utf8(User::default_user().describe()).unwrap(),
            "on nopass ~* &* +@all"
        );
        assert_eq!(
            described("on nopass resetchannels &foo +@all"),
            "on nopass resetchannels &foo +@all"
        );
        assert_eq!(
            described("reset"),
            "off sanitize-payload resetchannels -@all"
        );
    }

    #[test]
    fn passwords_are_kept_hashed() {
        let mut user = user("on >passwd1 >passwd2").unwrap();
        assert!(user.password_matches(b"passwd1"));
        assert!(user.password_matches(b"passwd2"));
        assert!(!user.password_matches(b"passwd3"));
        user.apply(b"<passwd1", false).unwrap();
        assert!(!user.password_matches(b"passwd1"));
        assert_eq!(
            user.apply(b"<passwd1", false),
            Err(RuleError::NoSuchPassword)
        );
        assert_eq!(user.apply(b"#abc", false), Err(RuleError::BadHash));
        let hash = sha256::hex_digest(b"passwd4");
        user.apply(format!("#{hash}").as_bytes(), false).unwrap();
        assert!(user.password_matches(b"passwd4"));
        user.apply(b"off", false).unwrap();
        assert!(!user.password_matches(b"passwd4"));
        user.apply(b"on", false).unwrap();
        user.apply(b"nopass", false).unwrap();
        assert!(user.password_matches(b"anything"));
        assert!(user.passwords().is_empty());
    }

    #[test]
    fn selectors() {
        assert_eq!(
            described("on (~foo +get) (%R~bar &baz +@read)"),
            "on resetchannels -@all (~foo resetchannels -@all +get) (%R~bar resetchannels &baz -@all +@read)"
        );
        assert_eq!(
            described("(+get) clearselectors"),
            "off resetchannels -@all"
        );
        assert_eq!(user("(on)").unwrap_err(), RuleError::Syntax);
        let args: Vec<Bytes> = ["on", "(~a", "+get)", "(+set)", "x"]
            .iter()
            .map(|arg| Bytes::from_static(arg.as_bytes()))
            .collect();
        let merged = merge_selector_args(&args).unwrap();
        assert_eq!(merged[1], Bytes::from_static(b"(~a +get)"));
        assert_eq!(merged.len(), 4);
        assert_eq!(merge_selector_args(&args[..2]), Err(1));
    }
}
