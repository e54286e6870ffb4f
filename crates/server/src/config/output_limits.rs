//! `client-output-buffer-limit`: per client class, a hard limit and a soft limit held for some seconds.

use std::fmt;

/// Limits for one class of clients; 0 disables a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassLimit {
    /// Disconnect as soon as the pending output exceeds this many bytes.
    pub hard: u64,
    /// Disconnect when the pending output stays above this many bytes...
    pub soft: u64,
    /// ...for this many seconds.
    pub soft_seconds: u64,
}

/// The three classes Redis has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputBufferLimits {
    /// Ordinary clients.
    pub normal: ClassLimit,
    /// Replicas (`slave` or `replica` in the directive).
    pub replica: ClassLimit,
    /// Pub/Sub subscribers.
    pub pubsub: ClassLimit,
}

impl Default for OutputBufferLimits {
    fn default() -> OutputBufferLimits {
        OutputBufferLimits {
            normal: ClassLimit {
                hard: 0,
                soft: 0,
                soft_seconds: 0,
            },
            replica: ClassLimit {
                hard: 256 << 20,
                soft: 64 << 20,
                soft_seconds: 60,
            },
            pubsub: ClassLimit {
                hard: 32 << 20,
                soft: 8 << 20,
                soft_seconds: 60,
            },
        }
    }
}

impl fmt::Display for OutputBufferLimits {
    /// As CONFIG GET prints it: always `slave` for the replica class.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = |name: &str, limit: ClassLimit| {
            format!(
                "{name} {} {} {}",
                limit.hard, limit.soft, limit.soft_seconds
            )
        };
        write!(
            f,
            "{} {} {}",
            class("normal", self.normal),
            class("slave", self.replica),
            class("pubsub", self.pubsub)
        )
    }
}

impl OutputBufferLimits {
    /// Applies `class hard soft seconds` groups (any number of them) on top of the current limits.
    pub fn apply(&mut self, words: &[String]) -> Result<(), String> {
        if words.is_empty() || !words.len().is_multiple_of(4) {
            return Err("Wrong number of arguments in buffer limit configuration.".to_owned());
        }
        let mut updated = *self;
        for group in words.chunks_exact(4) {
            let limit = ClassLimit {
                hard: memory(&group[1])?,
                soft: memory(&group[2])?,
                soft_seconds: group[3].parse().map_err(|_| {
                    "Error in soft_seconds setting in buffer limit configuration.".to_owned()
                })?,
            };
            match group[0].to_ascii_lowercase().as_str() {
                "normal" => updated.normal = limit,
                "slave" | "replica" => updated.replica = limit,
                "pubsub" => updated.pubsub = limit,
                _ => {
                    return Err(
                        "Invalid client class specified in buffer limit configuration.".to_owned(),
                    );
                }
            }
        }
        *self = updated;
        Ok(())
    }
}

fn memory(text: &str) -> Result<u64, String> {
    super::params::memory_value(text).ok_or_else(|| {
        "Error in hard or soft limit setting in buffer limit configuration.".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn default_prints_like_redis_and_classes_merge() {
        let mut limits = OutputBufferLimits::default();
        assert_eq!(
            limits.to_string(),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        limits.apply(&words("replica 128k 0 0")).unwrap();
        assert_eq!(
            limits.replica,
            ClassLimit {
                hard: 128 * 1000,
                soft: 0,
                soft_seconds: 0
            }
        );
        assert_eq!(limits.pubsub, OutputBufferLimits::default().pubsub);
        assert!(limits.apply(&words("replica 1 2")).is_err());
        assert!(limits.apply(&words("nobody 1 2 3")).is_err());
    }
}
