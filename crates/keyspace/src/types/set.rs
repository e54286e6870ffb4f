//! [`Set`]: a Redis set of byte strings, with Redis 7.0's encoding rule: `intset` while every member is an
//! integer and the set is small, then `hashtable` for good.

use super::dense::DenseMap;
use crate::Key;

/// Redis's default `set-max-intset-entries`: more members than this and a set is a `hashtable`.
pub const SET_MAX_INTSET_ENTRIES: usize = 512;

/// A Redis set.
///
/// An intset is sorted in Redis, so SMEMBERS, SSCAN and the set operations show its members in numeric order;
/// [`Set::iter`] does the same. The conversion to hashtable is one-way; only a fresh build (such as loading it
/// from an RDB file) starts over as an intset.
#[derive(Debug, Clone)]
pub struct Set {
    members: DenseMap<()>,
    intset: bool,
}

impl Default for Set {
    fn default() -> Set {
        Set {
            members: DenseMap::new(),
            intset: true,
        }
    }
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

    /// Adds `member`; returns whether it was new. A member that is not an integer (Redis's `string2ll` rules:
    /// canonical decimal, fits in 64 bits), or growing past [`SET_MAX_INTSET_ENTRIES`], makes it a hashtable.
    pub fn insert(&mut self, member: &[u8]) -> bool {
        if self.members.insert(member, ()).is_some() {
            return false;
        }
        if self.intset && integer_value(member).is_none() {
            self.intset = false;
        }
        if self.members.len() > SET_MAX_INTSET_ENTRIES {
            self.intset = false;
        }
        true
    }

    /// Removes `member`; returns whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        self.members.remove(member).is_some()
    }

    /// The members, for the set commands (random picks, scans).
    pub fn members(&self) -> &DenseMap<()> {
        &self.members
    }

    /// Whether the set is in its small encoding (`intset`): SSCAN then returns everything at once.
    pub fn is_intset(&self) -> bool {
        self.intset
    }

    /// `OBJECT ENCODING`.
    pub fn encoding(&self) -> &'static str {
        if self.intset { "intset" } else { "hashtable" }
    }

    /// Every member; in numeric order while an intset.
    pub fn iter(&self) -> impl Iterator<Item = &Key> {
        let mut members: Vec<&Key> = self.members.iter().map(|(member, ())| member).collect();
        if self.intset {
            members.sort_by_key(|member| integer_value(member));
        }
        members.into_iter()
    }
}

/// Redis's `string2ll`: an optional `-`, then digits without leading zeros (`0` alone is fine, `-0` is not),
/// fitting in an `i64`; no spaces, no `+`.
fn integer_value(text: &[u8]) -> Option<i64> {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    let canonical = match digits {
        [] => false,
        [b'0'] => digits.len() == text.len(),
        [first, ..] => (b'1'..=b'9').contains(first) && digits.iter().all(u8::is_ascii_digit),
    };
    if !canonical || text.len() > 20 {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn set_of(members: &[&str]) -> Set {
        let mut set = Set::new();
        for member in members {
            set.insert(&Bytes::copy_from_slice(member.as_bytes()));
        }
        set
    }

    #[test]
    fn integers_only_make_an_intset() {
        assert_eq!(
            set_of(&["1", "-5", "0", "9223372036854775807"]).encoding(),
            "intset"
        );
        assert_eq!(set_of(&["-9223372036854775808"]).encoding(), "intset");
        for not_integer in [
            "a",
            "01",
            "-0",
            "+1",
            " 1",
            "1.0",
            "9223372036854775808",
            "",
        ] {
            assert_eq!(
                set_of(&["1", not_integer]).encoding(),
                "hashtable",
                "{not_integer:?}"
            );
        }
    }

    #[test]
    fn past_the_entry_limit_and_never_back() {
        let mut set = Set::new();
        for i in 0..SET_MAX_INTSET_ENTRIES {
            set.insert(&Bytes::from(i.to_string()));
        }
        assert_eq!(set.encoding(), "intset");
        assert!(!set.insert(&Bytes::from("0")));
        assert_eq!(set.encoding(), "intset");
        set.insert(&Bytes::from("100000"));
        assert_eq!(set.encoding(), "hashtable");
        set.remove(b"100000");
        set.remove(b"1");
        assert_eq!(set.encoding(), "hashtable");

        let mut words = set_of(&["1", "x"]);
        words.remove(b"x");
        assert_eq!(words.encoding(), "hashtable");
        let rebuilt = set_of(&["1"]);
        assert_eq!(rebuilt.encoding(), "intset");
        assert_eq!(rebuilt, words);
    }

    #[test]
    fn an_intset_iterates_in_numeric_order() {
        let set = set_of(&["10", "-3", "2", "100", "-20"]);
        let members: Vec<_> = set.iter().map(Key::to_bytes).collect();
        assert_eq!(members, ["-20", "-3", "2", "10", "100"]);
    }
}
