//! Snapshot filters for `INFO replication` text and for ROLE as redis-cli prints it.
//!
//! Each regex names the field and the valid shape of its value, so it masks *and* validates: a malformed value
//! does not match, stays visible and breaks the snapshot. Values a test is about (`role`, `state=online`,
//! `master_link_status`, `connected_slaves`, ...) are never masked, and the sentinel values `-1` (no link yet,
//! no previous replid) are left visible so "never connected" and "connected" snapshot differently.

/// `(regex, replacement)` pairs for insta's `filters` setting, in the order they must be applied:
///
/// ```text
/// insta::with_settings!({ filters => testkit::replication_filters() }, {
///     insta::assert_snapshot!("info_fresh_master", info);
/// });
/// ```
///
/// Plain tuples, so the kit does not depend on insta. An all-zero `master_replid2` becomes `[ZEROS]` before
/// the general rule turns other ids into `[REPLID2]`, so a fresh master and a promoted replica differ.
pub fn replication_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        // INFO replication (lines end in \r\n; `\b` ends each value so a longer or malformed one stays visible).
        (
            r"(?m)^master_replid:[0-9a-f]{40}\b",
            "master_replid:[REPLID]",
        ),
        (r"(?m)^master_replid2:0{40}\b", "master_replid2:[ZEROS]"),
        (
            r"(?m)^master_replid2:[0-9a-f]{40}\b",
            "master_replid2:[REPLID2]",
        ),
        (
            r"(?m)^master_repl_offset:\d+\b",
            "master_repl_offset:[OFFSET]",
        ),
        (
            r"(?m)^second_repl_offset:\d+\b",
            "second_repl_offset:[OFFSET]",
        ),
        (
            r"(?m)^slave_read_repl_offset:\d+\b",
            "slave_read_repl_offset:[OFFSET]",
        ),
        (
            r"(?m)^slave_repl_offset:\d+\b",
            "slave_repl_offset:[OFFSET]",
        ),
        (
            r"(?m)^repl_backlog_first_byte_offset:\d+\b",
            "repl_backlog_first_byte_offset:[OFFSET]",
        ),
        (
            r"(?m)^repl_backlog_histlen:\d+\b",
            "repl_backlog_histlen:[LEN]",
        ),
        (r"(?m)^master_port:\d+\b", "master_port:[PORT]"),
        (
            r"(?m)^master_last_io_seconds_ago:\d+\b",
            "master_last_io_seconds_ago:[SECONDS]",
        ),
        (
            r"(?m)^master_link_down_since_seconds:\d+\b",
            "master_link_down_since_seconds:[SECONDS]",
        ),
        (
            r"(?m)^(slave\d+:ip=[0-9.]+,port=)\d+(,state=[a-z_]+,offset=)\d+(,lag=)\d+\b",
            "${1}[PORT]${2}[OFFSET]${3}[LAG]",
        ),
        (r"(?m)^run_id:[0-9a-f]{40}\b", "run_id:[RUN_ID]"),
        // ROLE as redis-cli prints it (TTY form). Master: `2) (integer) <offset>` and per replica
        // `      2) "<port>"` / `      3) "<offset>"`; replica: `3) (integer) <port>`, `5) (integer) <offset>`.
        (r"(?m)^2\) \(integer\) \d+$", "2) (integer) [OFFSET]"),
        (r"(?m)^3\) \(integer\) \d+$", "3) (integer) [PORT]"),
        (r"(?m)^5\) \(integer\) \d+$", "5) (integer) [OFFSET]"),
        (r#"(?m)^      2\) "\d+"$"#, r#"      2) "[PORT]""#),
        (r#"(?m)^      3\) "\d+"$"#, r#"      3) "[OFFSET]""#),
    ]
}
