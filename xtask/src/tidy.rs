//! `cargo xtask tidy`: house-style checks that the compiler cannot make (STYLE.md §1), also run as a `#[test]`.
//!
//! - every workspace dependency edge is in the crate map below (Cargo forbids cycles, not wrong edges);
//! - library-only crates do not depend on `anyhow` or `tracing-subscriber`;
//! - every `.rs` file under `crates/` and `xtask/` starts with a `//!` comment;
//! - no `sleep(` in test code (files under a `tests/` directory, and the testkit crate) except in testkit's one
//!   polling helper;
//! - every crate root (`src/lib.rs`, `src/main.rs`) has `#![forbid(unsafe_code)]`, except the server's library,
//!   whose script engine holds the one `unsafe impl Send` (scripting/engine.rs says why it is sound).
//!
//! The manifests are read line by line, which is enough for the plain style our Cargo.toml files use.
//! Model: rust-analyzer's `xtask/src/tidy.rs`.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// The crate map: the workspace crates each crate may depend on, in `[dependencies]` and additionally in
/// `[dev-dependencies]`. Adding an edge is an architecture change: update STYLE.md and docs/architecture.md too.
const ALLOWED_EDGES: &[(&str, &[&str], &[&str])] = &[
    ("resp", &[], &[]),
    ("keyspace", &[], &[]),
    ("lua", &[], &[]),
    ("rdb", &["keyspace"], &["testkit"]),
    ("replication", &["resp"], &[]),
    ("commands", &["resp", "keyspace", "rdb"], &[]),
    (
        "server",
        &["resp", "keyspace", "rdb", "replication", "lua", "commands"],
        &["testkit"],
    ),
    ("rcli", &["resp"], &["testkit"]),
    ("testkit", &["resp"], &[]),
    ("xtask", &["resp", "testkit"], &[]),
];

/// The server's layers below its command layer, bottom first. A module of a layer imports only modules of
/// its own layer or below: the state the `Core` and `Shared` hold never reaches up to what runs commands,
/// connections or replication links (issue 12). Every module not listed is above them all.
const SERVER_LAYERS: &[(&str, &[&str])] = &[
    (
        "state",
        &[
            "acl",
            "aof",
            "blocking",
            "clients",
            "config",
            "digest",
            "errors",
            "monitor",
            "pubsub",
            "replicas",
            "scripting",
            "slowlog",
            "stats",
            "sync_batch",
            "util",
            "watch",
            "watchdog",
        ],
    ),
    ("core", &["core"]),
    ("shared", &["shared"]),
];

/// Dependencies only a crate with a binary may have (libraries emit errors and events; binaries report them).
const BINARY_ONLY_DEPENDENCIES: &[&str] = &["anyhow", "tracing-subscriber"];

/// The one file allowed to sleep: the test kit's polling helper.
const POLLING_HELPER: &str = "crates/testkit/src/wait.rs";

/// One broken rule, at `path:line` (path relative to the repository root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    path: PathBuf,
    line: usize,
    message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// Runs every check on the repository at `root`; prints the violations and fails if there are any.
pub fn run(root: &Path) -> Result<()> {
    let violations = check(root)?;
    for violation in &violations {
        eprintln!("{violation}");
    }
    anyhow::ensure!(
        violations.is_empty(),
        "tidy: {} violation(s)",
        violations.len()
    );
    println!("tidy: ok");
    Ok(())
}

/// All violations in the repository at `root`.
pub fn check(root: &Path) -> Result<Vec<Violation>> {
    let mut violations = Vec::new();
    let mut manifests: Vec<PathBuf> = Vec::new();
    for entry in fs::read_dir(root.join("crates")).context("list crates/")? {
        let manifest = entry.context("list crates/")?.path().join("Cargo.toml");
        if manifest.is_file() {
            manifests.push(manifest);
        }
    }
    manifests.push(root.join("xtask/Cargo.toml"));
    manifests.sort();

    let manifests: Vec<(PathBuf, String)> = manifests
        .into_iter()
        .map(|path| {
            let text =
                fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
            Ok((relative(root, &path), text))
        })
        .collect::<Result<_>>()?;
    let members: BTreeSet<String> = manifests
        .iter()
        .filter_map(|(_, text)| package_name(text))
        .collect();
    for (path, text) in &manifests {
        let has_binary = text.lines().any(|line| line.trim() == "[[bin]]")
            || path
                .parent()
                .is_some_and(|dir| root.join(dir).join("src/main.rs").is_file());
        violations.extend(check_manifest(path, text, &members, has_binary));
    }

    let mut sources = Vec::new();
    collect_rust_files(&root.join("crates"), &mut sources)?;
    collect_rust_files(&root.join("xtask"), &mut sources)?;
    sources.sort();
    for path in sources {
        let text = fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
        violations.extend(check_source(&relative(root, &path), &text));
    }
    let server = root.join("crates/server/src");
    violations.extend(check_layers(
        &crate::modgraph::read_graph(&server)?,
        SERVER_LAYERS,
    ));
    Ok(violations)
}

