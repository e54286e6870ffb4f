//! [`Set`]: a Redis set of byte strings.

use bytes::Bytes;

use super::dense::DenseMap;

/// A Redis set.
#[derive(Debug, Clone, Default)]
pub struct Set {
    members: DenseMap<()>,
}

impl PartialEq for Set {
    fn eq(&self, other: &Set) -> bool {
        self.len() == other.len()
            && self
                .members
                .iter()
                .all(|(member, ())| other.contains(member))
    }
}

impl Eq for Set {}

impl Set {
    /// An empty set.
    pub fn new() -> Set {
        Set::default()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        self.members.contains_key(member)
    }

    /// Adds `member`; returns whether it was new.
    pub fn insert(&mut self, member: Bytes) -> bool {
        self.members.insert(member, ()).is_none()
    }

    /// Removes `member`; returns whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        self.members.remove(member).is_some()
    }

    /// The members, for the set commands (random picks, scans).
    pub fn members(&self) -> &DenseMap<()> {
        &self.members
    }

    /// `OBJECT ENCODING`.
    pub fn encoding(&self) -> &'static str {
        "hashtable"
    }

    /// Every member.
    pub fn iter(&self) -> impl Iterator<Item = &Bytes> {
        self.members.iter().map(|(member, ())| member)
    }
}
