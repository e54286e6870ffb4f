//! The function libraries and the `EVAL` script cache as plain data in the `Core`: what `FUNCTION LIST`,
//! `FUNCTION STATS`, `SCRIPT EXISTS`, snapshots and `INFO` read. Their compiled forms live in the engine
//! (`engine.rs`); the commands that change one change the other in the same critical section.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;

use super::shebang::ScriptFlags;

/// One function a library registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionInfo {
    /// Its name, unique across all libraries.
    pub name: String,
    /// The flags it registered with.
    pub flags: ScriptFlags,
    /// The optional `description` it registered with.
    pub description: Option<Bytes>,
}

/// One loaded library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    /// Its name (from `#!lua name=...`).
    pub name: String,
    /// The engine's name as Redis shows it (`LUA`).
    pub engine: &'static str,
    /// The full code `FUNCTION LOAD` was given, shebang included (what `WITHCODE`, `DUMP` and the RDB
    /// carry).
    pub code: Bytes,
    /// Its functions by name.
    pub functions: BTreeMap<String, FunctionInfo>,
}

/// Every loaded library, with an index from function name to library.
#[derive(Debug, Clone, Default)]
pub struct Libraries {
    libraries: BTreeMap<String, Library>,
    owners: HashMap<String, String>,
}

impl Libraries {
    /// The library called `name`.
    pub fn library(&self, name: &str) -> Option<&Library> {
        self.libraries.get(name)
    }

    /// The function called `name` with its library.
    pub fn function(&self, name: &str) -> Option<(&Library, &FunctionInfo)> {
        let library = self.libraries.get(self.owners.get(name)?)?;
        Some((library, library.functions.get(name)?))
    }

    /// Whether a function called `name` exists in a library other than `except_library`.
    pub fn function_taken(&self, name: &str, except_library: Option<&str>) -> bool {
        self.owners
            .get(name)
            .is_some_and(|owner| Some(owner.as_str()) != except_library)
    }

    /// Adds (or replaces) a library; its function names must already be checked for clashes.
    pub fn insert(&mut self, library: Library) {
        self.remove(&library.name);
        for name in library.functions.keys() {
            self.owners.insert(name.clone(), library.name.clone());
        }
        self.libraries.insert(library.name.clone(), library);
    }

    /// Removes the library called `name`.
    pub fn remove(&mut self, name: &str) -> Option<Library> {
        let library = self.libraries.remove(name)?;
        for function in library.functions.keys() {
            self.owners.remove(function);
        }
        Some(library)
    }

    /// Removes every library.
    pub fn clear(&mut self) {
        self.libraries.clear();
        self.owners.clear();
    }

    /// The libraries in name order.
    pub fn iter(&self) -> impl Iterator<Item = &Library> {
        self.libraries.values()
    }

    /// Number of libraries.
    pub fn len(&self) -> usize {
        self.libraries.len()
    }

    /// Whether no library is loaded.
    pub fn is_empty(&self) -> bool {
        self.libraries.is_empty()
    }

    /// Number of functions over all libraries.
    pub fn function_count(&self) -> usize {
        self.owners.len()
    }

    /// Every library's code, what a snapshot stores.
    pub fn codes(&self) -> Vec<Bytes> {
        self.libraries
            .values()
            .map(|library| library.code.clone())
            .collect()
    }
}

/// The scripts `EVAL` and `SCRIPT LOAD` have seen, by lower-case SHA-1 (what `EVALSHA` and `SCRIPT
/// EXISTS` look up).
#[derive(Debug, Clone, Default)]
pub struct ScriptCache {
    scripts: HashMap<String, Bytes>,
}

impl ScriptCache {
    /// The body of the script with this SHA-1 (any case).
    pub fn get(&self, sha: &[u8]) -> Option<&Bytes> {
        let sha = std::str::from_utf8(sha).ok()?.to_ascii_lowercase();
        self.scripts.get(&sha)
    }

    /// Whether the script with this SHA-1 (any case) is cached.
    pub fn contains(&self, sha: &[u8]) -> bool {
        self.get(sha).is_some()
    }

    /// Caches `body` under its SHA-1.
    pub fn insert(&mut self, sha: String, body: Bytes) {
        self.scripts.insert(sha, body);
    }

    /// Forgets every script (`SCRIPT FLUSH`).
    pub fn clear(&mut self) {
        self.scripts.clear();
    }

    /// Number of cached scripts (`number_of_cached_scripts` in `INFO`).
    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// Bytes of script bodies (`used_memory_scripts_eval`).
    pub fn body_bytes(&self) -> usize {
        self.scripts.values().map(Bytes::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(name: &str, functions: &[&str]) -> Library {
        Library {
            name: name.to_owned(),
            engine: "LUA",
            code: Bytes::from(format!("#!lua name={name}\n")),
            functions: functions
                .iter()
                .map(|function| {
                    (
                        (*function).to_owned(),
                        FunctionInfo {
                            name: (*function).to_owned(),
                            flags: ScriptFlags::default(),
                            description: None,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn functions_are_indexed_across_replace_and_remove() {
        let mut libraries = Libraries::default();
        libraries.insert(library("a", &["f", "g"]));
        libraries.insert(library("b", &["h"]));
        assert_eq!(libraries.function("g").unwrap().0.name, "a");
        assert!(libraries.function_taken("h", Some("a")));
        assert!(!libraries.function_taken("h", Some("b")));
        libraries.insert(library("a", &["f"]));
        assert!(libraries.function("g").is_none());
        assert_eq!(libraries.function_count(), 2);
        libraries.remove("b");
        assert!(libraries.function("h").is_none());
        assert_eq!(libraries.len(), 1);
    }

    #[test]
    fn script_cache_is_case_insensitive_on_lookup() {
        let mut cache = ScriptCache::default();
        cache.insert("abcdef".to_owned(), Bytes::from_static(b"return 1"));
        assert!(cache.contains(b"ABCDEF"));
        assert_eq!(cache.body_bytes(), 8);
    }
}