/// The imports that reach up a layer (see [`SERVER_LAYERS`]), each reported at the file that makes it.
fn check_layers(graph: &crate::modgraph::Graph, layers: &[(&str, &[&str])]) -> Vec<Violation> {
    let layer_of = |module: &str| {
        layers
            .iter()
            .position(|(_, members)| members.contains(&module))
    };
    let mut violations = Vec::new();
    for (module, imports) in graph {
        let Some(own) = layer_of(module) else {
            continue;
        };
        for (target, files) in imports {
            if layer_of(target).is_some_and(|layer| layer <= own) {
                continue;
            }
            let above = layer_of(target).map_or("the command layer", |layer| layers[layer].0);
            for file in files {
                violations.push(Violation {
                    path: PathBuf::from("crates/server/src").join(file),
                    line: 1,
                    message: format!(
                        "`{module}` ({} layer) imports `{target}`, which is in {above} above it (SERVER_LAYERS)",
                        layers[own].0
                    ),
                });
            }
        }
    }
    violations
}

/// The checks on one Cargo.toml: dependency edges and binary-only dependencies.
fn check_manifest(
    path: &Path,
    text: &str,
    members: &BTreeSet<String>,
    has_binary: bool,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    let Some(name) = package_name(text) else {
        violations.push(Violation {
            path: path.to_path_buf(),
            line: 1,
            message: "no [package] name".into(),
        });
        return violations;
    };
    let allowed = ALLOWED_EDGES
        .iter()
        .find(|(crate_name, _, _)| *crate_name == name);
    if allowed.is_none() {
        let message = format!(
            "crate `{name}` is not in the crate map (xtask/src/tidy.rs ALLOWED_EDGES, STYLE.md §1)"
        );
        violations.push(Violation {
            path: path.to_path_buf(),
            line: 1,
            message,
        });
    }
    for dependency in dependencies(text) {
        let line = dependency.line;
        if members.contains(&dependency.name) {
            let permitted = allowed.is_some_and(|(_, normal, dev)| {
                normal.contains(&dependency.name.as_str())
                    || (dependency.kind == DependencyKind::Dev
                        && dev.contains(&dependency.name.as_str()))
            });
            if allowed.is_some() && !permitted {
                let message = format!(
                    "`{name}` may not depend on `{}` ({}); the crate map is in STYLE.md §1",
                    dependency.name, dependency.kind
                );
                violations.push(Violation {
                    path: path.to_path_buf(),
                    line,
                    message,
                });
            }
        }
        if !has_binary
            && dependency.kind == DependencyKind::Normal
            && BINARY_ONLY_DEPENDENCIES.contains(&dependency.name.as_str())
        {
            let message = format!(
                "library crate `{name}` may not depend on `{}`: only binaries may",
                dependency.name
            );
            violations.push(Violation {
                path: path.to_path_buf(),
                line,
                message,
            });
        }
    }
    violations
}

/// The checks on one `.rs` file: leading `//!`, and no sleeping in test code.
fn check_source(path: &Path, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    if !text.starts_with("//!") {
        let message = "file does not start with a `//!` comment saying what it is for".to_string();
        violations.push(Violation {
            path: path.to_path_buf(),
            line: 1,
            message,
        });
    }
    let is_test_code = path
        .components()
        .any(|component| component.as_os_str() == "tests")
        || path.starts_with("crates/testkit");
    if is_test_code && path != Path::new(POLLING_HELPER) {
        for (index, line) in text.lines().enumerate() {
            if line.contains("sleep(") {
                let message =
                    "sleep in test code: poll with testkit::wait_until (or a named wait) instead"
                        .into();
                violations.push(Violation {
                    path: path.to_path_buf(),
                    line: index + 1,
                    message,
                });
            }
        }
    }
    let is_crate_root = path.ends_with("src/lib.rs") || path.ends_with("src/main.rs");
    if is_crate_root
        && path != Path::new(UNSAFE_CRATE_ROOT)
        && !text
            .lines()
            .any(|line| line.trim() == "#![forbid(unsafe_code)]")
    {
        violations.push(Violation {
            path: path.to_path_buf(),
            line: 1,
            message: "crate root without `#![forbid(unsafe_code)]`".into(),
        });
    }
    violations
}

