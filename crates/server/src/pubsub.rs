//! Pub/Sub delivery: [`PubSub`] (which client listens to which channel or pattern) lives in the core, so a
//! `PUBLISH` finds its receivers under the same lock that orders it in the replication stream; each receiver has
//! a [`Mailbox`], a queue its own connection task drains and writes. A publisher never writes to another
//! client's socket, so a slow subscriber cannot hold the lock or block the publisher; it is disconnected instead
//! once its undelivered messages exceed the pubsub class of `client-output-buffer-limit` (hard limit).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use keyspace::pattern::glob_match;
use resp::Frame;
use tokio::sync::Notify;

/// Messages waiting to be written to one connection.
#[derive(Debug, Default)]
pub struct Mailbox {
    /// Messages with their estimated size on the wire.
    queue: Mutex<Vec<(Frame, usize)>>,
    /// Bytes posted and not yet written to the socket (queued or in the connection's write buffer).
    pending: AtomicUsize,
    overflowed: AtomicBool,
    notify: Notify,
    /// Woken once when the limit is exceeded, so a connection stuck writing to a slow reader can give up.
    overflow: Notify,
}

impl Mailbox {
    /// Queues `frame` (about `size` bytes on the wire); over `limit` pending bytes the connection is marked for
    /// closing instead, as Redis closes a client past its hard output limit.
    pub fn post(&self, frame: Frame, size: usize, limit: usize) {
        if self.overflowed.load(Ordering::Relaxed) {
            return;
        }
        let pending = self.pending.fetch_add(size, Ordering::Relaxed) + size;
        if limit > 0 && pending > limit {
            self.overflowed.store(true, Ordering::Relaxed);
            self.overflow.notify_one();
        } else {
            self.queue
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push((frame, size));
        }
        self.notify.notify_one();
    }

    /// Takes every queued message, each with the size it was posted with (to pass to [`Mailbox::written`]).
    pub fn take(&self) -> Vec<(Frame, usize)> {
        std::mem::take(
            &mut *self
                .queue
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Whether anything was posted and not yet written.
    pub fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Relaxed) > 0
    }

    /// Bytes posted and not yet acknowledged by [`Mailbox::written`].
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    /// The connection wrote `bytes` of messages.
    pub fn written(&self, bytes: usize) {
        let _ = self
            .pending
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |pending| {
                Some(pending.saturating_sub(bytes))
            });
    }

    /// Whether the hard limit was exceeded: the connection must close.
    pub fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Relaxed)
    }

    /// Waits until the limit is exceeded.
    pub async fn wait_overflow(&self) {
        if !self.overflowed() {
            self.overflow.notified().await;
        }
    }

    /// Waits until something is posted.
    pub async fn wait(&self) {
        self.notify.notified().await;
    }
}

/// One subscription of one client.
#[derive(Debug, Clone)]
struct Subscriber {
    client: u64,
    mailbox: Arc<Mailbox>,
}

/// Channels and patterns to their subscribers.
#[derive(Debug, Default)]
pub struct PubSub {
    channels: HashMap<Bytes, Vec<Subscriber>>,
    /// In subscription order, which is the order a message matching several patterns is delivered in.
    patterns: Vec<(Bytes, Vec<Subscriber>)>,
}

impl PubSub {
    /// Adds `client` to `channel`; false if it was already subscribed.
    pub fn subscribe(&mut self, client: u64, mailbox: &Arc<Mailbox>, channel: &Bytes) -> bool {
        let subscribers = self.channels.entry(channel.clone()).or_default();
        if subscribers.iter().any(|s| s.client == client) {
            return false;
        }
        subscribers.push(Subscriber {
            client,
            mailbox: Arc::clone(mailbox),
        });
        true
    }

    /// Removes `client` from `channel`; false if it was not subscribed.
    pub fn unsubscribe(&mut self, client: u64, channel: &[u8]) -> bool {
        let Some(subscribers) = self.channels.get_mut(channel) else {
            return false;
        };
        let before = subscribers.len();
        subscribers.retain(|s| s.client != client);
        let removed = subscribers.len() != before;
        if subscribers.is_empty() {
            self.channels.remove(channel);
        }
        removed
    }

    /// Adds `client` to `pattern`; false if it was already subscribed.
    pub fn psubscribe(&mut self, client: u64, mailbox: &Arc<Mailbox>, pattern: &Bytes) -> bool {
        let index = match self.patterns.iter().position(|(p, _)| p == pattern) {
            Some(index) => index,
            None => {
                self.patterns.push((pattern.clone(), Vec::new()));
                self.patterns.len() - 1
            }
        };
        let subscribers = &mut self.patterns[index].1;
        if subscribers.iter().any(|s| s.client == client) {
            return false;
        }
        subscribers.push(Subscriber {
            client,
            mailbox: Arc::clone(mailbox),
        });
        true
    }

