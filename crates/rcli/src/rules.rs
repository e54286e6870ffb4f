//! The few commands redis-cli treats specially on the client side, by name: replies printed verbatim, and commands
//! kept out of the history file because they carry a password.

use crate::format::FormatMode;

/// The mode to print the reply to `args` in, when the user asked for `mode`.
pub fn reply_mode<A: AsRef<[u8]>>(args: &[A], mode: FormatMode) -> FormatMode {
    if prints_verbatim(args) {
        FormatMode::Verbatim
    } else {
        mode
    }
}

/// True when redis-cli prints this command's reply verbatim (text with its own CRLFs, no quoting, no trailing
/// newline) whatever the output mode. The list is redis-cli 7.0's (`cliSendCommand`).
pub fn prints_verbatim<A: AsRef<[u8]>>(args: &[A]) -> bool {
    let word = |index: usize| args.get(index).map(AsRef::as_ref).unwrap_or_default();
    let is = |index: usize, name: &str| word(index).eq_ignore_ascii_case(name.as_bytes());
    let count = args.len();
    is(0, "info")
        || is(0, "lolwut")
        || (count >= 2
            && is(0, "debug")
            && [
                "htstats",
                "htstats-key",
                "listpack",
                "quicklist-packed-nodes",
            ]
            .iter()
            .any(|name| is(1, name)))
        || (count >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (count == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (count >= 2 && is(0, "client") && (is(1, "list") || is(1, "info")))
        || (count == 3 && is(0, "latency") && is(1, "graph"))
        || (count == 2 && is(0, "latency") && is(1, "doctor"))
        || (count >= 2 && is(0, "proxy") && is(1, "info"))
}

/// True when a line must not be written to the history file because it carries a secret; redis-cli 7.0's
/// `isSensitiveCommand`.
pub fn is_sensitive<A: AsRef<[u8]>>(args: &[A]) -> bool {
    let is = |index: usize, name: &str| {
        args.get(index)
            .is_some_and(|word| word.as_ref().eq_ignore_ascii_case(name.as_bytes()))
    };
    let count = args.len();
    if is(0, "auth") {
        return true;
    }
    if count > 1 && is(0, "acl") && is(1, "setuser") {
        return true;
    }
    if count > 2 && is(0, "config") && is(1, "set") {
        return ["masterauth", "masteruser", "requirepass"]
            .iter()
            .any(|name| is(2, name));
    }
    // HELLO [protover [AUTH username password] [SETNAME clientname]]
    if count > 4 && is(0, "hello") {
        let mut index = 2;
        while index < count {
            let more = count - 1 - index;
            if is(index, "auth") && more >= 2 {
                return true;
            } else if is(index, "setname") && more >= 1 {
                index += 2;
            } else {
                return false;
            }
        }
        return false;
    }
    // MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 user password] [KEYS key ...]
    if count > 7 && is(0, "migrate") {
        for index in 6..count {
            let more = count - 1 - index;
            if (is(index, "auth") && more >= 1) || (is(index, "auth2") && more >= 2) {
                return true;
            }
            if is(index, "keys") && more >= 1 {
                return false;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<&str> {
        line.split_whitespace().collect()
    }

    #[test]
    fn verbatim_commands() {
        for line in [
            "INFO",
            "info replication",
            "CLIENT LIST",
            "cluster nodes",
            "latency doctor",
            "MEMORY doctor",
        ] {
            assert!(prints_verbatim(&words(line)), "{line}");
        }
        for line in [
            "GET info",
            "CLIENT",
            "cluster nodes extra",
            "latency graph",
            "ROLE",
        ] {
            assert!(!prints_verbatim(&words(line)), "{line}");
        }
    }

    #[test]
    fn sensitive_commands() {
        for line in [
            "auth secret",
            "ACL SETUSER bob on >pw",
            "config set requirepass x",
            "HELLO 3 AUTH bob pw",
            "hello 3 SETNAME me AUTH bob pw",
            "MIGRATE h 1 k 0 100 COPY AUTH pw",
            "MIGRATE h 1 k 0 100 AUTH2 bob pw",
        ] {
            assert!(is_sensitive(&words(line)), "{line}");
        }
        for line in [
            "GET auth",
            "config set maxmemory 1",
            "HELLO 3",
            "HELLO 3 SETNAME me x",
            "MIGRATE h 1 \"\" 0 100 KEYS auth b",
        ] {
            assert!(!is_sensitive(&words(line)), "{line}");
        }
    }
}
