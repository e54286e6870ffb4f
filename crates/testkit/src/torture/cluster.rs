//! [`Cluster`]: the run's three nodes, the proxy in front of each replica's link, and the model of who
//! replicates whom, with the operations the faults and the quiescence checks need (re-point, promote, kill
//! and restart, heal, wait until in sync).
//!
//! Each replica's `replicaof` points at its own [`Proxy`], which forwards to the node it replicates; changing a
//! replica's upstream replaces its proxy. The model is published to the load threads after every change.

use std::path::Path;
use std::time::Duration;

use resp::Frame;

use super::commands::{LIBRARY, WRITE_SCRIPTS};
use super::conn::show_frame;
use super::shared::{NODES, Shared, Topology};
use crate::client::{Client, info_field_in};
use crate::config::NodeConfig;
use crate::node::{Node, Shutdown};
use crate::proxy::Proxy;
use crate::rng::Rng;
use crate::wait::poll_until;

/// How long a re-point waits for a replica to finish loading a snapshot.
const LOADING_WAIT: Duration = Duration::from_secs(30);

/// How long a replica may take to be linked and at its master's offset at a quiescence point.
pub(super) const SYNC_DEADLINE: Duration = Duration::from_secs(60);

/// The nodes, their proxies and the replication model; see the module documentation.
pub(super) struct Cluster<'a> {
    shared: &'a Shared,
    nodes: Vec<Node>,
    proxies: Vec<Option<Proxy>>,
    topology: Topology,
}

impl<'a> Cluster<'a> {
    /// Starts the nodes of `shared`'s initial topology (node 0 master with an AOF, node 1 its replica, node 2
    /// a replica of node 1 with an AOF), waits until both links are up, and loads the function library and
    /// the scripts; returns the cluster and the scripts' SHA1s.
    pub(super) fn start(
        binary: &Path,
        shared: &'a Shared,
        rng: &mut Rng,
    ) -> Result<(Cluster<'a>, Vec<String>), String> {
        let topology = shared.topology();
        let backlog = *rng.pick(&["16kb", "256kb", "1mb"]);
        let diskless_sync = *rng.pick(&["yes", "no"]);
        let mut cluster = Cluster {
            shared,
            nodes: Vec::new(),
            proxies: (0..NODES).map(|_| None).collect(),
            topology: topology.clone(),
        };
        for node in 0..NODES {
            let mut config = NodeConfig::new(topology.ports[node]);
            config
                .set("enable-debug-command", "yes")
                .set("busy-reply-threshold", "100")
                .set("repl-timeout", "5")
                .set("repl-backlog-size", backlog)
                .set("repl-diskless-sync", diskless_sync)
                .set(
                    "repl-diskless-load",
                    *rng.pick(&["disabled", "swapdb", "on-empty-db"]),
                );
            if node != 1 {
                config.set("appendonly", "yes").set("appendfsync", "always");
            }
            if let Some(upstream) = topology.upstream[node] {
                let proxy = Proxy::try_start(topology.ports[upstream])
                    .map_err(|error| format!("start the proxy of n{node}: {error}"))?;
                config.set("replicaof", format!("127.0.0.1 {}", proxy.port()));
                cluster.proxies[node] = Some(proxy);
            }
            let started = Node::try_start(binary, config)
                .map_err(|error| format!("start n{node}: {error}"))?;
            shared
                .health
                .started(node, started.pid(), &started.log_path());
            cluster.nodes.push(started);
        }
        cluster.wait_synced(SYNC_DEADLINE)?;
        let master = topology.master;
        let reply = cluster.admin(master, &["FUNCTION", "LOAD", "REPLACE", LIBRARY])?;
        if !matches!(reply, Frame::Bulk(_)) {
            return Err(format!("FUNCTION LOAD answered {}", show_frame(&reply)));
        }
        let mut shas = Vec::new();
        for script in WRITE_SCRIPTS {
            match cluster.admin(master, &["SCRIPT", "LOAD", script])? {
                Frame::Bulk(sha) => shas.push(String::from_utf8_lossy(&sha).into_owned()),
                other => return Err(format!("SCRIPT LOAD answered {}", show_frame(&other))),
            }
        }
        Ok((cluster, shas))
    }

    /// The model.
    pub(super) fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Node `node` (for data set dumps and logs).
    pub(super) fn node(&self, node: usize) -> &Node {
        &self.nodes[node]
    }

    /// The proxy in front of replica `node`'s link.
    pub(super) fn proxy(&self, node: usize) -> Option<&Proxy> {
        self.proxies[node].as_ref()
    }

