//! LMOVE, RPOPLPUSH, LMPOP and the blocking list pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.
//!
//! `LMPOP`/`BLMPOP` pop up to `COUNT` elements from the first non-empty list of their keys (a key of another type
//! met first answers WRONGTYPE), reply `[key, [elements]]`, and propagate as `LPOP key n` / `RPOP key n` with
//! the number actually popped, whether served at once or after blocking.
//!
//! A blocking pop that finds an element runs as its non-blocking form and propagates as one (`BLPOP k 1` sends
//! `LPOP k`, `BLMOVE` sends `LMOVE` with the client's direction words, `BRPOPLPUSH` sends `RPOPLPUSH`). One that
//! finds nothing blocks ([`DataCtx::block`]) with a [`BlockedOp`] that a later push serves: then the pop is
//! propagated in the form Redis's `serveClientBlockedOnList` uses (`LPOP k`, `RPOP k`, `RPOPLPUSH s d`, or
//! `LMOVE s d left right` with lower-case directions). Inside `EXEC` and from the master link nothing
//! blocks: empty keys answer as a timeout would.

use bytes::Bytes;
use keyspace::types::list::{End, List};
use keyspace::{Entry, Value};
use resp::Frame;

use super::{delete_if_empty, list_mut};
use crate::Reply;
use crate::blocking::{BlockedOp, parse_multi_pop, parse_timeout};
use crate::errors;
use crate::{DataCtx, is, owned};

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
pub fn lmove(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (from, to) = match (parse_end(&argv[3]), parse_end(&argv[4])) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };
    Ok(match move_element(ctx, &argv[1], &argv[2], from, to) {
        Err(error) => error,
        Ok(None) => Frame::Null,
        Ok(Some(element)) => {
            ctx.propagate_verbatim(argv);
            Frame::Bulk(element)
        }
    })
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn lmpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(multi_pop(ctx, &argv[1..], None))
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn blmpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match parse_timeout(&argv[1]) {
        Ok(timeout) => multi_pop(ctx, &argv[2..], Some(timeout)),
        Err(error) => error,
    })
}

/// The shared body of LMPOP (`timeout` `None`: never blocks) and BLMPOP.
fn multi_pop(
    ctx: &mut DataCtx<'_>,
    args: &[Bytes],
    timeout: Option<Option<std::time::Duration>>,
) -> Frame {
    let parsed = match parse_multi_pop(args) {
        Ok(parsed) => parsed,
        Err(error) => return error,
    };
    let end = match parse_end(parsed.where_arg) {
        Ok(end) => end,
        Err(error) => return error,
    };
    let count = parsed.count;
    ctx.pop_first_or_block(
        parsed.keys,
        timeout,
        |ctx, key| pop_many_one(ctx, key, end, count),
        || Box::new(BlockedMultiPop { end, count }),
    )
}

/// Pops up to `count` elements of the list at `key`, propagating `LPOP key n` / `RPOP key n`; the reply is
/// `[key, [elements]]`. `Ok(None)` when the key holds no list.
fn pop_many_one(
    ctx: &mut DataCtx<'_>,
    key: &Bytes,
    end: End,
    count: u64,
) -> Result<Option<Frame>, Frame> {
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let Some(list) = list_mut(ctx, key)? else {
        return Ok(None);
    };
    let elements = list.pop_many(end, count);
    if elements.is_empty() {
        return Ok(None);
    }
    let popped = elements.len();
    delete_if_empty(ctx, key);
    ctx.touch(key);
    ctx.propagate(vec![
        pop_name(end),
        key.clone(),
        Bytes::from(popped.to_string()),
    ]);
    ctx.add_dirty(popped as u64 - 1);
    Ok(Some(Frame::Array(vec![
        Frame::Bulk(key.clone()),
        Frame::Array(elements.into_iter().map(Frame::Bulk).collect()),
    ])))
}

