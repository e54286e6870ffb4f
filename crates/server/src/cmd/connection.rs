//! Connection commands: PING, ECHO, SELECT, QUIT, AUTH, HELLO, CLIENT.

use bytes::Bytes;
use resp::{Frame, Protocol};

use super::{Ctx, is, parse_i64};
use crate::client::AfterReply;
use crate::errors;
use commands::Reply;

/// `PING [message]`
pub fn ping(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    // A RESP2 subscriber reads pushes as arrays, so PING answers in the same shape there.
    if ctx.client.in_resp2_pubsub_mode() && argv.len() <= 2 {
        let message = argv.get(1).cloned().unwrap_or_default();
        return Ok(Frame::Array(vec![
            Frame::bulk("pong"),
            Frame::Bulk(message),
        ]));
    }
    Ok(match argv {
        [_] => Frame::Simple(Bytes::from_static(b"PONG")),
        [_, message] => Frame::Bulk(message.clone()),
        _ => return Err(errors::wrong_arity("ping")),
    })
}

/// `ECHO message`
pub fn echo(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(Frame::Bulk(argv[1].clone()))
}

/// `SELECT index`
pub fn select(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let Some(index) = parse_i64(&argv[1]) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    if i32::try_from(index).is_err() {
        return Err(errors::reply(errors::INT_OUT_OF_RANGE));
    }
    Ok(match usize::try_from(index) {
        Ok(index) if index < ctx.core.keyspace.db_count() => {
            ctx.client.db = index;
            ctx.shared
                .clients
                .update(ctx.client.id, |info| info.db = index);
            Frame::ok()
        }
        _ => return Err(errors::reply(errors::DB_INDEX_OUT_OF_RANGE)),
    })
}

/// `QUIT`: replies OK, then the connection closes.
pub fn quit(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    ctx.client.after_reply = Some(AfterReply::Close);
    Ok(Frame::ok())
}

/// `RESET`: the connection as if it had just connected: out of `MULTI`, `WATCH`, subscriptions and `MONITOR`,
/// database 0, RESP2, no name, and authenticated only if no password is configured.
pub fn reset(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if ctx.client.is_master_link {
        return Err(errors::reply(
            "ERR can only reset normal client connections",
        ));
    }
    ctx.client.release(ctx.core);
    ctx.client.db = 0;
    ctx.client.protocol = resp::Protocol::Resp2;
    ctx.client.name = None;
    ctx.client.authenticated = ctx.core.acl.default_open();
    ctx.client.user = Bytes::from_static(b"default");
    ctx.shared.clients.update(ctx.client.id, |info| {
        info.db = 0;
        info.name = None;
        info.monitor = false;
        info.channels = 0;
        info.patterns = 0;
        info.user = "default".to_owned();
    });
    Ok(Frame::Simple(Bytes::from_static(b"RESET")))
}

/// `AUTH [username] password`
pub fn auth(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let (user, password) = match argv {
        [_, password] => (None, password),
        [_, user, password] => (Some(user), password),
        _ => return Err(errors::reply(errors::SYNTAX)),
    };
    // The one-argument form keeps its old complaint when the default user needs no password.
    if user.is_none()
        && ctx
            .core
            .acl
            .user(b"default")
            .is_some_and(crate::acl::User::nopass)
    {
        return Err(errors::reply(errors::AUTH_WITHOUT_PASSWORD));
    }
    let user = user.map_or(&b"default"[..], |user| &user[..]);
    Ok(if log_in(ctx, user, password, &argv[0]) {
        Frame::ok()
    } else {
        errors::reply(errors::WRONGPASS)
    })
}

/// Authenticates the connection as `user` if `password` is right (a failure is logged in the ACL log, named
/// after `command` as typed).
fn log_in(ctx: &mut Ctx<'_>, user: &[u8], password: &[u8], command: &Bytes) -> bool {
    if !ctx.core.acl.authenticate(user, password) {
        crate::cmd::acl_log::log_auth_failure(ctx.core, ctx.shared, ctx.client, user, command);
        return false;
    }
    ctx.client.authenticated = true;
    ctx.client.user = Bytes::copy_from_slice(user);
    let name = String::from_utf8_lossy(user).into_owned();
    ctx.shared
        .clients
        .update(ctx.client.id, |info| info.user = name);
    true
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
pub fn hello(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let mut protocol = ctx.client.protocol;
    if let Some(version) = argv.get(1) {
        protocol = match parse_i64(version) {
            Some(2) => Protocol::Resp2,
            Some(3) => Protocol::Resp3,
            Some(_) => return Err(errors::reply("NOPROTO unsupported protocol version")),
            None => {
                return Err(errors::reply(
                    "ERR Protocol version is not an integer or out of range",
                ));
            }
        };
    }
    let mut index = 2;
    let mut name = None;
    while index < argv.len() {
        let remaining = argv.len() - index - 1;
        if is(&argv[index], "auth") && remaining >= 2 {
            if !log_in(ctx, &argv[index + 1], &argv[index + 2], &argv[0]) {
                return Err(errors::reply(errors::WRONGPASS));
            }
            index += 3;
        } else if is(&argv[index], "setname") && remaining >= 1 {
            match valid_client_name(&argv[index + 1]) {
                Some(valid) => name = Some(valid),
                None => return Err(errors::reply(BAD_CLIENT_NAME)),
            }
            index += 2;
        } else {
            return Err(errors::reply(&format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(&argv[index])
            )));
        }
    }
    if !ctx.client.authenticated {
        return Err(errors::reply(errors::HELLO_NOAUTH));
    }
    if let Some(name) = name {
        let name = (!name.is_empty()).then_some(name);
        ctx.shared
            .clients
            .update(ctx.client.id, |info| info.name = name.clone());
        ctx.client.name = name;
    }
    ctx.client.protocol = protocol;
    let role = if ctx.core.is_replica() {
        "replica"
    } else {
        "master"
    };
    let pair =
        |key: &'static str, value: Frame| (Frame::Bulk(Bytes::from_static(key.as_bytes())), value);
    Ok(Frame::Map(vec![
        pair("server", Frame::bulk("redis")),
        pair("version", Frame::bulk("7.0.15")),
        pair(
            "proto",
            Frame::Integer(if protocol == Protocol::Resp3 { 3 } else { 2 }),
        ),
        pair("id", Frame::Integer(ctx.client.id as i64)),
        pair("mode", Frame::bulk("standalone")),
        pair("role", Frame::bulk(role)),
        pair("modules", Frame::Array(Vec::new())),
    ]))
}

pub(super) const BAD_CLIENT_NAME: &str =
    "ERR Client names cannot contain spaces, newlines or special characters.";

/// Redis accepts printable ASCII without spaces; an empty name clears it.
pub(super) fn valid_client_name(name: &[u8]) -> Option<String> {
    name.iter()
        .all(|&c| (b'!'..=b'~').contains(&c))
        .then(|| String::from_utf8_lossy(name).into_owned())
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[
    ("ping", ping),
    ("echo", echo),
    ("select", select),
    ("quit", quit),
    ("reset", reset),
    ("auth", auth),
    ("hello", hello),
];
