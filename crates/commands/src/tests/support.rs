//! A keyspace and effect buffers to run handlers on, and short ways to build arguments and read what a
//! command recorded. Every handler call of the tests goes through [`Harness::run_raw`] (which
//! [`Harness::run`] and [`Harness::setup`] use), so a change of the handler signature touches one function.

use std::time::Duration;

use bytes::Bytes;
use keyspace::{ExpiryPolicy, Keyspace};
use resp::{Frame, Protocol};

use crate::{BlockRequest, Caller, DataCtx, Effects, Handler, Limits};

/// The fixed clock of a harness: 2026-01-01 (any fixed time would do).
pub const NOW_MS: i64 = 1_767_225_600_000;

/// 16 databases, effect buffers that record everything, a clock and a caller; after each command, what it
/// recorded.
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
    /// The keys the last command touched for `WATCH` itself, with their databases.
    pub touched: Vec<(usize, String)>,
    /// Whether the last command reported the keys it modified itself (else the server touches its key
    /// positions).
    pub touched_explicitly: bool,
    /// The keys the last command signalled ready, with their databases.
    pub ready: Vec<(usize, String)>,
    /// The keys found expired and deleted while the last command ran (the server propagates a `DEL` each).
    pub expired: Vec<(usize, String)>,
    /// The last command's request to block its client.
    pub block: Option<BlockRequest>,
}

impl Harness {
    /// An empty keyspace, RESP2, database 0, an ordinary client of a master that may block.
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
            touched_explicitly: false,
            ready: Vec::new(),
            expired: Vec::new(),
            block: None,
        }
    }

    /// Runs `handler` on `args` (`args[0]` is the command's name) and collects what it recorded.
    pub fn run(&mut self, handler: Handler, args: &[&str]) -> Frame {
        self.run_raw(handler, argv(args))
    }

    /// [`Harness::run`] with arguments that need not be text. The one place that calls a handler: an error
    /// reply (`Err`) comes back as the frame the client would get.
    pub fn run_raw(&mut self, handler: Handler, argv: Vec<Bytes>) -> Frame {
        self.on_ctx(|ctx| handler(ctx, &argv).unwrap_or_else(|error| error))
    }

    /// Offers `key` to a blocked client's operation (as the server does once the key is signalled ready),
    /// with this harness's database, clock, protocol and caller; collects what serving recorded.
    pub fn serve(&mut self, request: &mut BlockRequest, key: &str) -> Option<Frame> {
        let key = Bytes::copy_from_slice(key.as_bytes());
        self.on_ctx(|ctx| request.op.serve(ctx, &key))
    }

    /// Runs `run` on a context over this harness's keyspace, database, clock, protocol, caller and limits,
    /// recording everything, then collects what it recorded.
    fn on_ctx<T>(&mut self, run: impl FnOnce(&mut DataCtx<'_>) -> T) -> T {
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
        let outcome = run(&mut ctx);
        self.collect();
        outcome
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

    /// The last command's request to block, which it must have made.
    pub fn take_block(&mut self) -> BlockRequest {
        self.block
            .take()
            .expect("the command asked to block its client")
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, by: Duration) {
        self.now_ms += i64::try_from(by.as_millis()).expect("a test's time step fits");
    }

    /// Replies in RESP3 from now on (`HELLO 3`).
    pub fn resp3(&mut self) {
        self.protocol = Protocol::Resp3;
    }

    /// Runs commands as a client of a (writable) replica. The expiry policy stays: the server runs a
    /// replica client's writes with `Delete` and only its reads with `Hide` (set [`Harness::policy`]).
    pub fn replica_server(&mut self) {
        self.caller.server_is_replica = true;
    }

    /// Runs commands from our master's stream: on a replica, nothing blocks and expiry is the master's.
    pub fn master_link(&mut self) {
        self.caller.server_is_replica = true;
        self.caller.from_master = true;
        self.caller.may_block = false;
        self.policy = ExpiryPolicy::Keep;
    }

    /// Runs commands from a script (`redis.call`), where nothing blocks.
    pub fn in_script(&mut self) {
        self.caller.in_script = true;
        self.caller.may_block = false;
    }

    /// Runs commands where a client may not block (inside `EXEC`): blocking commands answer as a timeout.
    pub fn deny_blocking(&mut self) {
        self.caller.may_block = false;
    }

    /// The commands the last command propagated, as words (their databases left out).
    pub fn propagated_words(&self) -> Vec<Vec<String>> {
        self.propagated
            .iter()
            .map(|(_, words)| words.clone())
            .collect()
    }

    /// Asserts the last command propagated nothing and counted no change (a read, or a write that did
    /// nothing).
    #[track_caller]
    pub fn assert_no_change(&self) {
        assert!(
            self.propagated.is_empty(),
            "propagated {:?}",
            self.propagated
        );
        assert_eq!(self.dirty, 0, "dirty count");
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
        self.touched_explicitly = self.effects.take_touched_explicitly();
        self.expired = self
            .keyspace
            .take_expired()
            .into_iter()
            .map(|(db, key)| (db, text(&key)))
            .collect();
        self.block = self.effects.take_block();
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

/// An integer reply.
pub fn int(value: i64) -> Frame {
    Frame::Integer(value)
}

/// An error reply with exactly `text`.
pub fn error(text: &str) -> Frame {
    Frame::Error(Bytes::copy_from_slice(text.as_bytes()))
}

/// An array of bulk replies.
pub fn bulks(items: &[&str]) -> Frame {
    Frame::Array(items.iter().map(|item| bulk(item)).collect())
}

/// `(db, key)` pairs as the harness records touched, ready and expired keys.
pub fn keys_in(db: usize, keys: &[&str]) -> Vec<(usize, String)> {
    keys.iter().map(|key| (db, (*key).to_owned())).collect()
}

/// Words of a propagated command, for comparing.
pub fn words(line: &str) -> Vec<String> {
    line.split(' ').map(str::to_owned).collect()
}

/// The texts of the bulk strings in an array, a set or a map's flattened pairs, sorted (for replies in no
/// particular order).
pub fn sorted_texts(frame: Frame) -> Vec<String> {
    let items = match frame {
        Frame::Array(items) | Frame::Set(items) => items,
        Frame::Map(pairs) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        other => panic!("an array, a set or a map: {other:?}"),
    };
    let mut texts: Vec<String> = items
        .into_iter()
        .map(|item| match item {
            Frame::Bulk(bytes) => text(&bytes),
            other => panic!("a bulk string: {other:?}"),
        })
        .collect();
    texts.sort();
    texts
}

/// `ERR value is not an integer or out of range`
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";

/// `ERR syntax error`
pub const SYNTAX: &str = "ERR syntax error";

/// Redis's WRONGTYPE error.
pub fn wrongtype() -> Frame {
    error("WRONGTYPE Operation against a key holding the wrong kind of value")
}
