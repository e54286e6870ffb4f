//! `COMMAND DOCS` against the real Redis 7.0.15: the facts (argument structure, tokens, flags, versions, groups,
//! deprecation) must be Redis's, field for field and in Redis's order; the prose (summary, complexity, what
//! replaces a deprecated command) is ours by design, so only its presence is checked. History is not kept.

use resp::Frame;
use testkit::{Client, Node, NodeConfig, free_port};

use crate::support::{Subject, on_both_servers};

on_both_servers!(every_command_has_docs);

/// Fields whose text is our own wording: both servers must have them, with any text.
const PROSE: [&str; 3] = ["summary", "complexity", "replaced_by"];

/// Every command that `COMMAND` lists has a `COMMAND DOCS` entry with the fields redis-cli relies on, and
/// `COMMAND DOCS` lists nothing else.
fn every_command_has_docs(subject: &Subject) {
    let node = start(subject);
    let Frame::Array(commands) = node.cmd(&["COMMAND"]) else {
        panic!("COMMAND did not answer an array")
    };
    let mut listed: Vec<String> = commands
        .iter()
        .map(|info| match info {
            Frame::Array(fields) => text(&fields[0]),
            other => panic!("COMMAND entry {other:?}"),
        })
        .collect();
    listed.sort();
    let docs = docs(&node, &[]);
    let mut documented: Vec<String> = docs.iter().map(|(name, _)| name.clone()).collect();
    documented.sort();
    assert_eq!(documented, listed);
    for (name, doc) in &docs {
        for required in ["summary", "since", "group"] {
            assert!(get(doc, required).is_some(), "{name}: no {required}");
        }
    }
}

/// The commands the issue names, asked for by name (a container brings its subcommands).
#[test]
fn sample_matches_redis() {
    let redis_server = testkit::require_redis!();
    let ours = start(&Subject::rserver());
    let real = start(&Subject::redis(redis_server));
    let names = ["set", "get", "zadd", "client", "lpos", "GETEX", "config"];
    let ours = docs(&ours, &names);
    let real = docs(&real, &names);
    let lower: Vec<String> = names.iter().map(|name| name.to_ascii_lowercase()).collect();
    assert_eq!(
        ours.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        lower.iter().collect::<Vec<_>>()
    );
    for ((name, ours), (_, real)) in ours.iter().zip(&real) {
        assert_same_facts(name, ours, real);
    }
    let client = &ours[3].1;
    let subcommands = get(client, "subcommands").expect("CLIENT has subcommands");
    assert!(get(subcommands, "client|list").is_some());
}

/// Every command we document, against Redis's entry of the same name.
#[test]
fn every_command_matches_redis() {
    let redis_server = testkit::require_redis!();
    let ours = docs(&start(&Subject::rserver()), &[]);
    let real = docs(&start(&Subject::redis(redis_server)), &[]);
    for (name, doc) in &ours {
        let (_, real_doc) = real
            .iter()
            .find(|(real_name, _)| real_name == name)
            .unwrap_or_else(|| panic!("Redis has no docs for {name}"));
        assert_same_facts(name, doc, real_doc);
    }
}

/// `subcommand|name` given directly, any case, and unknown names skipped, as Redis does.
#[test]
fn subcommands_and_unknown_names() {
    let redis_server = testkit::require_redis!();
    let names = [
        "CLIENT|LIST",
        "nosuchcommand",
        "get|nosuch",
        "object|encoding",
    ];
    let ours = docs(&start(&Subject::rserver()), &names);
    let real = docs(&start(&Subject::redis(redis_server)), &names);
    let listed = |docs: &[(String, Frame)]| {
        docs.iter()
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&ours), ["client|list", "object|encoding"]);
    assert_eq!(listed(&ours), listed(&real));
    for ((name, ours), (_, real)) in ours.iter().zip(&real) {
        assert_same_facts(name, ours, real);
    }
}

fn start(subject: &Subject) -> Node {
    subject.start(NodeConfig::new(free_port()).with("save", "\"\""))
}

/// `COMMAND DOCS names...` over RESP3 (so maps and sets keep their types), as (name, entry) pairs.
fn docs(node: &Node, names: &[&str]) -> Vec<(String, Frame)> {
    let mut client = Client::connect(node.port()).expect("connect");
    assert!(matches!(client.cmd(&["HELLO", "3"]), Frame::Map(_)));
    let mut args = vec!["COMMAND", "DOCS"];
    args.extend_from_slice(names);
    match client.cmd(&args) {
        Frame::Map(entries) => entries
            .into_iter()
            .map(|(name, doc)| (text(&name), doc))
            .collect(),
        other => panic!(
            "COMMAND DOCS on 127.0.0.1:{} answered {other:?}",
            node.port()
        ),
    }
}

/// Compares two entries field by field, in order: prose only for presence, subcommands by name (Redis lists them
/// in hash order), everything else exactly. Redis may have subcommands we do not run, never the reverse.
fn assert_same_facts(name: &str, ours: &Frame, real: &Frame) {
    let (Frame::Map(ours), Frame::Map(real)) = (ours, real) else {
        panic!("{name}: entries are not maps: {ours:?} / {real:?}")
    };
    let keys = |fields: &[(Frame, Frame)]| -> Vec<String> {
        fields
            .iter()
            .map(|(key, _)| text(key))
            .filter(|key| key != "history")
            .collect()
    };
    assert_eq!(keys(ours), keys(real), "{name}: fields");
    for (key, value) in ours {
        let key = text(key);
        let real_value = real
            .iter()
            .find(|(real_key, _)| text(real_key) == key)
            .map(|(_, value)| value)
            .expect("same keys");
        if PROSE.contains(&key.as_str()) {
            assert!(
                matches!(value, Frame::Bulk(text) if !text.is_empty()),
                "{name}: {key} is {value:?}"
            );
        } else if key == "subcommands" {
            let (Frame::Map(ours), Frame::Map(real)) = (value, real_value) else {
                panic!("{name}: subcommands are not maps")
            };
            for (sub, doc) in ours {
                let sub = text(sub);
                let real_doc = real
                    .iter()
                    .find(|(real_sub, _)| text(real_sub) == sub)
                    .map(|(_, doc)| doc)
                    .unwrap_or_else(|| panic!("Redis has no subcommand {sub}"));
                assert_same_facts(&sub, doc, real_doc);
            }
        } else {
            assert_eq!(value, real_value, "{name}: {key}");
        }
    }
}

/// The value under `key` in a RESP3 map.
fn get<'a>(map: &'a Frame, key: &str) -> Option<&'a Frame> {
    let Frame::Map(fields) = map else {
        panic!("not a map: {map:?}")
    };
    fields
        .iter()
        .find(|(field, _)| text(field) == key)
        .map(|(_, value)| value)
}

fn text(frame: &Frame) -> String {
    let bytes = frame
        .as_bytes()
        .unwrap_or_else(|| panic!("not a string: {frame:?}"));
    String::from_utf8_lossy(bytes).into_owned()
}