    /// Runs one command on `node` over a new connection.
    pub(super) fn admin(&self, node: usize, args: &[&str]) -> Result<Frame, String> {
        Client::connect(self.nodes[node].port())
            .map_err(Into::into)
            .and_then(|mut client| client.try_cmd(args))
            .map_err(|error| format!("{} on n{node}: {error}", args.join(" ")))
    }

    /// `INFO replication` of `node`.
    pub(super) fn info(&self, node: usize) -> Result<String, String> {
        self.nodes[node]
            .try_info_replication()
            .map_err(|error| format!("INFO replication on n{node}: {error}"))
    }

    /// The `master_repl_offset` of `node`.
    pub(super) fn offset(&self, node: usize) -> Result<u64, String> {
        let info = self.info(node)?;
        info_field_in(&info, "master_repl_offset")
            .and_then(|offset| offset.parse().ok())
            .ok_or_else(|| format!("no master_repl_offset in INFO of n{node}"))
    }

    /// Whether replica `node`'s link is up and no sync is in progress.
    pub(super) fn link_up(&self, node: usize) -> bool {
        self.info(node).is_ok_and(|info| {
            info_field_in(&info, "master_link_status") == Some("up")
                && info_field_in(&info, "master_sync_in_progress") == Some("0")
        })
    }

    fn publish(&self) {
        *self
            .shared
            .view
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = self.topology.clone();
    }

    /// Makes `replica` replicate `upstream` through a new proxy (`REPLICAOF` to the proxy's port).
    pub(super) fn point(&mut self, replica: usize, upstream: usize) -> Result<(), String> {
        let proxy = Proxy::try_start(self.topology.ports[upstream])
            .map_err(|error| format!("start a proxy to n{upstream}: {error}"))?;
        let port = proxy.port().to_string();
        // A replica loading its master's snapshot answers -LOADING to REPLICAOF, as Redis does (the command
        // has no `loading` flag): an operator retries once the load is over, and so do we.
        let reply = poll_until(LOADING_WAIT, || {
            match self.admin(replica, &["REPLICAOF", "127.0.0.1", &port]) {
                Ok(Frame::Error(text)) if text.starts_with(b"LOADING") => Err(format!(
                    "n{replica} answered {}",
                    show_frame(&Frame::Error(text))
                )),
                other => Ok(other),
            }
        })
        .unwrap_or_else(|last| Ok(Frame::Error(last.into())))?;
        if !matches!(reply, Frame::Simple(_)) {
            return Err(format!(
                "REPLICAOF on n{replica} answered {}",
                show_frame(&reply)
            ));
        }
        self.proxies[replica] = Some(proxy);
        self.topology.upstream[replica] = Some(upstream);
        self.nodes[replica]
            .config_mut()
            .set("replicaof", format!("127.0.0.1 {port}"));
        self.publish();
        Ok(())
    }

    /// Makes `node` the master (`REPLICAOF NO ONE`); the caller re-points the others.
    pub(super) fn promote(&mut self, node: usize) -> Result<(), String> {
        let reply = self.admin(node, &["REPLICAOF", "NO", "ONE"])?;
        if !matches!(reply, Frame::Simple(_)) {
            return Err(format!(
                "REPLICAOF NO ONE on n{node} answered {}",
                show_frame(&reply)
            ));
        }
        self.became_master(node);
        Ok(())
    }

    /// Records in the model that `node` is the master now (after a promotion or a FAILOVER).
    pub(super) fn became_master(&mut self, node: usize) {
        self.topology.master = node;
        self.topology.upstream[node] = None;
        self.topology.stints[node] += 1;
        self.proxies[node] = None;
        self.nodes[node].config_mut().remove("replicaof");
        self.publish();
    }

    /// Records in the model that `node` replicates `upstream` (it may still point elsewhere: [`Cluster::enforce`]
    /// fixes that).
    pub(super) fn set_upstream(&mut self, node: usize, upstream: usize) {
        self.topology.upstream[node] = Some(upstream);
        self.publish();
    }

    /// Gives `node`, which is down, a new proxy to its upstream in the model and points its config there (it
    /// is not running: nothing is sent; it starts as that replica).
    pub(super) fn prepare_proxy(&mut self, node: usize) -> Result<(), String> {
        let upstream =
            self.topology.upstream[node].ok_or_else(|| format!("n{node} has no upstream"))?;
        let proxy = Proxy::try_start(self.topology.ports[upstream])
            .map_err(|error| format!("start a proxy to n{upstream}: {error}"))?;
        self.nodes[node]
            .config_mut()
            .set("replicaof", format!("127.0.0.1 {}", proxy.port()));
        self.proxies[node] = Some(proxy);
        Ok(())
    }