/// `RPOPLPUSH source destination`
pub fn rpoplpush(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(
        match move_element(ctx, &argv[1], &argv[2], End::Tail, End::Head) {
            Err(error) => error,
            Ok(None) => Frame::Null,
            Ok(Some(element)) => {
                ctx.propagate_verbatim(argv);
                Frame::Bulk(element)
            }
        },
    )
}

/// `BLPOP key [key ...] timeout`
pub fn blpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(blocking_pop(ctx, argv, End::Head))
}

/// `BRPOP key [key ...] timeout`
pub fn brpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(blocking_pop(ctx, argv, End::Tail))
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
pub fn blmove(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let parsed = parse_end(&argv[3]).and_then(|from| {
        let to = parse_end(&argv[4])?;
        Ok((from, to, parse_timeout(&argv[5])?))
    });
    let (from, to, timeout) = parsed?;
    let rewritten = || {
        let mut args = vec![Bytes::from_static(b"LMOVE")];
        args.extend(argv[1..5].iter().cloned());
        args
    };
    Ok(blocking_move(
        ctx, argv, from, to, timeout, rewritten, false,
    ))
}

/// `BRPOPLPUSH source destination timeout`
pub fn brpoplpush(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let timeout = parse_timeout(&argv[3])?;
    let rewritten = || {
        vec![
            Bytes::from_static(b"RPOPLPUSH"),
            argv[1].clone(),
            argv[2].clone(),
        ]
    };
    Ok(blocking_move(
        ctx,
        argv,
        End::Tail,
        End::Head,
        timeout,
        rewritten,
        true,
    ))
}

fn parse_end(arg: &[u8]) -> Result<End, Frame> {
    if is(arg, "right") {
        Ok(End::Tail)
    } else if is(arg, "left") {
        Ok(End::Head)
    } else {
        Err(errors::reply(errors::SYNTAX))
    }
}

fn pop_name(end: End) -> Bytes {
    Bytes::from_static(match end {
        End::Head => b"LPOP",
        End::Tail => b"RPOP",
    })
}

fn end_name(end: End) -> Bytes {
    Bytes::from_static(match end {
        End::Head => b"left",
        End::Tail => b"right",
    })
}

/// Moves one element from `source` to `destination` (the same list may be both: a rotation). `Ok(None)` when
/// `source` is missing; a destination of another type is refused before anything changes.
fn move_element(
    ctx: &mut DataCtx<'_>,
    source: &Bytes,
    destination: &Bytes,
    from: End,
    to: End,
) -> Result<Option<Bytes>, Frame> {
    if list_mut(ctx, source)?.is_none() {
        return Ok(None);
    }
    if source != destination {
        list_mut(ctx, destination)?;
    }
    let Some(list) = list_mut(ctx, source)? else {
        return Ok(None);
    };
    let Some(element) = list.pop(from) else {
        return Ok(None);
    };
    if source == destination {
        list.push(to, element.clone());
        return Ok(Some(element));
    }
    delete_if_empty(ctx, source);
    match list_mut(ctx, destination)? {
        Some(list) => list.push(to, element.clone()),
        None => {
            let mut list = List::new();
            list.push(to, element.clone());
            ctx.db()
                .insert(destination, Entry::new(Value::List(Box::new(list))));
            ctx.signal_key_ready(destination);
        }
    }
    Ok(Some(element))
}

fn blocking_pop(ctx: &mut DataCtx<'_>, argv: &[Bytes], end: End) -> Frame {
    let Some((timeout_arg, keys)) = argv[1..].split_last() else {
        return errors::wrong_arity(&String::from_utf8_lossy(&argv[0]));
    };
    let timeout = match parse_timeout(timeout_arg) {
        Ok(timeout) => timeout,
        Err(error) => return error,
    };
    ctx.pop_first_or_block(
        keys,
        Some(timeout),
        |ctx, key| pop_one(ctx, key, end),
        || Box::new(BlockedPop { end }),
    )
}

