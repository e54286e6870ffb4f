//! The first line of scripts and libraries: `#!lua flags=no-writes,allow-stale` on an `EVAL` script, and
//! `#!lua name=mylib` on a `FUNCTION LOAD` library, parsed with Redis 7.0's rules and error texts.

use bytes::Bytes;

/// What a script declares it may do (`flags=` in an `EVAL` shebang, `flags={...}` in `register_function`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptFlags {
    /// `no-writes`: only reads; may run on read-only replicas and through `*_RO` commands.
    pub no_writes: bool,
    /// `allow-oom`: may run when memory is over `maxmemory`.
    pub allow_oom: bool,
    /// `allow-stale`: may run on a replica whose link is down with `replica-serve-stale-data no`.
    pub allow_stale: bool,
    /// `no-cluster`: refuses to run in cluster mode (never here).
    pub no_cluster: bool,
    /// `allow-cross-slot-keys`: cluster-only relaxation, accepted and kept for `FUNCTION LIST`.
    pub allow_cross_slot_keys: bool,
    /// An `EVAL` script without a shebang: Redis's compatibility mode, where the checks happen per
    /// command instead of up front.
    pub eval_compat: bool,
}

/// The flag names in Redis's order (the order `FUNCTION LIST` prints them in).
const FLAG_NAMES: [&str; 5] = [
    "no-writes",
    "allow-oom",
    "allow-stale",
    "no-cluster",
    "allow-cross-slot-keys",
];

impl ScriptFlags {
    /// Sets the flag called `name`; false if there is no such flag.
    pub fn set_by_name(&mut self, name: &[u8]) -> bool {
        let slot = match name {
            b"no-writes" => &mut self.no_writes,
            b"allow-oom" => &mut self.allow_oom,
            b"allow-stale" => &mut self.allow_stale,
            b"no-cluster" => &mut self.no_cluster,
            b"allow-cross-slot-keys" => &mut self.allow_cross_slot_keys,
            _ => return false,
        };
        *slot = true;
        true
    }

    /// The names of the flags that are set, in Redis's order.
    pub fn names(&self) -> Vec<&'static str> {
        let set = [
            self.no_writes,
            self.allow_oom,
            self.allow_stale,
            self.no_cluster,
            self.allow_cross_slot_keys,
        ];
        FLAG_NAMES
            .iter()
            .zip(set)
            .filter(|(_, on)| *on)
            .map(|(name, _)| *name)
            .collect()
    }
}

/// The flags of an `EVAL` script: from its shebang, or compatibility mode without one. The error is the
/// text after `ERR `.
pub fn eval_flags(body: &[u8]) -> Result<ScriptFlags, String> {
    if !body.starts_with(b"#!") {
        return Ok(ScriptFlags {
            eval_compat: true,
            ..ScriptFlags::default()
        });
    }
    let Some(end) = body.iter().position(|&byte| byte == b'\n') else {
        return Err("Invalid script shebang".to_owned());
    };
    let parts = match resp::split_args(&body[..end]) {
        Ok(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid engine in script shebang".to_owned()),
    };
    if &parts[0][..] != b"#!lua" {
        return Err(format!(
            "Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(&parts[0])
        ));
    }
    let mut flags = ScriptFlags::default();
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!(
                "Unknown lua shebang option: {}",
                String::from_utf8_lossy(part)
            ));
        };
        // Redis splits on commas without skipping empty items, so `flags=` alone names the empty flag.
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&byte| byte == b',') {
            if !flags.set_by_name(name) {
                return Err(format!(
                    "Unexpected flag in script shebang: {}",
                    String::from_utf8_lossy(name)
                ));
            }
        }
    }
    Ok(flags)
}

/// What the first line of a library says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryHeader {
    /// The engine name after `#!` (`lua`; matched case-insensitively against the engines).
    pub engine: String,
    /// The library name from `name=`.
    pub name: String,
    /// The code the engine runs: everything from the end of the first line (the newline included, so line
    /// numbers in errors match the source).
    pub body: Bytes,
}

/// Parses a library's first line (`#!<engine> name=<name>`); the error is the text after `ERR `.
pub fn library_header(code: &Bytes) -> Result<LibraryHeader, String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".to_owned());
    }
    let Some(end) = code.iter().position(|&byte| byte == b'\n') else {
        return Err("Invalid library metadata".to_owned());
    };
    let parts = match resp::split_args(&code[..end]) {
        Ok(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid library metadata".to_owned()),
    };
    let engine = String::from_utf8_lossy(&parts[0][2..]).into_owned();
    let mut name = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "Invalid metadata value, name argument was given multiple times".to_owned(),
                );
            }
            name = Some(String::from_utf8_lossy(&part[5..]).into_owned());
            continue;
        }
        return Err(format!(
            "Invalid metadata value given: {}",
            String::from_utf8_lossy(part)
        ));
    }
    let Some(name) = name else {
        return Err("Library name was not given".to_owned());
    };
    Ok(LibraryHeader {
        engine,
        name,
        body: code.slice(end..),
    })
}

/// Library and function names: letters, digits and underscores, at least one.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_without_shebang_is_compat_mode() {
        assert!(eval_flags(b"return 1").unwrap().eval_compat);
    }

    #[test]
    fn eval_shebang_flags_and_errors() {
        let flags = eval_flags(b"#!lua flags=no-writes,allow-stale\nreturn 1").unwrap();
        assert!(flags.no_writes && flags.allow_stale && !flags.eval_compat);
        assert_eq!(flags.names(), ["no-writes", "allow-stale"]);
        assert!(!eval_flags(b"#!lua\nreturn 1").unwrap().eval_compat);
        assert_eq!(eval_flags(b"#!lua").unwrap_err(), "Invalid script shebang");
        assert_eq!(
            eval_flags(b"#!python\n").unwrap_err(),
            "Unexpected engine in script shebang: #!python"
        );
        assert_eq!(
            eval_flags(b"#!lua flags=bad\n").unwrap_err(),
            "Unexpected flag in script shebang: bad"
        );
        assert_eq!(
            eval_flags(b"#!lua name=x\n").unwrap_err(),
            "Unknown lua shebang option: name=x"
        );
    }

    #[test]
    fn library_header_rules() {
        let code = Bytes::from_static(b"#!lua name=mylib\nredis.register_function('f', f)");
        let header = library_header(&code).unwrap();
        assert_eq!(header.engine, "lua");
        assert_eq!(header.name, "mylib");
        assert_eq!(&header.body[..], b"\nredis.register_function('f', f)");
        let error = |text: &'static [u8]| library_header(&Bytes::from_static(text)).unwrap_err();
        assert_eq!(error(b"return 1"), "Missing library metadata");
        assert_eq!(error(b"#!lua name=x"), "Invalid library metadata");
        assert_eq!(error(b"#!lua\n"), "Library name was not given");
        assert_eq!(
            error(b"#!lua name=a name=b\n"),
            "Invalid metadata value, name argument was given multiple times"
        );
        assert_eq!(
            error(b"#!lua foo=bar\n"),
            "Invalid metadata value given: foo=bar"
        );
        assert!(valid_name(b"my_lib1") && !valid_name(b"") && !valid_name(b"a-b"));
    }
}
