//! The peer-list part of a document's content hash: a Merkle tree, shaped as in RFC 6962, over the
//! digests of the document's peer entries in document order.
//!
//! A tree rather than one flat hash because in a mesh (and for every hub) a document lists "every
//! enrolled site but me". All those documents are the same list with one hole, so they share
//! every subtree that does not cover the hole: [`AllButOne`] computes the shared subtrees once and
//! then each document's root in O(log n) compressions instead of O(n). Adding an enrolled site to
//! a 1,000-site mesh changes all 1,001 documents, and this is what keeps recomputing them cheap.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

pub type Digest32 = [u8; 32];

/// The leaf of one peer entry (its canonical JSON). Leaves and inner nodes carry different
/// prefixes so that neither can pass for the other.
pub fn leaf(entry_json: &[u8]) -> Digest32 {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry_json);
    h.finalize().into()
}

fn node(left: &Digest32, right: &Digest32) -> Digest32 {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Where a list of `n ≥ 2` leaves splits: the largest power of two below `n`.
fn split(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The root over `leaves` in order; the empty list has the digest of nothing.
pub fn root(leaves: &[Digest32]) -> Digest32 {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// Roots of `leaves` with any one of them left out.
pub struct AllButOne {
    leaves: Vec<Digest32>,
    /// For each inner node `[a, b)` of the tree over `leaves.len() - 1` leaves: the root of
    /// `leaves[a..b]` (the node when the hole lies after it) and of `leaves[a+1..b+1]` (when it
    /// lies before it).
    nodes: HashMap<(usize, usize), (Digest32, Digest32)>,
}

impl AllButOne {
    pub fn new(leaves: Vec<Digest32>) -> AllButOne {
        let mut tree = AllButOne { leaves, nodes: HashMap::new() };
        let len = tree.leaves.len().saturating_sub(1);
        if len > 0 {
            tree.build(0, len);
        }
        tree
    }

    fn build(&mut self, a: usize, b: usize) -> (Digest32, Digest32) {
        if b - a == 1 {
            return (self.leaves[a], self.leaves[a + 1]);
        }
        let k = a + split(b - a);
        let (l0, l1) = self.build(a, k);
        let (r0, r1) = self.build(k, b);
        let both = (node(&l0, &r0), node(&l1, &r1));
        self.nodes.insert((a, b), both);
        both
    }

    /// The root of the leaves without the one at `hole`.
    pub fn without(&self, hole: usize) -> Digest32 {
        debug_assert!(hole < self.leaves.len());
        match self.leaves.len() {
            0 | 1 => root(&[]),
            n => self.subtree(0, n - 1, hole),
        }
    }

    /// Node `[a, b)` of the list with the hole: positions before the hole are the leaves' own,
    /// positions from the hole on are shifted by one.
    fn subtree(&self, a: usize, b: usize, hole: usize) -> Digest32 {
        if b - a == 1 {
            return self.leaves[if a < hole { a } else { a + 1 }];
        }
        if b <= hole || a >= hole {
            let (before_hole, after_hole) = self.nodes[&(a, b)];
            return if b <= hole { before_hole } else { after_hole };
        }
        let k = a + split(b - a);
        node(&self.subtree(a, k, hole), &self.subtree(k, b, hole))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Digest32> {
        (0..n).map(|i| leaf(format!("peer {i}").as_bytes())).collect()
    }

    #[test]
    fn splits_at_the_largest_power_of_two_below() {
        assert_eq!([2, 3, 4, 5, 8, 9, 1000].map(split), [1, 2, 2, 4, 4, 8, 512]);
    }

    #[test]
    fn a_root_without_one_leaf_equals_the_root_of_the_shorter_list() {
        for n in 1..70 {
            let all = leaves(n);
            let tree = AllButOne::new(all.clone());
            for hole in 0..n {
                let mut rest = all.clone();
                rest.remove(hole);
                assert_eq!(tree.without(hole), root(&rest), "n = {n}, hole = {hole}");
            }
        }
    }

    #[test]
    fn the_root_depends_on_every_leaf_and_on_their_order() {
        let all = leaves(9);
        let base = root(&all);
        let mut swapped = all.clone();
        swapped.swap(3, 4);
        assert_ne!(root(&swapped), base);
        for i in 0..all.len() {
            let mut changed = all.clone();
            changed[i] = leaf(b"another peer");
            assert_ne!(root(&changed), base, "leaf {i}");
        }
        // A leaf never equals an inner node over the same bytes.
        assert_ne!(root(&all[..2]), leaf(&[all[0], all[1]].concat()));
    }
}
