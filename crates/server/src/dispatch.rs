//! [`execute`]: runs one command: lookup, the generic checks, the handler, then propagation of what it
//! changed (plus `DEL`s of keys it found expired) in the same critical section.

use std::sync::Arc;

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use replication::ReplicaLinkState;
use resp::Frame;

use crate::client::ClientState;
use crate::cmd::{self, Ctx, flags};
use crate::errors;
use crate::shared::{Shared, now_ms};
use crate::stats::Stats;

/// Runs `argv` for `client` and returns the reply.
pub fn execute(shared: &Arc<Shared>, client: &mut ClientState, argv: &[Bytes]) -> Frame {
    let Some(name) = argv.first() else {
        return Frame::Null;
    };
    let Some(spec) = cmd::lookup(name) else {
        return errors::unknown_command(name, &argv[1..]);
    };
    if !spec.arity_ok(argv.len()) {
        return errors::wrong_arity(spec.name);
    }
    if !client.authenticated && !spec.has(flags::NO_AUTH) {
        return errors::reply(errors::NOAUTH);
    }
    Stats::bump(&shared.stats.commands_processed);

    let (read_only, serve_stale) = {
        let config = shared.config();
        (config.replica_read_only, config.replica_serve_stale_data)
    };
    let mut core = shared.core();
    if !client.is_master_link
        && let Some(link) = core.master_link()
    {
        if spec.has(flags::WRITE) && read_only {
            return errors::reply(errors::READONLY);
        }
        if !serve_stale && link.state != ReplicaLinkState::Connected && !spec.has(flags::STALE) {
            return errors::reply(errors::MASTERDOWN);
        }
    }

    let policy = if client.is_master_link {
        ExpiryPolicy::Keep
    } else {
        core.client_expiry_policy()
    };
    let mut ctx = Ctx::new(&mut core, client, shared, now_ms(), policy);
    let reply = (spec.handler)(&mut ctx, argv);
    let commands = ctx.take_propagation();
    let db = client.db;

    // Keys found expired while running the command are deleted on the master, which tells its replicas:
    // their DELs come first, in the same unit as the command's own effects.
    let expired = core.keyspace.take_expired();
    if !expired.is_empty() {
        shared
            .stats
            .expired_keys
            .fetch_add(expired.len() as u64, std::sync::atomic::Ordering::Relaxed);
    }
    // A replica's own clients' writes (writable replica) stay local, and the master link's commands are fed
    // to sub-replicas as the exact bytes received, by the link itself.
    if core.is_replica() {
        return reply;
    }
    let mut unit: Vec<Vec<Bytes>> = Vec::with_capacity(expired.len() + commands.len());
    let mut fed = false;
    for (expired_db, key) in expired {
        let del = vec![Bytes::from_static(b"DEL"), key];
        if expired_db == db {
            unit.push(del);
        } else {
            fed |= core.propagate(expired_db, &[del]);
        }
    }
    unit.extend(commands);
    fed |= core.propagate(db, &unit);
    if fed {
        let offset = core.repl.offset();
        drop(core);
        shared.notify_stream(offset);
    }
    reply
}
