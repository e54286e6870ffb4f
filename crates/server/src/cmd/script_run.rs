//! Running one script: the host behind `redis.call`, the checks Redis makes before each call, replies
//! converted both ways, and the text of a failed script's error.

use std::sync::Arc;

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use lua::{LuaError, Reply, Value};
use replication::ReplicaLinkState;
use resp::Frame;

use crate::client::ClientState;
use crate::cmd::{self, Ctx, flags};
use crate::core::Core;
use crate::errors;
pub use crate::scripting::Invocation;
use crate::scripting::engine::Engine;
use crate::shared::Shared;

/// The error a killed script stops with (for `FUNCTION KILL` too, as in Redis).
const KILLED: &str = "ERR Script killed by user with SCRIPT KILL...";

/// How the script reaches the core.
pub enum Access<'a> {
    /// The caller holds the lock for the whole script (inside `EXEC`, or from the master's stream).
    Locked(&'a mut Core),
    /// The script runs outside the lock and takes it for each call (see `gate.rs`).
    PerCall(&'a Arc<Shared>),
}

/// What a script did.
#[derive(Debug)]
pub struct Outcome {
    /// The reply for the caller.
    pub reply: Frame,
    /// What its writes propagate, in order (fed as one unit, like a transaction).
    pub effects: Vec<(usize, Vec<Bytes>)>,
}

/// Runs a compiled script or function to completion.
pub fn run(
    shared: &Arc<Shared>,
    engine: &mut Engine,
    access: Access<'_>,
    invocation: &Invocation,
    now_ms: i64,
) -> Outcome {
    let Some((lua, function)) = engine.target(invocation.eval, &invocation.target) else {
        let text = if invocation.eval {
            errors::NOSCRIPT
        } else {
            "ERR Function not found"
        };
        return Outcome {
            reply: errors::reply(text),
            effects: Vec::new(),
        };
    };
    lua.set_resp(2);
    let keys = lua.array_of_strings(&invocation.keys);
    let args = lua.array_of_strings(&invocation.args);
    let call_args = if invocation.eval {
        lua.set_global("KEYS", keys);
        lua.set_global("ARGV", args);
        Vec::new()
    } else {
        vec![keys, args]
    };
    let mut client = ClientState::new(0, None, true);
    client.db = invocation.db;
    client.deny_blocking = true;
    client.is_script = true;
    let threshold = shared.config().busy_reply_threshold;
    let mut host = CallHost {
        access,
        state: CallState {
            shared,
            client,
            invocation,
            now_ms,
            wrote: false,
            effects: Vec::new(),
            threshold,
            per_call: false,
        },
    };
    host.state.per_call = matches!(host.access, Access::PerCall(_));
    let result = lua.call(&function, call_args, &mut host);
    let reply = match result {
        Ok(values) => reply_to_frame(lua.to_reply(values.first().unwrap_or(&Value::Nil))),
        Err(error) => failure_reply(
            &error,
            lua.last_error_location()
                .map(|location| (location.source.clone(), location.line)),
            &invocation.display_name,
        ),
    };
    Outcome {
        reply,
        effects: host.state.effects,
    }
}

/// The reply of a script that raised an error, in Redis's words: the error's text (`ERR ` added to a
/// plain message), then where it was raised.
fn failure_reply(error: &LuaError, position: Option<(String, u32)>, display_name: &str) -> Frame {
    let message = crate::scripting::engine::error_message(error);
    let message = message
        .trim_end_matches(['\r', '\n'])
        .replace(['\r', '\n'], " ");
    let text = match position {
        Some((source, line)) => format!("{message} script: {display_name}, on {source}:{line}."),
        None => message,
    };
    Frame::Error(Bytes::from(text))
}

/// The server as a script sees it.
struct CallHost<'a, 'b> {
    access: Access<'b>,
    state: CallState<'a>,
}

/// Everything about the running script but the way to the core.
struct CallState<'a> {
    shared: &'a Arc<Shared>,
    /// The script runs outside the core lock (see `gate.rs`).
    per_call: bool,
    /// The script's own client: its database (a script's `SELECT` stays in the script), never blocking.
    client: ClientState,
    invocation: &'a Invocation,
    /// The script's clock: keys do not expire halfway through a script.
    now_ms: i64,
    wrote: bool,
    effects: Vec<(usize, Vec<Bytes>)>,
    threshold: u64,
}

