//! Domain patterns (`name` exactly, `*.name` for any name below it) compiled into two hash maps
//! keyed by name: a lookup costs one probe for the exact name and one per dot for the suffixes,
//! tried from the longest, so the most specific pattern wins (`*.update.microsoft.com` over
//! `*.microsoft.com`).

use rustc_hash::FxHashMap as HashMap;

/// Longest name a lookup considers (RFC 1035's limit for a name in text form).
const MAX_NAME: usize = 253;

#[derive(Debug, Clone)]
pub struct DomainMatcher<V> {
    exact: HashMap<Box<str>, V>,
    below: HashMap<Box<str>, V>,
}

impl<V: Copy> Default for DomainMatcher<V> {
    fn default() -> Self {
        DomainMatcher { exact: HashMap::default(), below: HashMap::default() }
    }
}

impl<V: Copy> DomainMatcher<V> {
    /// Adds a pattern (already validated as lowercase labels); a pattern given twice keeps its
    /// first value.
    pub fn insert(&mut self, pattern: &str, value: V) {
        let (map, name) = match pattern.strip_prefix("*.") {
            Some(name) => (&mut self.below, name),
            None => (&mut self.exact, pattern),
        };
        map.entry(name.into()).or_insert(value);
    }

    pub fn len(&self) -> usize {
        self.exact.len() + self.below.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of the most specific pattern matching `name` (any case, one trailing dot
    /// allowed); `None` for no match or for bytes that cannot be a DNS name.
    pub fn lookup(&self, name: &[u8]) -> Option<V> {
        let name = name.strip_suffix(b".").unwrap_or(name);
        if name.is_empty() || name.len() > MAX_NAME {
            return None;
        }
        // Lowercased on the stack: SNIs and Host headers are compared without an allocation.
        let mut buf = [0u8; MAX_NAME];
        let lower = &mut buf[..name.len()];
        for (dst, &b) in lower.iter_mut().zip(name) {
            if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_') {
                return None;
            }
            *dst = b.to_ascii_lowercase();
        }
        let name = std::str::from_utf8(lower).ok()?;
        if let Some(&v) = self.exact.get(name) {
            return Some(v);
        }
        name.match_indices('.').find_map(|(i, _)| self.below.get(&name[i + 1..]).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> DomainMatcher<&'static str> {
        let mut m = DomainMatcher::default();
        for (p, v) in [
            ("zoom.us", "zoom"),
            ("*.zoom.us", "zoom"),
            ("*.microsoft.com", "microsoft"),
            ("*.update.microsoft.com", "windows-update"),
            ("teams.microsoft.com", "teams"),
        ] {
            m.insert(p, v);
        }
        m
    }

    #[test]
    fn exact_names_and_names_below_a_wildcard_match() {
        let m = matcher();
        assert_eq!(m.lookup(b"zoom.us"), Some("zoom"));
        assert_eq!(m.lookup(b"us04web.zoom.us"), Some("zoom"));
        assert_eq!(m.lookup(b"a.b.c.zoom.us"), Some("zoom"));
        assert_eq!(m.lookup(b"teams.microsoft.com"), Some("teams"));
    }

    #[test]
    fn the_most_specific_pattern_wins() {
        let m = matcher();
        assert_eq!(m.lookup(b"fe2.update.microsoft.com"), Some("windows-update"));
        assert_eq!(m.lookup(b"www.microsoft.com"), Some("microsoft"));
    }

    #[test]
    fn a_wildcard_does_not_match_its_own_name_nor_lookalikes() {
        let m = matcher();
        assert_eq!(m.lookup(b"microsoft.com"), None);
        assert_eq!(m.lookup(b"notzoom.us"), None);
        assert_eq!(m.lookup(b"zoom.us.evil.example"), None);
        assert_eq!(m.lookup(b"us"), None);
    }

    #[test]
    fn case_and_a_trailing_dot_do_not_matter_and_junk_never_matches() {
        let m = matcher();
        assert_eq!(m.lookup(b"US04WEB.Zoom.US."), Some("zoom"));
        assert_eq!(m.lookup(b""), None);
        assert_eq!(m.lookup(b"."), None);
        assert_eq!(m.lookup(b"zoom.us\0"), None);
        assert_eq!(m.lookup("z\u{f6}om.us".as_bytes()), None);
        let long = format!("{}.zoom.us", "a".repeat(250));
        assert_eq!(m.lookup(long.as_bytes()), None);
    }
}