/// Pops one element of the list at `key` and propagates `LPOP key` / `RPOP key`; the reply is `[key, element]`.
/// `Ok(None)` when the key holds no list.
fn pop_one(ctx: &mut DataCtx<'_>, key: &Bytes, end: End) -> Result<Option<Frame>, Frame> {
    let Some(element) = list_mut(ctx, key)?.and_then(|list| list.pop(end)) else {
        return Ok(None);
    };
    delete_if_empty(ctx, key);
    // Only the popped key changed (the generic touch would take every key argument).
    ctx.touch(key);
    ctx.propagate(vec![pop_name(end), key.clone()]);
    Ok(Some(Frame::Array(vec![
        Frame::Bulk(key.clone()),
        Frame::Bulk(element),
    ])))
}

fn blocking_move(
    ctx: &mut DataCtx<'_>,
    argv: &[Bytes],
    from: End,
    to: End,
    timeout: Option<std::time::Duration>,
    rewritten: impl FnOnce() -> Vec<Bytes>,
    rpoplpush: bool,
) -> Frame {
    match move_element(ctx, &argv[1], &argv[2], from, to) {
        Err(error) => error,
        Ok(Some(element)) => {
            ctx.propagate(rewritten());
            Frame::Bulk(element)
        }
        Ok(None) if !ctx.may_block() => Frame::Null,
        Ok(None) => {
            let op = BlockedMove {
                destination: owned(&argv[2]),
                from,
                to,
                rpoplpush,
            };
            ctx.block(vec![owned(&argv[1])], timeout, Box::new(op));
            Frame::Null
        }
    }
}

/// A `BLPOP`/`BRPOP` waiting for any of its keys.
#[derive(Debug)]
struct BlockedPop {
    end: End,
}

impl BlockedOp for BlockedPop {
    fn serve(&mut self, ctx: &mut DataCtx<'_>, key: &Bytes) -> Option<Frame> {
        // Another type under the key (a SET after a DEL in one transaction): keep waiting, as Redis does.
        pop_one(ctx, key, self.end).ok().flatten()
    }

    fn timeout_reply(&self) -> Frame {
        Frame::NullArray
    }
}

/// A `BLMPOP` waiting for any of its keys.
#[derive(Debug)]
struct BlockedMultiPop {
    end: End,
    count: u64,
}

impl BlockedOp for BlockedMultiPop {
    fn serve(&mut self, ctx: &mut DataCtx<'_>, key: &Bytes) -> Option<Frame> {
        pop_many_one(ctx, key, self.end, self.count).ok().flatten()
    }

    fn timeout_reply(&self) -> Frame {
        Frame::NullArray
    }
}

/// A `BLMOVE`/`BRPOPLPUSH` waiting for its source.
#[derive(Debug)]
struct BlockedMove {
    destination: Bytes,
    from: End,
    to: End,
    rpoplpush: bool,
}

impl BlockedOp for BlockedMove {
    fn serve(&mut self, ctx: &mut DataCtx<'_>, key: &Bytes) -> Option<Frame> {
        if !matches!(list_mut(ctx, key), Ok(Some(_))) {
            return None;
        }
        // A destination of another type ends the wait with WRONGTYPE and leaves the source alone.
        let element = match move_element(ctx, key, &self.destination, self.from, self.to) {
            Err(error) => return Some(error),
            Ok(element) => element?,
        };
        let propagated = if self.rpoplpush {
            vec![
                Bytes::from_static(b"RPOPLPUSH"),
                key.clone(),
                self.destination.clone(),
            ]
        } else {
            vec![
                Bytes::from_static(b"LMOVE"),
                key.clone(),
                self.destination.clone(),
                end_name(self.from),
                end_name(self.to),
            ]
        };
        ctx.propagate(propagated);
        Some(Frame::Bulk(element))
    }

    /// Redis answers every list wait that times out with a null array, BLMOVE too (`*-1` in RESP2), while a
    /// BLMOVE that may not block answers a null bulk.
    fn timeout_reply(&self) -> Frame {
        Frame::NullArray
    }
}