/// The one crate root allowed `unsafe` code (the script engine's `Send` impls).
const UNSAFE_CRATE_ROOT: &str = "crates/server/src/lib.rs";

/// Which table a dependency is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DependencyKind {
    Normal,
    Dev,
    Build,
}

impl fmt::Display for DependencyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DependencyKind::Normal => "[dependencies]",
            DependencyKind::Dev => "[dev-dependencies]",
            DependencyKind::Build => "[build-dependencies]",
        })
    }
}

/// A dependency declaration found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dependency {
    name: String,
    kind: DependencyKind,
    line: usize,
}

/// `name = "..."` of the `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix("name") {
            let value = value.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_string());
        }
    }
    None
}

/// Every dependency in `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`, their
/// `[target.'...'.*]` forms and the `[dependencies.name]` table form.
fn dependencies(manifest: &str) -> Vec<Dependency> {
    let mut found = Vec::new();
    let mut table: Option<DependencyKind> = None;
    for (index, raw_line) in manifest.lines().enumerate() {
        let line = raw_line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let header = line.trim_matches(|c| c == '[' || c == ']').trim();
            // `target.'cfg(unix)'.dependencies` → look at what follows the target part.
            let header = header.rsplit_once("'.").map_or(header, |(_, rest)| rest);
            let header = header
                .strip_prefix("target.")
                .map_or(header, |rest| rest.split_once('.').map_or(rest, |(_, r)| r));
            let (table_name, inline_name) = match header.split_once('.') {
                Some((table_name, dependency)) => (table_name, Some(dependency)),
                None => (header, None),
            };
            let kind = match table_name {
                "dependencies" => Some(DependencyKind::Normal),
                "dev-dependencies" => Some(DependencyKind::Dev),
                "build-dependencies" => Some(DependencyKind::Build),
                _ => None,
            };
            match (kind, inline_name) {
                (Some(kind), Some(dependency)) => {
                    found.push(Dependency {
                        name: dependency.trim_matches('"').to_string(),
                        kind,
                        line: index + 1,
                    });
                    table = None;
                }
                (kind, None) => table = kind,
                (None, Some(_)) => table = None,
            }
            continue;
        }
        if let Some(kind) = table {
            let name_end = line.find(['.', '=', ' ']).unwrap_or(line.len());
            let name = line[..name_end].trim().trim_matches('"');
            if !name.is_empty() {
                found.push(Dependency {
                    name: name.to_string(),
                    kind,
                    line: index + 1,
                });
            }
        }
    }
    found
}

