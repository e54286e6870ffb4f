//! A keyspace and effect buffers to run handlers on, and short ways to build arguments and read what a
//! command recorded. Every handler call of the tests goes through [`Harness::run`].

use std::time::Duration;

use bytes::Bytes;
use keyspace::{ExpiryPolicy, Keyspace};
use resp::{Frame, Protocol};

use crate::{BlockRequest, Caller, DataCtx, Effects, Handler, Limits};

/// The fixed clock of a harness: 2026-01-01 (any fixed time would do).
pub const NOW_MS: i64 = 1_767_225_600_000;

/// 16 databases, effect buffers that record everything, a clock and a caller.
pub struct Harness {
    pub keyspace: Keyspace,
    pub effects: Effects,
    pub now_ms: i64,
    pub db: usize,
    pub protocol: Protocol,
    pub caller: Caller,
    pub limits: Limits,
    /// How expired keys are seen (a master's: deleted).
    pub policy: ExpiryPolicy,
    /// The dirty count of the last command.
    pub dirty: u64,
    /// What the last command propagated, each with its database.
    pub propagated: Vec<(usize, Vec<String>)>,
    /// The keys the last command touched for `WATCH`, with their databases.
    pub touched: Vec<(usize, String)>,
    /// The keys the last command signalled ready, with their databases.
    pub ready: Vec<(usize, String)>,
    /// The last command's request to block its client.
    pub block: Option<BlockRequest>,
}

impl Harness {
    /// An empty keyspace, RESP2, an ordinary client that may block.
    pub fn new() -> Harness {
        Harness {
            keyspace: Keyspace::new(16),
            effects: Effects::new(),
            now_ms: NOW_MS,
            db: 0,
            protocol: Protocol::Resp2,
            caller: Caller {
                may_block: true,
                ..Caller::default()
            },
            limits: Limits::default(),
            policy: ExpiryPolicy::Delete,
            dirty: 0,
            propagated: Vec::new(),
            touched: Vec::new(),
            ready: Vec::new(),
            block: None,
        }
    }

    /// Runs `handler` on `args` (`args[0]` is the command's name) and collects what it recorded.
    pub fn run(&mut self, handler: Handler, args: &[&str]) -> Frame {
        self.run_raw(handler, argv(args))
    }

    /// [`Harness::run`] with arguments that need not be text.
    pub fn run_raw(&mut self, handler: Handler, argv: Vec<Bytes>) -> Frame {
        self.effects.configure(true, true);
        let mut ctx = DataCtx::new(
            &mut self.keyspace,
            &mut self.effects,
            self.db,
            self.now_ms,
            self.policy,
        );
        ctx.protocol = self.protocol;
        ctx.caller = self.caller;
        ctx.limits = self.limits;
        let reply = handler(&mut ctx, &argv).unwrap_or_else(|error| error);
        self.collect();
        reply
    }

    /// Offers `key` to a blocked client's operation (as the server does once the key is signalled ready).
    pub fn serve(&mut self, request: &mut BlockRequest, key: &str) -> Option<Frame> {
        self.effects.configure(true, true);
        let mut ctx = DataCtx::new(
            &mut self.keyspace,
            &mut self.effects,
            self.db,
            self.now_ms,
            ExpiryPolicy::Delete,
        );
        ctx.protocol = self.protocol;
        let served = request
            .op
            .serve(&mut ctx, &Bytes::copy_from_slice(key.as_bytes()));
        self.collect();
        served
    }

    /// Runs several commands, expecting none to fail; returns the last reply.
    pub fn setup(&mut self, commands: &[(Handler, &[&str])]) -> Frame {
        let mut last = Frame::Null;
        for (handler, args) in commands {
            last = self.run(*handler, args);
            assert!(!matches!(last, Frame::Error(_)), "{args:?}: {last:?}");
        }
        last
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, by: Duration) {
        self.now_ms += by.as_millis() as i64;
    }

    fn collect(&mut self) {
        self.dirty = self.effects.take_dirty();
        self.propagated = self
            .effects
            .take_propagation()
            .into_iter()
            .map(|(db, command)| (db, command.iter().map(text).collect()))
            .collect();
        self.touched = self
            .effects
            .drain_touched()
            .map(|(db, key)| (db, text(&key)))
            .collect();
        self.ready = self
            .effects
            .drain_ready()
            .map(|(db, key)| (db, text(&key)))
            .collect();
        self.effects.take_touched_explicitly();
        self.block = self.effects.take_block();
    }

    /// The commands the last command propagated, as words (their databases left out).
    pub fn propagated_words(&self) -> Vec<Vec<String>> {
        self.propagated
            .iter()
            .map(|(_, words)| words.clone())
            .collect()
    }
}

/// Arguments as the server passes them.
pub fn argv(args: &[&str]) -> Vec<Bytes> {
    args.iter()
        .map(|arg| Bytes::copy_from_slice(arg.as_bytes()))
        .collect()
}

fn text(bytes: &Bytes) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A bulk reply.
pub fn bulk(text: &str) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

/// An error reply with exactly `text`.
pub fn error(text: &str) -> Frame {
    Frame::Error(Bytes::copy_from_slice(text.as_bytes()))
}

/// An array of bulk replies.
pub fn bulks(items: &[&str]) -> Frame {
    Frame::Array(items.iter().map(|item| bulk(item)).collect())
}

/// Words of a propagated command, for comparing.
pub fn words(line: &str) -> Vec<String> {
    line.split(' ').map(str::to_owned).collect()
}

/// Redis's WRONGTYPE error.
pub fn wrongtype() -> Frame {
    error("WRONGTYPE Operation against a key holding the wrong kind of value")
}
