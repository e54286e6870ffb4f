//! What a client asked a script or function to run: everything the run needs from its caller, as data, so it
//! can travel from the command that admitted it to the thread that runs it.

use bytes::Bytes;

use super::shebang::ScriptFlags;

/// What a client asked to run.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `EVAL`/`EVALSHA` (true) or `FCALL` (false).
    pub eval: bool,
    /// The script's SHA-1 (lower case) or the function's name: what the engine finds it by.
    pub target: String,
    /// How errors and `FUNCTION STATS` name it: the SHA-1 or the function's name.
    pub display_name: String,
    /// The script's or function's declared flags.
    pub flags: ScriptFlags,
    /// No write may run (`*_RO` command, or the `no-writes` flag).
    pub read_only: bool,
    /// `KEYS`.
    pub keys: Vec<Bytes>,
    /// `ARGV`.
    pub args: Vec<Bytes>,
    /// The caller's database, where the script starts.
    pub db: usize,
    /// The caller is this replica's master: its writes are never refused.
    pub from_master: bool,
    /// The caller's command, for `FUNCTION STATS`.
    pub command: Vec<Bytes>,
    /// The caller's ACL user: the script's commands are checked as that user's.
    pub user: Bytes,
    /// The caller's client id, for the ACL log.
    pub caller: u64,
}
