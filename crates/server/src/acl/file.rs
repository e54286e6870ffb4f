//! Users from files: `user <name> <rules...>` directives of the config file, and the ACL file (`aclfile`)
//! that `ACL LOAD` reads and `ACL SAVE` writes, with Redis's rules: a file is loaded whole or not at all, and
//! its error messages name the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::{Acl, User, merge_selector_args, selector::has_spaces};

/// Checks a `user` directive as the config file is read (Redis's `ACLAppendUserForLoading`): a name defined
/// twice, or a rule that cannot apply, is a fatal config error. Unknown commands are let through (Redis
/// reports them when the users are created). `known` are the names of the directives before this one.
pub fn check_user_directive(args: &[String], known: &[&str]) -> Result<(), String> {
    // Redis reports the word at the failing position counted in its own argument vector (`user` first) with
    // an index counted among the rules, so the word it names is often not the rule; kept as it is.
    let word = |index: usize| -> String {
        if index == 0 {
            "user".to_owned()
        } else {
            args.get(index - 1).cloned().unwrap_or_default()
        }
    };
    if known.contains(&args[0].as_str()) {
        return Err(format!(
            "Error in user declaration '{}': Duplicate user found. A user can only be defined once in config files",
            word(1)
        ));
    }
    let rules: Vec<Bytes> = args[1..]
        .iter()
        .map(|rule| Bytes::copy_from_slice(rule.as_bytes()))
        .collect();
    let merged = merge_selector_args(&rules)
        .map_err(|index| format!("Error in user declaration '{}': Wrong format", word(index)))?;
    let mut user = User::new(args[0].as_bytes(), false);
    for (index, rule) in merged.iter().enumerate() {
        match user.apply(rule, false) {
            Ok(()) | Err(super::RuleError::Unknown) => {}
            Err(error) => {
                return Err(format!(
                    "Error in user declaration '{}': {}",
                    word(index),
                    error.message()
                ));
            }
        }
    }
    Ok(())
}

/// The configuration ACLs read (`Config::acl_settings`).
#[derive(Debug, Clone, Copy)]
pub struct AclSettings<'a> {
    /// `dir`: where a relative `aclfile` is.
    pub dir: &'a Path,
    /// `aclfile`, if set.
    pub aclfile: Option<&'a str>,
    /// The `user` directives, each as its words.
    pub users: &'a [Vec<String>],
    /// `acl-pubsub-default allchannels`.
    pub all_channels: bool,
}

/// The ACL file, if configured: its name as configured (what messages show) and its path (relative names are
/// inside `dir`, where Redis, having changed into it, finds them).
pub fn acl_file(settings: &AclSettings<'_>) -> Option<(String, PathBuf)> {
    let name = settings.aclfile.filter(|name| !name.is_empty())?;
    Some((name.to_owned(), settings.dir.join(name)))
}

/// At start-up: the `user` directives, then the ACL file; both at once is refused, as in Redis.
pub fn load_at_startup(acl: &mut Acl, settings: &AclSettings<'_>) -> Result<(), String> {
    let file = acl_file(settings);
    if file.is_some() && !settings.users.is_empty() {
        return Err("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.".to_owned());
    }
    let all_channels = settings.all_channels;
    for directive in settings.users {
        load_configured_user(acl, directive, all_channels)?;
    }
    if let Some((name, path)) = file {
        load_file(acl, &name, &path, all_channels)
            .map_err(|errors| format!("Aborting Redis startup because of ACL errors: {errors}"))?;
    }
    Ok(())
}

/// One `user` directive: the user is created (the default user is reset first), then each rule applied.
fn load_configured_user(
    acl: &mut Acl,
    directive: &[String],
    all_channels: bool,
) -> Result<(), String> {
    let name = directive[0].as_bytes();
    if has_spaces(name) {
        return Err("Spaces not allowed in ACL usernames".to_owned());
    }
    let mut user = match acl.users.remove(name) {
        Some(mut existing) => {
            existing
                .apply(b"reset", all_channels)
                .expect("reset always applies");
            existing
        }
        None => User::new(name, all_channels),
    };
    let rules: Vec<Bytes> = directive[1..]
        .iter()
        .map(|rule| Bytes::copy_from_slice(rule.as_bytes()))
        .collect();
    let rules = merge_selector_args(&rules).unwrap_or(rules);
    for rule in &rules {
        if let Err(error) = user.apply(rule, all_channels) {
            return Err(format!(
                "Error loading ACL rule '{}' for the user named '{}': {}",
                String::from_utf8_lossy(rule),
                directive[0],
                error.message()
            ));
        }
    }
    if !user.enabled() {
        tracing::info!(
            "The user '{}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.",
            directive[0]
        );
    }
    acl.users.insert(Bytes::copy_from_slice(name), user);
    Ok(())
}

/// Reads the ACL file and, if every line is valid, replaces all users with its users (a default user is
/// created if the file has none). Returns the names of the users replaced, whose connections must close;
/// `Err` is the text `ACL LOAD` answers, with nothing changed.
pub fn load_file(
    acl: &mut Acl,
    name: &str,
    path: &std::path::Path,
    all_channels: bool,
) -> Result<Vec<Bytes>, String> {
    let text = std::fs::read(path).map_err(|error| {
        format!(
            "Error loading ACLs, opening file '{name}': {}",
            strerror(&error)
        )
    })?;
    let users = parse_file(&text, name, all_channels)?;
    Ok(acl.replace_users(users))
}