impl CallState<'_> {
    /// Redis's checks before a script's command runs; the error is the reply text.
    fn refuse(&self, core: &mut Core, spec: &cmd::CommandSpec, args: &[Bytes]) -> Option<String> {
        match cmd::check_subcommand(spec, args) {
            Err(cmd::SubcommandError::Unknown) => {
                return Some("ERR Unknown Redis command called from script".to_owned());
            }
            Err(cmd::SubcommandError::Arity(_)) => {
                return Some(
                    "ERR Wrong number of args calling Redis command from script".to_owned(),
                );
            }
            Ok(()) => {}
        }
        if !spec.arity_ok(args.len()) {
            return Some("ERR Wrong number of args calling Redis command from script".to_owned());
        }
        if spec.has(flags::NOSCRIPT) && !core.disable_deny_scripts {
            return Some("ERR This Redis command is not allowed from script".to_owned());
        }
        let serve_stale = self.shared.config().replica_serve_stale_data;
        if let Some(link) = core.master_link()
            && link.state != ReplicaLinkState::Connected
            && !serve_stale
            && !spec.has(flags::STALE)
        {
            return Some("ERR Can not execute the command on a stale replica".to_owned());
        }
        // The script runs as its caller's user; the master's scripts are not checked.
        if !self.invocation.from_master
            && let Err(denial) = core.acl.check(&self.invocation.user, args)
        {
            let (user, caller) = (&self.invocation.user, self.invocation.caller);
            let context = crate::acl::Context::Lua;
            crate::cmd::acl_log::log_denial(
                core,
                self.shared,
                &denial,
                context,
                user,
                args,
                caller,
            );
            return Some(format!("ERR {}", denial.script_error()));
        }
        let config = self.shared.config();
        if self.invocation.read_only && spec.has(flags::WRITE) {
            return Some("ERR Write commands are not allowed from read-only scripts.".to_owned());
        }
        if !spec.has(flags::WRITE) || self.wrote {
            return None;
        }
        if core.is_replica() && config.replica_read_only && !self.invocation.from_master {
            return Some(errors::READONLY.to_owned());
        }
        if config.min_replicas_to_write > 0
            && config.min_replicas_max_lag > 0
            && !core.is_replica()
            && core.replicas.good_count(config.min_replicas_max_lag)
                < config.min_replicas_to_write as usize
        {
            return Some(errors::NOREPLICAS.to_owned());
        }
        None
    }

    fn call_in(&mut self, core: &mut Core, args: &[Bytes]) -> Frame {
        let Some(spec) = cmd::lookup(&args[0]) else {
            return errors::reply("ERR Unknown Redis command called from script");
        };
        // A subcommand is checked with its own flags (`OBJECT ENCODING` may run, `CONFIG GET` may not).
        let spec = spec.resolve(args);
        if let Some(text) = self.refuse(core, spec, args) {
            return Frame::Error(Bytes::from(text));
        }
        if spec.has(flags::WRITE) {
            self.wrote = true;
            if self.per_call {
                self.shared.scripts.note_write();
            }
        }
        let policy = if self.invocation.from_master {
            ExpiryPolicy::Keep
        } else {
            core.client_expiry_policy()
        };
        let mut ctx = Ctx::new(core, &mut self.client, self.shared, self.now_ms, policy);
        let reply = cmd::call(&mut ctx, spec, args);
        self.effects.extend(ctx.take_propagation());
        reply
    }
}

impl lua::Host for CallHost<'_, '_> {
    fn call(&mut self, args: Vec<Bytes>, resp: u8) -> Reply {
        self.state.client.protocol = if resp == 3 {
            resp::Protocol::Resp3
        } else {
            resp::Protocol::Resp2
        };
        let frame = match &mut self.access {
            Access::Locked(core) => self.state.call_in(core, &args),
            Access::PerCall(shared) => self.state.call_in(&mut shared.core(), &args),
        };
        if resp == 3 {
            frame_to_reply(frame)
        } else {
            frame_to_reply(resp2_shape(frame))
        }
    }