/// Every `.rs` file under `dir`, skipping `target` and hidden directories.
fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("list {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("list {}", dir.display()))?
            .path();
        let file_name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if path.is_dir() {
            if file_name != "target" && !file_name.starts_with('.') {
                collect_rust_files(&path, files)?;
            }
        } else if file_name.ends_with(".rs") {
            files.push(path);
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> BTreeSet<String> {
        ALLOWED_EDGES
            .iter()
            .map(|(name, _, _)| name.to_string())
            .collect()
    }

    /// The real repository passes; this is what makes `cargo test` enforce the house style.
    #[test]
    fn tidy() {
        let violations = check(&crate::repo_root()).expect("tidy can read the repository");
        let listing: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert!(
            violations.is_empty(),
            "tidy violations:\n{}",
            listing.join("\n")
        );
    }

    #[test]
    fn flags_imports_that_reach_up_a_layer() {
        let mut graph = crate::modgraph::Graph::new();
        let files = |file: &str| BTreeSet::from([file.to_owned()]);
        graph
            .entry("watch".into())
            .or_default()
            .insert("core".into(), files("watch.rs"));
        graph
            .entry("core".into())
            .or_default()
            .insert("watch".into(), files("core.rs"));
        graph
            .entry("core".into())
            .or_default()
            .insert("cmd".into(), files("core.rs"));
        graph
            .entry("cmd".into())
            .or_default()
            .insert("core".into(), files("cmd/mod.rs"));
        let violations = check_layers(&graph, SERVER_LAYERS);
        let listing: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert_eq!(listing.len(), 2, "{listing:?}");
        assert!(
            listing[0]
                .starts_with("crates/server/src/core.rs:1: `core` (core layer) imports `cmd`")
        );
        assert!(
            listing[1]
                .starts_with("crates/server/src/watch.rs:1: `watch` (state layer) imports `core`")
        );
    }

    #[test]
    fn flags_edges_outside_the_crate_map() {
        let manifest = "[package]\nname = \"rdb\"\n\n[dependencies]\nkeyspace.workspace = true\nresp = { workspace = true }\nbytes.workspace = true\n\n[dev-dependencies]\nreplication.workspace = true\n";
        let violations = check_manifest(
            Path::new("crates/rdb/Cargo.toml"),
            manifest,
            &members(),
            false,
        );
        let rendered: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            [
                "crates/rdb/Cargo.toml:6: `rdb` may not depend on `resp` ([dependencies]); the crate map is in STYLE.md §1",
                "crates/rdb/Cargo.toml:10: `rdb` may not depend on `replication` ([dev-dependencies]); the crate map is in STYLE.md §1",
            ]
        );
    }

    #[test]
    fn allows_dev_only_edges_only_as_dev_dependencies() {
        let dev = "[package]\nname = \"server\"\n[dev-dependencies]\ntestkit.workspace = true\n";
        assert_eq!(check_manifest(Path::new("s"), dev, &members(), true), []);
        let normal = "[package]\nname = \"server\"\n[dependencies]\ntestkit.workspace = true\n";
        assert_eq!(
            check_manifest(Path::new("s"), normal, &members(), true).len(),
            1
        );
    }

    #[test]
    fn flags_binary_only_dependencies_in_libraries() {
        let manifest = "[package]\nname = \"replication\"\n[dependencies.anyhow]\nworkspace = true\n[target.'cfg(unix)'.dependencies]\ntracing-subscriber = \"0.3\"\n[dev-dependencies]\nanyhow = \"1\"\n";
        let violations = check_manifest(Path::new("m"), manifest, &members(), false);
        let lines: Vec<usize> = violations.iter().map(|violation| violation.line).collect();
        assert_eq!(lines, [3, 6]);
        assert!(check_manifest(Path::new("m"), manifest, &members(), true).is_empty());
    }

    #[test]
    fn flags_unknown_crates() {
        let manifest = "[package]\nname = \"newcrate\"\n";
        assert_eq!(
            check_manifest(Path::new("m"), manifest, &members(), false).len(),
            1
        );
    }

    #[test]
    fn crate_roots_forbid_unsafe_code() {
        let open = "//! A crate.\nmod a;\n";
        let closed = "//! A crate.\n#![forbid(unsafe_code)]\nmod a;\n";
        assert_eq!(
            check_source(Path::new("crates/resp/src/lib.rs"), open).len(),
            1
        );
        assert_eq!(
            check_source(Path::new("crates/rcli/src/main.rs"), open).len(),
            1
        );
        assert!(check_source(Path::new("crates/resp/src/lib.rs"), closed).is_empty());
        assert!(check_source(Path::new(UNSAFE_CRATE_ROOT), open).is_empty());
        assert!(check_source(Path::new("crates/resp/src/frame.rs"), open).is_empty());
    }

    #[test]
    fn flags_missing_module_docs_and_sleeps_in_tests() {
        let sleepy = "//! A test.\nfn t() {\n    std::thread::sleep(d);\n}\n";
        let in_tests = check_source(Path::new("crates/rdb/tests/it/x.rs"), sleepy);
        assert_eq!(
            in_tests
                .iter()
                .map(|violation| violation.line)
                .collect::<Vec<_>>(),
            [3]
        );
        assert!(check_source(Path::new("crates/rdb/src/x.rs"), sleepy).is_empty());
        assert!(check_source(Path::new(POLLING_HELPER), sleepy).is_empty());
        assert_eq!(
            check_source(Path::new("crates/testkit/src/node.rs"), sleepy).len(),
            1
        );
        let undocumented = "// not a module doc\nfn f() {}\n";
        assert_eq!(
            check_source(Path::new("xtask/src/x.rs"), undocumented).len(),
            1
        );
    }
}