/// The users of an ACL file's text, or every problem found, as one line.
fn parse_file(
    text: &[u8],
    name: &str,
    all_channels: bool,
) -> Result<BTreeMap<Bytes, User>, String> {
    let mut users: BTreeMap<Bytes, User> = BTreeMap::new();
    let mut errors = String::new();
    for (index, line) in text.split(|&byte| byte == b'\n').enumerate() {
        let number = index + 1;
        let line = trim(line, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        let words: Vec<&[u8]> = line.split(|&byte| byte == b' ').collect();
        if words[0] != b"user" || words.len() < 2 {
            errors.push_str(&format!(
                "{name}:{number} should start with user keyword followed by the username. "
            ));
            continue;
        }
        let username = words[1];
        if has_spaces(username) {
            errors.push_str(&format!(
                "'{name}:{number}: username '{}' contains invalid characters. ",
                String::from_utf8_lossy(username)
            ));
            continue;
        }
        if users.contains_key(username) {
            errors.push_str(&format!(
                "WARNING: Duplicate user '{}' found on line {number}. ",
                String::from_utf8_lossy(username)
            ));
            continue;
        }
        let mut user = User::new(username, all_channels);
        let rules: Vec<Bytes> = words[2..]
            .iter()
            .map(|rule| Bytes::copy_from_slice(rule))
            .collect();
        let rules = match merge_selector_args(&rules) {
            Ok(rules) => rules,
            Err(_) => {
                errors.push_str(&format!(
                    "{name}:{number}: Unmatched parenthesis in selector definition."
                ));
                Vec::new()
            }
        };
        let mut syntax_error = false;
        for rule in &rules {
            let rule = trim(rule, b"\t\r\n");
            match user.apply(rule, all_channels) {
                Ok(()) => {}
                Err(super::RuleError::Unknown) => errors.push_str(&format!(
                    "{name}:{number}: Error in applying operation '{}': {}. ",
                    String::from_utf8_lossy(rule),
                    super::RuleError::Unknown.message()
                )),
                // Only the first other error of a line: it may explain those after it.
                Err(error) if !syntax_error => {
                    errors.push_str(&format!("{name}:{number}: {}. ", error.message()));
                    syntax_error = true;
                }
                Err(_) => {}
            }
        }
        users.insert(Bytes::copy_from_slice(username), user);
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        errors.push_str(
            "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
        );
        Err(errors)
    }
}

/// The system's text for an I/O error, as C's `strerror` gives it (without Rust's `(os error N)`).
fn strerror(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

fn trim<'a>(mut text: &'a [u8], set: &[u8]) -> &'a [u8] {
    while let [first, rest @ ..] = text
        && set.contains(first)
    {
        text = rest;
    }
    while let [rest @ .., last] = text
        && set.contains(last)
    {
        text = rest;
    }
    text
}

/// `ACL SAVE`: every user as a `user` line, written to a temporary file then renamed over the ACL file.
pub fn save_file(acl: &Acl, path: &std::path::Path) -> std::io::Result<()> {
    let mut text = Vec::new();
    for user in acl.users() {
        text.extend_from_slice(b"user ");
        text.extend_from_slice(user.name());
        text.push(b' ');
        text.extend_from_slice(&user.describe());
        text.push(b'\n');
    }
    crate::util::write_atomically(path, |writer| std::io::Write::write_all(writer, &text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_directives_are_checked_as_read() {
        let args = |line: &str| -> Vec<String> { line.split(' ').map(str::to_owned).collect() };
        assert!(check_user_directive(&args("alice on >pw +nosuchcommand"), &[]).is_ok());
        assert_eq!(
            check_user_directive(&args("foo"), &["foo"]).unwrap_err(),
            "Error in user declaration 'foo': Duplicate user found. A user can only be defined once in config files"
        );
        assert!(
            check_user_directive(&args("foo on bogus"), &[])
                .unwrap_err()
                .ends_with("Syntax error")
        );
    }

    #[test]
    fn acl_files_load_whole_or_not_at_all() {
        let text = b"user alice on allcommands allkeys &* >alice\n\nuser bob on -@all +@set +acl ~set* &* >bob\r\nuser default on nopass ~* &* +@all\n";
        let users = parse_file(text, "user.acl", false).unwrap();
        assert_eq!(users.len(), 3);
        assert!(users[&b"alice"[..]].password_matches(b"alice"));
        let broken =
            b"user alice on nopass\nuser alice off\nuser x +nosuch bogus bogus2\nnotuser y\n";
        let error = parse_file(broken, "f.acl", false).unwrap_err();
        assert_eq!(
            error,
            "WARNING: Duplicate user 'alice' found on line 2. f.acl:3: Error in applying operation '+nosuch': Unknown command or category name in ACL. f.acl:3: Syntax error. f.acl:4 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
        );
    }
}
