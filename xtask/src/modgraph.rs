//! `cargo xtask modgraph [CRATE]`: the import graph between a crate's top-level modules (default
//! `crates/server`), and its loops: every strongly connected set of two or more modules, with the imports
//! that tie it. Issue 12 measures the server's untangling with it, before and after each step.
//!
//! A file belongs to the top-level module named by the first component of its path under `src/` (`cmd/strings.rs`
//! is in `cmd`); an import is any `crate::name` in its code (a `use` or a path in an expression), so the graph
//! is read from text, comments and tests left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// Module graph: each top-level module's imports of the others (with the files that make them).
pub type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// Prints the graph's loops for `crate_dir` (relative to the repository root).
pub fn run(root: &Path, crate_dir: &str) -> Result<()> {
    let src = root.join(crate_dir).join("src");
    let graph = read_graph(&src)?;
    let loops = loops(&graph);
    println!(
        "{crate_dir}: {} top-level modules, {} imports between them",
        graph.len(),
        graph.values().map(BTreeMap::len).sum::<usize>()
    );
    if loops.is_empty() {
        println!("no import loop");
    }
    for (index, members) in loops.iter().enumerate() {
        println!(
            "loop {}: {} modules: {}",
            index + 1,
            members.len(),
            members.iter().cloned().collect::<Vec<_>>().join(", ")
        );
        for from in members {
            for (to, files) in &graph[from] {
                if members.contains(to) {
                    let files: Vec<&str> = files.iter().map(String::as_str).collect();
                    println!("  {from} -> {to} ({})", files.join(", "));
                }
            }
        }
    }
    Ok(())
}

/// Reads every `.rs` file under `src` (tests modules and `tests.rs` files left out).
pub fn read_graph(src: &Path) -> Result<Graph> {
    let mut graph = Graph::new();
    for file in rust_files(src)? {
        let relative = file
            .strip_prefix(src)
            .expect("listed under src")
            .to_string_lossy()
            .into_owned();
        let module = top_level_module(&relative);
        let text =
            std::fs::read_to_string(&file).with_context(|| format!("read {}", file.display()))?;
        let imports = graph.entry(module.clone()).or_default();
        for target in crate_imports(&code_only(&text)) {
            if target != module {
                imports.entry(target).or_default().insert(relative.clone());
            }
        }
    }
    // Only modules that exist are nodes (`crate::Shared` re-exports and macros are not modules).
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for imports in graph.values_mut() {
        imports.retain(|target, _| modules.contains(target));
    }
    Ok(graph)
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("list {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|ext| ext == "rs")
            && !path.file_name().is_some_and(|name| {
                let name = name.to_string_lossy();
                name == "tests.rs" || name.ends_with("_tests.rs")
            })
        {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `cmd/strings.rs` is in `cmd`, `core.rs` in `core`; `lib.rs` and `main.rs` are the crate root.
fn top_level_module(relative: &str) -> String {
    let first = relative.split('/').next().unwrap_or(relative);
    first.trim_end_matches(".rs").to_owned()
}

/// The text without `//` comments and without test items: a `#[cfg(test)]` before a one-line item (`mod
/// sweep_tests;`) drops that line, before a block (`mod tests {`) drops the rest of the file (test modules
/// come last). What remains is what the crate itself imports.
fn code_only(text: &str) -> String {
    let mut kept = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            match lines.next() {
                Some(item) if item.trim_end().ends_with(';') => continue,
                _ => break,
            }
        }
        kept.push(match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        });
    }
    kept.join("\n")
}

/// The modules named as `crate::name`, including inside `use crate::{a, b::c}` groups.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !preceded_by_ident {
            if let Some(group) = after.strip_prefix('{') {
                let end = matching_brace(group);
                for item in split_top_level(&group[..end]) {
                    out.insert(identifier(item.trim()));
                }
            } else {
                out.insert(identifier(after));
            }
        }
        rest = after;
    }
    out.remove("");
    out
}

/// The index of the `}` closing a group whose `{` was just before `text`.
fn matching_brace(text: &str) -> usize {
    let mut depth = 0;
    for (index, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return index,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// Splits `a, b::{c, d}, e` at its top-level commas.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (index, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The strongly connected sets of two or more modules (Tarjan's algorithm), largest first.
fn loops(graph: &Graph) -> Vec<BTreeSet<String>> {
    struct Search<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<BTreeSet<String>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, node: &'a str) {
            let next = self.index.len();
            self.index.insert(node, next);
            self.low.insert(node, next);
            self.stack.push(node);
            self.on_stack.insert(node);
            for target in self.graph[node].keys() {
                let target = target.as_str();
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.low[node].min(self.low[target]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(target) {
                    let low = self.low[node].min(self.index[target]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut members = BTreeSet::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    members.insert(member.to_owned());
                    if member == node {
                        break;
                    }
                }
                if members.len() > 1 {
                    self.found.push(members);
                }
            }
        }
    }
    let mut search = Search {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !search.index.contains_key(node.as_str()) {
            search.visit(node);
        }
    }
    let mut found = search.found;
    found.sort_by_key(|members| std::cmp::Reverse(members.len()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_groups_and_nested_groups() {
        let code = code_only(
            "use crate::core::Core;\n#[cfg(test)]\nmod sweep_tests;\nuse crate::{shared::Shared, cmd::{self, Ctx}};\n// crate::ignored\nlet x = crate::errors::reply(a);\nfoo_crate::not_ours();\n#[cfg(test)]\nmod tests {\nuse crate::tests_only;\n}",
        );
        let imports: Vec<String> = crate_imports(&code).into_iter().collect();
        assert_eq!(imports, ["cmd", "core", "errors", "shared"]);
    }

    #[test]
    fn finds_the_loops() {
        let mut graph = Graph::new();
        for (from, to) in [
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("c", "d"),
            ("d", "e"),
            ("e", "d"),
        ] {
            graph
                .entry(from.to_owned())
                .or_default()
                .entry(to.to_owned())
                .or_default()
                .insert(format!("{from}.rs"));
            graph.entry(to.to_owned()).or_default();
        }
        graph.entry("lonely".to_owned()).or_default();
        let loops: Vec<Vec<String>> = loops(&graph)
            .into_iter()
            .map(|members| members.into_iter().collect())
            .collect();
        assert_eq!(loops, [vec!["a", "b", "c"], vec!["d", "e"]]);
    }
}
