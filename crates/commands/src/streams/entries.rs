//! Entry commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID.

use bytes::Bytes;
use keyspace::types::stream::{LISTPACK_MAX_SIZE, StreamId, Trim, TrimStrategy};
use resp::Frame;

use super::{
    DataCtx, INVALID_ID, entries_frame, id_frame, node_limits, parse_id, parse_long,
    parse_strict_id, read, write, write_or_create,
};
use crate::Reply;
use crate::errors;
use crate::{is, owned};

/// What `XADD` / `XTRIM` options said.
struct AddTrimArgs {
    /// The ID argument for XADD (None = `*`), with whether its sequence was given (`<ms>-*` not).
    id: Option<(StreamId, bool)>,
    no_mkstream: bool,
    trim: Option<Trim>,
    /// Index of the MAXLEN/MINID threshold argument, rewritten when a `~` trim is propagated.
    trim_arg: usize,
    /// Index of the ID argument (XADD), or where parsing stopped.
    end: usize,
}

/// Redis's `streamParseAddOrTrimArgsOrReply`.
fn parse_add_trim(ctx: &DataCtx<'_>, argv: &[Bytes], xadd: bool) -> Result<AddTrimArgs, Frame> {
    let mut parsed = AddTrimArgs {
        id: None,
        no_mkstream: false,
        trim: None,
        trim_arg: 0,
        end: argv.len(),
    };
    let mut strategy: Option<TrimStrategy> = None;
    let mut approx = false;
    let mut limit: Option<i64> = None;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i][..];
        if xadd && opt == b"*" {
            break;
        } else if (is(opt, "maxlen") || is(opt, "minid")) && more > 0 {
            if strategy.is_some() {
                return Err(errors::reply(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            approx = false;
            let next = &argv[i + 1][..];
            if more >= 2 && next == b"~" {
                approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let value = &argv[i + 1];
            strategy = Some(if is(opt, "maxlen") {
                let max = parse_long(value)?;
                if max < 0 {
                    return Err(errors::reply("ERR The MAXLEN argument must be >= 0."));
                }
                TrimStrategy::MaxLen(max as u64)
            } else {
                TrimStrategy::MinId(parse_strict_id(value)?)
            });
            i += 1;
            parsed.trim_arg = i;
        } else if is(opt, "limit") && more > 0 {
            let value = parse_long(&argv[i + 1])?;
            if value < 0 {
                return Err(errors::reply("ERR The LIMIT argument must be >= 0."));
            }
            limit = Some(value);
            i += 1;
        } else if xadd && is(opt, "nomkstream") {
            parsed.no_mkstream = true;
        } else if xadd {
            parsed.id = Some(parse_add_id(opt)?);
            break;
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        i += 1;
    }
    parsed.end = i;
    if limit.is_some_and(|l| l != 0) && strategy.is_none() {
        return Err(errors::reply(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    let Some(strategy) = strategy else {
        if !xadd {
            return Err(errors::reply(
                "ERR syntax error, XTRIM must be called with a trimming strategy",
            ));
        }
        // `XADD k LIMIT 0 * f v`: a zero LIMIT passes the check above, then meets Redis's check that LIMIT
        // comes with `~` (never for the master's stream, whose trims are exact).
        if limit.is_some() && !ctx.caller.from_master {
            return Err(errors::reply(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
        return Ok(parsed);
    };
    let limit = if ctx.caller.from_master {
        // A master's trims are exact effects: never stop early on a limit.
        0
    } else if let Some(given) = limit {
        if !approx {
            return Err(errors::reply(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
        given as u64
    } else if approx {
        // At most 100 nodes' worth per call, as Redis bounds the work of an approximate trim.
        let per_node = ctx.limits.stream_node_max_entries;
        match per_node.saturating_mul(100) {
            limit if limit <= 0 => 10_000,
            limit => limit.min(1_000_000) as u64,
        }
    } else {
        0
    };
    parsed.trim = Some(Trim {
        strategy,
        approx,
        limit,
    });
    Ok(parsed)
}

/// XADD's ID argument: `<ms>-<seq>`, `<ms>` (sequence 0) or `<ms>-*` (sequence chosen); the flag says
/// whether the sequence was given.
fn parse_add_id(arg: &[u8]) -> Result<(StreamId, bool), Frame> {
    if let Some(ms) = arg.strip_suffix(b"-*") {
        if arg.len() > 127 || ms.contains(&b'-') {
            return Err(errors::reply(INVALID_ID));
        }
        let id = StreamId::parse(ms, 0).map_err(|_| errors::reply(INVALID_ID))?;
        return Ok((id, false));
    }
    Ok((parse_strict_id(arg)?, true))
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]`
pub fn xadd(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let parsed = parse_add_trim(ctx, argv, true)?;
    let id_pos = parsed.end;
    let field_pos = id_pos + 1;
    let field_count = argv.len().saturating_sub(field_pos);
    if field_count < 2 || field_count % 2 == 1 {
        return Err(errors::wrong_arity("xadd"));
    }
    if let Some((id, true)) = parsed.id
        && id == StreamId::MIN
    {
        return Err(errors::reply(
            "ERR The ID specified in XADD must be greater than 0-0",
        ));
    }
    let key = &argv[1];
    let found = read(ctx, key)?;
    let exists = found.is_some();
    if !exists && parsed.no_mkstream {
        return Ok(Frame::Null);
    }
    let limits = node_limits(ctx);
    let now = u64::try_from(ctx.now_ms).unwrap_or(0);
    let stream = write_or_create(ctx, key)?;
    if stream.last_id() == StreamId::MAX {
        return Err(errors::reply(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let id = match parsed.id {
        None => stream.next_auto_id(now),
        Some((id, true)) => Some(id),
        Some((id, false)) if stream.last_id().ms == id.ms => {
            if stream.last_id().seq == u64::MAX {
                // Redis reports the exhausted sequence with this (unrelated) text.
                drop_if_empty(ctx, key);
                return Err(errors::reply("ERR Elements are too large to be stored"));
            }
            stream.last_id().next()
        }
        Some((id, false)) => Some(id),
    };
    let too_small =
        "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    let Some(id) = id.filter(|id| *id > stream.last_id()) else {
        drop_if_empty(ctx, key);
        return Err(errors::reply(too_small));
    };
    let fields: Vec<Bytes> = argv[field_pos..].iter().map(owned).collect();
    if fields.iter().map(Bytes::len).sum::<usize>() > LISTPACK_MAX_SIZE {
        drop_if_empty(ctx, key);
        return Err(errors::reply("ERR Elements are too large to be stored"));
    }
    stream.append(id, fields, limits);
    let mut propagated = argv.to_vec();
    if let Some(trim) = parsed.trim {
        stream.trim(trim);
        if trim.approx {
            propagated[parsed.trim_arg - 1] = Bytes::from_static(b"=");
            propagated[parsed.trim_arg] = trim_threshold(stream, trim.strategy);
        }
    }
    if !matches!(parsed.id, Some((_, true))) {
        propagated[id_pos] = Bytes::from(id.to_string());
    }
    ctx.propagate(propagated);
    ctx.signal_key_ready(key);
    Ok(id_frame(id))
}

/// Removes a stream XADD created and then could not add to (Redis creates it only once the ID is known
/// good; here the order differs, so undo it).
fn drop_if_empty(ctx: &mut DataCtx<'_>, key: &[u8]) {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let created_now = matches!(
        db.get(key, now, policy).map(|entry| &entry.value),
        Some(keyspace::Value::Stream(stream))
            if stream.is_empty() && stream.last_id() == StreamId::MIN && stream.groups().is_empty()
    );
    if created_now {
        db.remove(key);
    }
}

/// What a `~` trim propagates as its exact threshold: the length left (MAXLEN) or the first ID left,
/// tombstones included (MINID).
fn trim_threshold(stream: &keyspace::types::stream::Stream, strategy: TrimStrategy) -> Bytes {
    match strategy {
        TrimStrategy::MaxLen(_) => Bytes::from(stream.len().to_string()),
        TrimStrategy::MinId(_) => {
            let first = stream
                .nodes()
                .next()
                .and_then(|(_, node)| node.entries().first().map(|entry| entry.id))
                .unwrap_or(StreamId::MAX);
            Bytes::from(first.to_string())
        }
    }
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`
pub fn xtrim(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let parsed = parse_add_trim(ctx, argv, false)?;
    let Some(trim) = parsed.trim else {
        return Err(errors::reply(errors::SYNTAX));
    };
    let stream = match write(ctx, &argv[1])? {
        Some(stream) => stream,
        None => return Ok(Frame::Integer(0)),
    };
    let deleted = stream.trim(trim);
    if deleted > 0 {
        let mut propagated = argv.to_vec();
        if trim.approx {
            propagated[parsed.trim_arg - 1] = Bytes::from_static(b"=");
            propagated[parsed.trim_arg] = trim_threshold(stream, trim.strategy);
        }
        ctx.propagate(propagated);
        ctx.add_dirty(deleted - 1);
    }
    Ok(Frame::Integer(deleted as i64))
}

/// An interval bound of XRANGE / XPENDING: `(` excludes it (strict ID then), `-`/`+` and `<ms>` allowed.
pub(super) fn parse_bound(arg: &[u8], start: bool) -> Result<StreamId, Frame> {
    let missing_seq = if start { 0 } else { u64::MAX };
    if arg.len() > 1 && arg[0] == b'(' {
        let id = parse_id(&arg[1..], missing_seq, true)?;
        let moved = if start { id.next() } else { id.prev() };
        return moved.ok_or_else(|| {
            errors::reply(if start {
                "ERR invalid start ID for the interval"
            } else {
                "ERR invalid end ID for the interval"
            })
        });
    }
    parse_id(arg, missing_seq, false)
}

/// `XRANGE key start end [COUNT count]`
pub fn xrange(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(range(ctx, argv, false))
}

/// `XREVRANGE key end start [COUNT count]`
pub fn xrevrange(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(range(ctx, argv, true))
}

fn range(ctx: &mut DataCtx<'_>, argv: &[Bytes], rev: bool) -> Frame {
    let (start_arg, end_arg) = if rev {
        (&argv[3], &argv[2])
    } else {
        (&argv[2], &argv[3])
    };
    let start = match parse_bound(start_arg, true) {
        Ok(id) => id,
        Err(error) => return error,
    };
    let end = match parse_bound(end_arg, false) {
        Ok(id) => id,
        Err(error) => return error,
    };
    let mut count: Option<usize> = None;
    let mut i = 4;
    while i < argv.len() {
        if is(&argv[i], "count") && i + 1 < argv.len() {
            match parse_long(&argv[i + 1]) {
                Ok(n) => count = Some(usize::try_from(n).unwrap_or(0)),
                Err(error) => return error,
            }
            i += 2;
        } else {
            return errors::reply(errors::SYNTAX);
        }
    }
    let stream = match read(ctx, &argv[1]) {
        Ok(Some(stream)) => stream,
        Ok(None) => return Frame::Array(Vec::new()),
        Err(error) => return error,
    };
    if count == Some(0) {
        return Frame::NullArray;
    }
    entries_frame(&stream.range(start, end, rev, count))
}

/// `XLEN key`
pub fn xlen(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(Some(stream)) => Frame::Integer(stream.len() as i64),
        Ok(None) => Frame::Integer(0),
        Err(error) => error,
    })
}

/// `XDEL key id [id ...]`
pub fn xdel(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    // Redis looks the key up first: a missing key answers 0 even for IDs that do not parse.
    match read(ctx, &argv[1])? {
        Some(_) => {}
        None => return Ok(Frame::Integer(0)),
    }
    let mut ids = Vec::with_capacity(argv.len() - 2);
    for arg in &argv[2..] {
        ids.push(parse_strict_id(arg)?);
    }
    let Ok(Some(stream)) = write(ctx, &argv[1]) else {
        return Ok(Frame::Integer(0));
    };
    let deleted = stream.delete(&ids);
    if deleted > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(deleted - 1);
    }
    Ok(Frame::Integer(deleted as i64))
}

/// `XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]`
pub fn xsetid(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let id = parse_strict_id(&argv[2])?;
    let mut entries_added: Option<u64> = None;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if is(&argv[i], "entriesadded") && more > 0 {
            match parse_long(&argv[i + 1]) {
                Ok(n) if n < 0 => return Err(errors::reply("ERR entries_added must be positive")),
                Ok(n) => entries_added = Some(n as u64),
                Err(error) => return Err(error),
            }
        } else if is(&argv[i], "maxdeletedid") && more > 0 {
            match parse_strict_id(&argv[i + 1]) {
                Ok(given) if id < given => {
                    return Err(errors::reply(
                        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    ));
                }
                Ok(given) => max_deleted = given,
                Err(error) => return Err(error),
            }
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        i += 2;
    }
    let stream = match write(ctx, &argv[1])? {
        Some(stream) => stream,
        None => return Err(errors::reply(errors::NO_SUCH_KEY)),
    };
    if !stream.is_empty() {
        let top = stream.edge(false).map_or(StreamId::MIN, |(top, _)| top);
        if id < top {
            return Err(errors::reply(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added.is_some_and(|added| stream.len() > added) {
            return Err(errors::reply(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    let added = entries_added.unwrap_or(stream.entries_added());
    let max_deleted = if max_deleted == StreamId::MIN {
        stream.max_deleted_entry_id()
    } else {
        max_deleted
    };
    stream.set_meta(id, added, max_deleted);
    ctx.propagate_verbatim(argv);
    Ok(Frame::ok())
}
