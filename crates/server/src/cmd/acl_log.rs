//! The ACL glue of command dispatch: the check before a client's command runs or is queued, and the
//! `ACL LOG` entries of denials and failed logins (which read the client registry and the configuration,
//! so they sit here, above the ACL rules themselves in `crate::acl`).

use bytes::Bytes;
use resp::Frame;

use crate::acl::{Context, Denial, LogEntry, LogReason};
use crate::client::ClientState;
use crate::core::Core;
use crate::shared::Shared;

/// The client as `ACL LOG` shows it (its `CLIENT LIST` line).
pub fn client_info(shared: &Shared, client_id: u64) -> Bytes {
    Bytes::from(
        shared
            .clients
            .describe(client_id, shared.port)
            .unwrap_or_default(),
    )
}

/// `acllog-max-len`.
pub fn log_max_len(shared: &Shared) -> usize {
    shared
        .config()
        .other("acllog-max-len")
        .and_then(|value| value.parse().ok())
        .unwrap_or(128)
}

/// Records a denial in the ACL log.
pub fn log_denial(
    core: &mut Core,
    shared: &Shared,
    denial: &Denial,
    context: Context,
    user: &Bytes,
    argv: &[Bytes],
    client_id: u64,
) {
    let entry = LogEntry {
        reason: denial.log_reason(),
        context,
        object: denial.object(argv),
        username: user.clone(),
        time_ms: crate::util::now_ms(),
        client_info: client_info(shared, client_id),
    };
    core.acl.log.add(entry, log_max_len(shared));
}

/// Records a failed login in the ACL log (`object` is the command used, as typed).
pub fn log_auth_failure(
    core: &mut Core,
    shared: &Shared,
    client: &ClientState,
    user: &[u8],
    command: &Bytes,
) {
    let context = if client.multi.is_some() {
        Context::Multi
    } else {
        Context::Toplevel
    };
    let entry = LogEntry {
        reason: LogReason::Auth,
        context,
        object: command.clone(),
        username: Bytes::copy_from_slice(user),
        time_ms: crate::util::now_ms(),
        client_info: client_info(shared, client.id),
    };
    core.acl.log.add(entry, log_max_len(shared));
}

/// The check `dispatch` makes before running or queueing a client's command: `Err` is the error to answer
/// (the denial is logged). The master's link is never checked.
pub fn check_client(
    core: &mut Core,
    shared: &Shared,
    client: &ClientState,
    argv: &[Bytes],
) -> Result<(), Frame> {
    if client.is_master_link {
        return Ok(());
    }
    let Err(denial) = core.acl.check(&client.user, argv) else {
        return Ok(());
    };
    let context = if client.multi.is_some() {
        Context::Multi
    } else {
        Context::Toplevel
    };
    log_denial(
        core,
        shared,
        &denial,
        context,
        &client.user,
        argv,
        client.id,
    );
    Err(denial.error())
}