    /// Removes `client` from `pattern`; false if it was not subscribed.
    pub fn punsubscribe(&mut self, client: u64, pattern: &[u8]) -> bool {
        let Some(index) = self.patterns.iter().position(|(p, _)| p == pattern) else {
            return false;
        };
        let subscribers = &mut self.patterns[index].1;
        let before = subscribers.len();
        subscribers.retain(|s| s.client != client);
        let removed = subscribers.len() != before;
        if subscribers.is_empty() {
            self.patterns.remove(index);
        }
        removed
    }

    /// Delivers `message` on `channel` to every subscriber of the channel and of each matching pattern; returns
    /// how many received it (what `PUBLISH` answers).
    pub fn publish(&self, channel: &Bytes, message: &Bytes, limit: usize) -> usize {
        let mut receivers = 0;
        if let Some(subscribers) = self.channels.get(channel) {
            let frame = Frame::Push(vec![
                Frame::bulk("message"),
                Frame::Bulk(channel.clone()),
                Frame::Bulk(message.clone()),
            ]);
            let size = 32 + channel.len() + message.len();
            for subscriber in subscribers {
                subscriber.mailbox.post(frame.clone(), size, limit);
                receivers += 1;
            }
        }
        for (pattern, subscribers) in &self.patterns {
            if !glob_match(pattern, channel) {
                continue;
            }
            let frame = Frame::Push(vec![
                Frame::bulk("pmessage"),
                Frame::Bulk(pattern.clone()),
                Frame::Bulk(channel.clone()),
                Frame::Bulk(message.clone()),
            ]);
            let size = 48 + pattern.len() + channel.len() + message.len();
            for subscriber in subscribers {
                subscriber.mailbox.post(frame.clone(), size, limit);
                receivers += 1;
            }
        }
        receivers
    }

    /// Active channels (with at least one subscriber) matching `pattern` (all when `None`).
    pub fn channels(&self, pattern: Option<&[u8]>) -> Vec<Bytes> {
        self.channels
            .keys()
            .filter(|channel| pattern.is_none_or(|p| glob_match(p, channel)))
            .cloned()
            .collect()
    }

    /// Subscribers of `channel` (patterns not counted, as `PUBSUB NUMSUB`).
    pub fn subscriber_count(&self, channel: &[u8]) -> usize {
        self.channels.get(channel).map_or(0, Vec::len)
    }

    /// Distinct patterns with at least one subscriber (`PUBSUB NUMPAT`).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The channels and patterns `client` is subscribed to (ACL changes check them against the user's new
    /// channel permissions).
    pub fn subscriptions_of(&self, client: u64) -> (Vec<Bytes>, Vec<Bytes>) {
        let subscribed =
            |subscribers: &Vec<Subscriber>| subscribers.iter().any(|s| s.client == client);
        let channels = self
            .channels
            .iter()
            .filter(|(_, subscribers)| subscribed(subscribers))
            .map(|(channel, _)| channel.clone())
            .collect();
        let patterns = self
            .patterns
            .iter()
            .filter(|(_, subscribers)| subscribed(subscribers))
            .map(|(pattern, _)| pattern.clone())
            .collect();
        (channels, patterns)
    }

    /// Drops every subscription of a disconnected client.
    pub fn remove_client(&mut self, client: u64, channels: &[Bytes], patterns: &[Bytes]) {
        for channel in channels {
            self.unsubscribe(client, channel);
        }
        for pattern in patterns {
            self.punsubscribe(client, pattern);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_counts_channel_and_pattern_receivers() {
        let mut pubsub = PubSub::default();
        let (one, two) = (Arc::new(Mailbox::default()), Arc::new(Mailbox::default()));
        let news = Bytes::from_static(b"news.it");
        assert!(pubsub.subscribe(1, &one, &news));
        assert!(!pubsub.subscribe(1, &one, &news));
        assert!(pubsub.psubscribe(2, &two, &Bytes::from_static(b"news.*")));
        assert_eq!(pubsub.publish(&news, &Bytes::from_static(b"hi"), 0), 2);
        assert_eq!(one.take().len(), 1);
        assert_eq!(two.take().len(), 1);
        assert_eq!(pubsub.publish(&Bytes::from_static(b"other"), &news, 0), 0);
        assert!(pubsub.unsubscribe(1, &news));
        assert_eq!(pubsub.channels(None).len(), 0);
        assert_eq!(pubsub.pattern_count(), 1);
    }

    #[test]
    fn a_mailbox_past_its_limit_overflows_instead_of_growing() {
        let mailbox = Mailbox::default();
        mailbox.post(Frame::Null, 600, 1000);
        assert!(!mailbox.overflowed());
        mailbox.post(Frame::Null, 600, 1000);
        assert!(mailbox.overflowed());
        assert_eq!(mailbox.take().len(), 1);
    }
}