    fn check_abort(&mut self) -> Option<String> {
        let state = &self.state;
        if state.shared.shutdown.is_cancelled() {
            return Some(KILLED.to_owned());
        }
        (state.per_call && state.shared.scripts.checkpoint(state.threshold))
            .then(|| KILLED.to_owned())
    }

    fn log(&mut self, level: i64, message: &[u8]) {
        crate::scripting::engine::log_from_script(level, message);
    }

    fn acl_check_cmd(&mut self, args: &[Bytes]) -> Option<bool> {
        // The master's scripts run with every permission, as Redis runs them without a user.
        let user = (!self.state.invocation.from_master).then_some(&self.state.invocation.user);
        match &mut self.access {
            Access::Locked(core) => core.acl.would_allow(user, args),
            Access::PerCall(shared) => shared.core().acl.would_allow(user, args),
        }
    }
}

/// A command's reply as the script's Lua sees it.
pub(crate) fn frame_to_reply(frame: Frame) -> Reply {
    match frame {
        Frame::Simple(text) => Reply::Status(text),
        Frame::Error(text) | Frame::BulkError(text) => Reply::Error(text),
        Frame::Integer(n) => Reply::Integer(n),
        Frame::Bulk(data) => Reply::Bulk(data),
        Frame::Null => Reply::Nil,
        Frame::NullArray => Reply::NilArray,
        Frame::Array(items) | Frame::Push(items) => {
            Reply::Array(items.into_iter().map(frame_to_reply).collect())
        }
        Frame::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(key, value)| (frame_to_reply(key), frame_to_reply(value)))
                .collect(),
        ),
        Frame::Set(items) => Reply::Set(items.into_iter().map(frame_to_reply).collect()),
        Frame::Double(value) => Reply::Double(value),
        Frame::Boolean(value) => Reply::Boolean(value),
        Frame::BigNumber(text) => Reply::BigNumber(text),
        Frame::Verbatim { format, text } => Reply::Verbatim { format, text },
    }
}

/// A reply as a RESP2 client receives it: maps and sets as arrays, doubles and big numbers as bulk strings,
/// booleans as integers, verbatim strings as their text.
fn resp2_shape(frame: Frame) -> Frame {
    match frame {
        Frame::Map(pairs) => Frame::Array(
            pairs
                .into_iter()
                .flat_map(|(key, value)| [resp2_shape(key), resp2_shape(value)])
                .collect(),
        ),
        Frame::Set(items) | Frame::Array(items) | Frame::Push(items) => {
            Frame::Array(items.into_iter().map(resp2_shape).collect())
        }
        Frame::Double(value) => Frame::Bulk(Bytes::from(resp::format_double(value))),
        Frame::BigNumber(text) => Frame::Bulk(text),
        Frame::Boolean(value) => Frame::Integer(i64::from(value)),
        Frame::Verbatim { text, .. } => Frame::Bulk(text),
        other => other,
    }
}

/// A script's result as the client gets it.
pub(crate) fn reply_to_frame(reply: Reply) -> Frame {
    match reply {
        Reply::Status(text) => Frame::Simple(text),
        Reply::Error(text) => Frame::Error(text),
        Reply::Integer(n) => Frame::Integer(n),
        Reply::Bulk(data) => Frame::Bulk(data),
        Reply::Nil => Frame::Null,
        Reply::NilArray => Frame::NullArray,
        Reply::Array(items) => Frame::Array(items.into_iter().map(reply_to_frame).collect()),
        Reply::Map(pairs) => Frame::Map(
            pairs
                .into_iter()
                .map(|(key, value)| (reply_to_frame(key), reply_to_frame(value)))
                .collect(),
        ),
        Reply::Set(items) => Frame::Set(items.into_iter().map(reply_to_frame).collect()),
        Reply::Double(value) => Frame::Double(value),
        Reply::Boolean(value) => Frame::Boolean(value),
        Reply::BigNumber(text) => Frame::BigNumber(text),
        Reply::Verbatim { format, text } => Frame::Verbatim { format, text },
    }
}
