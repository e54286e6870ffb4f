//! The script running outside the core lock, and what everyone else does meanwhile.
//!
//! A script called by a client runs on a blocking thread and takes the core lock for each `redis.call`
//! only, so that a long script never stalls the server's threads. Its atomicity comes from this gate
//! instead: while it is open ([`Phase::Running`]) every other command waits, without holding the lock,
//! until the script ends; once the script has run longer than `busy-reply-threshold` ([`Phase::Busy`])
//! they are answered `-BUSY` instead, except the few Redis allows during a busy script (`SCRIPT KILL`,
//! `FUNCTION KILL`, `SHUTDOWN NOSAVE`...). The replica link and active expiry also stand still meanwhile.

use std::sync::Mutex;
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::watch;

/// Whether a script is running, from the point of view of other clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No script: commands run.
    Idle,
    /// A script runs: other commands wait for it.
    Running,
    /// A script has run past `busy-reply-threshold`: other commands are answered `-BUSY`.
    Busy,
}

/// `-BUSY` for a running `EVAL` script.
pub const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// `-BUSY` for a running function.
pub const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

/// The running script, as `FUNCTION STATS` and `SCRIPT KILL` see it.
#[derive(Debug)]
struct Running {
    started: Instant,
    eval: bool,
    name: String,
    command: Vec<Bytes>,
    wrote: bool,
    kill: bool,
    from_master: bool,
}

/// The gate itself, in `Shared`.
#[derive(Debug)]
pub struct ScriptGate {
    running: Mutex<Option<Running>>,
    phase: watch::Sender<Phase>,
}

impl Default for ScriptGate {
    fn default() -> ScriptGate {
        ScriptGate {
            running: Mutex::new(None),
            phase: watch::Sender::new(Phase::Idle),
        }
    }
}

impl ScriptGate {
    fn state(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens the gate for a script called `name` (`f_<sha>` or the function's name) run by `command`, if no
    /// other script holds it; false if one does (the caller then waits for the gate to reopen, see
    /// [`ScriptGate::subscribe`]). Checking and opening are one step under the gate's own lock, so two
    /// scripts can never both run, whatever lock their callers hold.
    pub fn try_start(
        &self,
        eval: bool,
        name: String,
        command: Vec<Bytes>,
        from_master: bool,
    ) -> bool {
        let mut state = self.state();
        if state.is_some() {
            return false;
        }
        *state = Some(Running {
            started: Instant::now(),
            eval,
            name,
            command,
            wrote: false,
            kill: false,
            from_master,
        });
        self.phase.send_replace(Phase::Running);
        true
    }

    /// Closes the gate: the script ended.
    pub fn finish(&self) {
        let mut state = self.state();
        let was_busy = *self.phase.borrow() == Phase::Busy;
        *state = None;
        self.phase.send_replace(Phase::Idle);
        drop(state);
        if was_busy {
            tracing::warn!("Slow script finished, the server is responsive again.");
        }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        *self.phase.borrow()
    }

    /// Follows phase changes (to wait for the script to end or to turn busy).
    pub fn subscribe(&self) -> watch::Receiver<Phase> {
        self.phase.subscribe()
    }

    /// Waits until no script runs.
    pub async fn wait_idle(&self) {
        let mut phase = self.subscribe();
        while *phase.borrow_and_update() != Phase::Idle {
            if phase.changed().await.is_err() {
                return;
            }
        }
    }

    /// The `-BUSY` text for the running script.
    pub fn busy_error(&self) -> &'static str {
        match self.state().as_ref() {
            Some(running) if !running.eval => BUSY_FUNCTION,
            _ => BUSY_EVAL,
        }
    }

    /// Whether the running script is an `EVAL` one (`FUNCTION STATS` then answers `-BUSY`, as in Redis).
    pub fn eval_running(&self) -> bool {
        self.state().as_ref().is_some_and(|running| running.eval)
    }

    /// The script wrote: it can no longer be killed.
    pub fn note_write(&self) {
        if let Some(running) = self.state().as_mut() {
            running.wrote = true;
        }
    }

    /// Called by the running script between steps: turns the phase busy past `threshold_ms` (0: never).
    /// Returns true when the script must stop (killed).
    pub fn checkpoint(&self, threshold_ms: u64) -> bool {
        let mut state = self.state();
        let Some(running) = state.as_mut() else {
            return false;
        };
        let elapsed = running.started.elapsed().as_millis() as u64;
        if threshold_ms > 0 && elapsed >= threshold_ms && *self.phase.borrow() == Phase::Running {
            tracing::warn!(
                "Slow script detected: still in execution after {elapsed} milliseconds. You can try killing the script using the {} command. Script name is: {}.",
                if running.eval {
                    "SCRIPT KILL"
                } else {
                    "FUNCTION KILL"
                },
                running.name
            );
            self.phase.send_replace(Phase::Busy);
        }
        running.kill
    }

    /// `SCRIPT KILL` (`eval`) or `FUNCTION KILL`: asks the running script to stop. The error is the full
    /// reply text.
    pub fn kill(&self, eval: bool) -> Result<(), &'static str> {
        let mut state = self.state();
        let Some(running) = state.as_mut() else {
            return Err("NOTBUSY No scripts in execution right now.");
        };
        if running.from_master {
            return Err(
                "UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.",
            );
        }
        if running.wrote {
            return Err(
                "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
            );
        }
        if eval && !running.eval {
            return Err(BUSY_FUNCTION);
        }
        if !eval && running.eval {
            return Err(BUSY_EVAL);
        }
        running.kill = true;
        Ok(())
    }