    /// Kills `node` with `SIGKILL` (the caller holds its exclusion).
    pub(super) fn kill(&mut self, node: usize) {
        self.nodes[node].kill();
    }

    /// Starts `node` again from its directory: as the master, or as a replica of its proxy.
    pub(super) fn restart(&mut self, node: usize) -> Result<(), String> {
        if node == self.topology.master {
            self.nodes[node].config_mut().remove("replicaof");
        } else {
            let Some(proxy) = &self.proxies[node] else {
                return Err(format!("n{node} is a replica without a proxy"));
            };
            let line = format!("127.0.0.1 {}", proxy.port());
            self.nodes[node].config_mut().set("replicaof", line);
        }
        self.nodes[node]
            .try_start_again()
            .map_err(|error| format!("restart n{node}: {error}"))?;
        self.shared
            .health
            .started(node, self.nodes[node].pid(), &self.nodes[node].log_path());
        Ok(())
    }

    /// Stops the master cleanly (`SHUTDOWN`) with `appendonly yes` and `appendfsync always` in its config, and
    /// starts it again (invariant 5).
    pub(super) fn restart_master_cleanly(&mut self) -> Result<(), String> {
        let master = self.topology.master;
        self.nodes[master]
            .config_mut()
            .set("appendonly", "yes")
            .set("appendfsync", "always");
        self.nodes[master]
            .try_shutdown(Shutdown::Default)
            .map_err(|error| format!("SHUTDOWN the master n{master}: {error}"))?;
        self.restart(master)
    }

    /// Ends every fault on the links (resume, no delay, no pending cut) and makes the nodes' roles match the
    /// model.
    pub(super) fn heal(&mut self) -> Result<(), String> {
        for proxy in self.proxies.iter().flatten() {
            proxy.cancel_cuts();
            proxy.delay(Duration::ZERO);
            proxy.resume();
        }
        self.enforce()
    }

    /// Makes each node's role and master what the model says (after a FAILOVER, or one that was aborted,
    /// a node may be elsewhere).
    pub(super) fn enforce(&mut self) -> Result<(), String> {
        for node in 0..NODES {
            let info = self.info(node)?;
            let role = info_field_in(&info, "role").unwrap_or_default().to_string();
            let Some(upstream) = self.topology.upstream[node] else {
                if role != "master" {
                    self.shared.stats.note(format!(
                        "n{node} should be the master but is a {role}: REPLICAOF NO ONE"
                    ));
                    self.admin(node, &["REPLICAOF", "NO", "ONE"])?;
                }
                continue;
            };
            let proxy_port = match &self.proxies[node] {
                Some(proxy) if proxy.target_port() == self.topology.ports[upstream] => proxy.port(),
                _ => {
                    self.point(node, upstream)?;
                    continue;
                }
            };
            let master_port = info_field_in(&info, "master_port").unwrap_or_default();
            if role != "slave" || master_port != proxy_port.to_string() {
                self.admin(node, &["REPLICAOF", "127.0.0.1", &proxy_port.to_string()])?;
            }
        }
        Ok(())
    }

    /// Waits until every replica's link is up and every node is at the master's offset; returns that offset.
    pub(super) fn wait_synced(&self, deadline: Duration) -> Result<u64, String> {
        poll_until(deadline, || {
            let master_offset = self.offset(self.topology.master)?;
            for node in self.topology.replicas() {
                if !self.link_up(node) {
                    return Err(format!(
                        "n{node}'s link is not up (or a sync is in progress)"
                    ));
                }
                let offset = self.offset(node)?;
                if offset != master_offset {
                    return Err(format!(
                        "master n{} at offset {master_offset}, n{node} at {offset}",
                        self.topology.master
                    ));
                }
            }
            Ok(master_offset)
        })
        .map_err(|last| {
            format!(
                "replicas not in sync within {deadline:?} ({}): {last}",
                self.topology.describe()
            )
        })
    }

    /// `DEBUG DIGEST` of every node.
    pub(super) fn digests(&self) -> Result<Vec<String>, String> {
        (0..NODES)
            .map(|node| match self.admin(node, &["DEBUG", "DIGEST"])? {
                Frame::Simple(digest) | Frame::Bulk(digest) => {
                    Ok(String::from_utf8_lossy(&digest).into_owned())
                }
                other => Err(format!(
                    "DEBUG DIGEST on n{node} answered {}",
                    show_frame(&other)
                )),
            })
            .collect()
    }

    /// Kills every node at once (after a hang: the clients blocked on it get an error and end).
    pub(super) fn kill_all(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
    }
}
