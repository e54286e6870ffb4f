//! Pub/Sub: SUBSCRIBE ... PUBSUB.
