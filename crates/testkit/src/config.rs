//! [`NodeConfig`]: the directives written into a node's config file.

use std::fmt::Write as _;
use std::path::Path;

/// The Redis default save points (`save 3600 1 300 100 60 10000`), written explicitly so a node's persistence
/// does not depend on which default the binary under test has.
pub(crate) const DEFAULT_SAVE_POINTS: &str = "3600 1 300 100 60 10000";

/// An ordered list of config-file directives (`directive args...`), one per line, as `redis-server` and
/// `rserver` read them. The node's `dir` is not part of it: [`crate::Node`] adds `dir` for its own directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    directives: Vec<(String, String)>,
}

impl NodeConfig {
    /// A standalone master on `127.0.0.1:port` with the defaults tests want: `dbfilename dump.rdb`, the Redis
    /// default save points, and `repl-diskless-sync-delay 0` so a full sync starts at once instead of after 5 s.
    pub fn new(port: u16) -> NodeConfig {
        let mut config = NodeConfig {
            directives: Vec::new(),
        };
        config
            .set("port", port.to_string())
            .set("bind", "127.0.0.1")
            .set("dbfilename", "dump.rdb")
            .set("save", DEFAULT_SAVE_POINTS)
            .set("repl-diskless-sync-delay", "0");
        config
    }

    /// Builder form of [`NodeConfig::set`].
    pub fn with(mut self, directive: &str, value: impl Into<String>) -> NodeConfig {
        self.set(directive, value);
        self
    }

    /// Adds `replicaof 127.0.0.1 <master_port>`.
    pub fn replica_of(self, master_port: u16) -> NodeConfig {
        self.with("replicaof", format!("127.0.0.1 {master_port}"))
    }

    /// Sets `directive` to `value` (the rest of the line, e.g. `"127.0.0.1 6379"`), replacing an earlier value.
    pub fn set(&mut self, directive: &str, value: impl Into<String>) -> &mut NodeConfig {
        let value = value.into();
        match self
            .directives
            .iter_mut()
            .find(|(name, _)| name == directive)
        {
            Some((_, existing)) => *existing = value,
            None => self.directives.push((directive.to_string(), value)),
        }
        self
    }

    /// Removes `directive` (e.g. `replicaof`, to restart a replica as a master).
    pub fn remove(&mut self, directive: &str) -> &mut NodeConfig {
        self.directives.retain(|(name, _)| name != directive);
        self
    }

    /// The value of `directive`, if set.
    pub fn get(&self, directive: &str) -> Option<&str> {
        self.directives
            .iter()
            .find(|(name, _)| name == directive)
            .map(|(_, value)| value.as_str())
    }

    /// The `port` directive.
    pub fn port(&self) -> u16 {
        self.get("port")
            .and_then(|port| port.parse().ok())
            .expect("NodeConfig always has a numeric port")
    }

    /// The config file text, with `dir <dir>` first.
    pub fn render(&self, dir: &Path) -> String {
        let mut text = format!("dir {}\n", dir.display());
        for (directive, value) in &self.directives {
            writeln!(text, "{directive} {value}").expect("writing to a String cannot fail");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_directives_in_order_with_dir_first() {
        let mut config = NodeConfig::new(7001).replica_of(7000);
        config.set("save", "60 1").set("loglevel", "verbose");
        assert_eq!(
            config.render(Path::new("/tmp/node")),
            "dir /tmp/node\nport 7001\nbind 127.0.0.1\ndbfilename dump.rdb\nsave 60 1\n\
             repl-diskless-sync-delay 0\nreplicaof 127.0.0.1 7000\nloglevel verbose\n"
        );
        config.remove("replicaof");
        assert_eq!(config.get("replicaof"), None);
        assert_eq!(config.port(), 7001);
    }
}