    /// What `FUNCTION STATS` shows of the running script: its name, the calling command, how long it has
    /// run in milliseconds.
    pub fn running(&self) -> Option<(String, Vec<Bytes>, u64)> {
        self.state().as_ref().map(|running| {
            (
                running.name.clone(),
                running.command.clone(),
                running.started.elapsed().as_millis() as u64,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_rules() {
        let gate = ScriptGate::default();
        assert_eq!(
            gate.kill(true),
            Err("NOTBUSY No scripts in execution right now.")
        );
        assert!(gate.try_start(true, "f_abc".into(), Vec::new(), false));
        assert_eq!(gate.phase(), Phase::Running);
        assert_eq!(gate.kill(false), Err(BUSY_EVAL));
        assert!(!gate.checkpoint(0));
        assert_eq!(gate.kill(true), Ok(()));
        assert!(gate.checkpoint(0));
        gate.finish();
        assert_eq!(gate.phase(), Phase::Idle);

        assert!(gate.try_start(false, "f".into(), Vec::new(), false));
        gate.note_write();
        assert!(
            gate.kill(false)
                .unwrap_err()
                .starts_with("UNKILLABLE Sorry")
        );
        assert!(!gate.checkpoint(1_000_000));
        assert!(gate.running().is_some());
        gate.finish();
    }

    /// One client of the interleaving model: the steps a connection takes with its scripts.
    enum Client {
        /// About to run its next script: subscribe to the phase, then try to open the gate.
        Admit {
            left: usize,
        },
        /// Paused behind another script until the phase changes (`run_when_writes_resume`).
        Waiting {
            left: usize,
            phase: watch::Receiver<Phase>,
        },
        /// Its script runs; its next step ends it.
        Running {
            left: usize,
        },
        Done,
    }

    /// Replays `schedule` (which client steps next, by index among those that can) from the start; returns
    /// how many clients could step after it, or an error naming a broken rule.
    fn replay(clients: usize, scripts: usize, schedule: &[usize]) -> Result<usize, String> {
        let gate = ScriptGate::default();
        let mut states: Vec<Client> = (0..clients)
            .map(|_| Client::Admit { left: scripts })
            .collect();
        let runnable = |states: &[Client]| -> Vec<usize> {
            (0..states.len())
                .filter(|&i| match &states[i] {
                    Client::Waiting { phase, .. } => phase.has_changed().unwrap_or(true),
                    Client::Done => false,
                    _ => true,
                })
                .collect()
        };
        for &choice in schedule {
            let index = runnable(&states)[choice];
            states[index] = match std::mem::replace(&mut states[index], Client::Done) {
                Client::Admit { left } => {
                    let mut phase = gate.subscribe();
                    phase.borrow_and_update();
                    if gate.try_start(true, format!("f_{index}"), Vec::new(), false) {
                        Client::Running { left }
                    } else {
                        Client::Waiting { left, phase }
                    }
                }
                Client::Waiting { left, .. } => Client::Admit { left },
                Client::Running { left } => {
                    gate.finish();
                    if left > 1 {
                        Client::Admit { left: left - 1 }
                    } else {
                        Client::Done
                    }
                }
                Client::Done => unreachable!("done clients are never runnable"),
            };
            let running = states
                .iter()
                .filter(|state| matches!(state, Client::Running { .. }))
                .count();
            if running > 1 {
                return Err(format!("{running} scripts run at once after {schedule:?}"));
            }
        }
        let next = runnable(&states).len();
        if next == 0 && !states.iter().all(|state| matches!(state, Client::Done)) {
            return Err(format!("clients wait forever after {schedule:?}"));
        }
        Ok(next)
    }

    /// Explores every schedule of `clients` running `scripts` each; returns how many complete ones there are.
    fn explore(clients: usize, scripts: usize, schedule: &mut Vec<usize>) -> usize {
        let next = replay(clients, scripts, schedule).unwrap_or_else(|broken| panic!("{broken}"));
        if next == 0 {
            return 1;
        }
        (0..next)
            .map(|choice| {
                schedule.push(choice);
                let complete = explore(clients, scripts, schedule);
                schedule.pop();
                complete
            })
            .sum()
    }

    /// Every interleaving of three clients running one script each, and of two running two each: never two
    /// scripts at once, and no schedule leaves a client waiting for a gate nobody will reopen.
    #[test]
    fn every_interleaving_of_concurrent_scripts_makes_progress() {
        let three = explore(3, 1, &mut Vec::new());
        let two = explore(2, 2, &mut Vec::new());
        assert!(
            three > 50 && two > 50,
            "only {three} and {two} complete schedules"
        );
    }

    #[test]
    fn a_second_script_cannot_open_a_held_gate() {
        let gate = ScriptGate::default();
        assert!(gate.try_start(true, "f_a".into(), Vec::new(), false));
        assert!(!gate.try_start(true, "f_b".into(), Vec::new(), false));
        assert_eq!(
            gate.running().map(|(name, ..)| name).as_deref(),
            Some("f_a")
        );
        gate.finish();
        assert!(gate.try_start(true, "f_b".into(), Vec::new(), false));
    }

    #[test]
    fn checkpoint_turns_busy_past_the_threshold() {
        let gate = ScriptGate::default();
        assert!(gate.try_start(true, "f_abc".into(), Vec::new(), false));
        gate.checkpoint(0);
        assert_eq!(gate.phase(), Phase::Running);
        std::thread::sleep(std::time::Duration::from_millis(2));
        gate.checkpoint(1);
        assert_eq!(gate.phase(), Phase::Busy);
        assert_eq!(gate.busy_error(), BUSY_EVAL);
    }
}
