//! The peer-list part of a document's content hash: a Merkle tree, shaped as in RFC 6962, over the
//! digests of the document's peer entries in document order.
//!
//! A tree rather than one flat hash because in a mesh (and for every hub) a document lists "every
//! enrolled site but me". All those documents are the same list with one hole, so they share
//! every subtree that does not cover the hole: [`AllButOne`] computes the shared subtrees once and
//! then each document's root in O(log n) compressions instead of O(n). Adding an enrolled site to
//! a 1,000-site mesh changes all 1,001 documents, and this is what keeps recomputing them cheap.

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

/// The Merkle tree over a list of leaves with every inner node kept, so that replacing one leaf
/// costs the O(log n) nodes above it. Inner nodes are stored in pre-order: the node over
/// `[a, b)` at `i` has its left child `[a, k)` at `i + 1` and its right child `[k, b)` at
/// `i + (k - a)`.
#[derive(Clone)]
pub struct Tree {
    leaves: Vec<Digest32>,
    nodes: Vec<Digest32>,
}

impl Tree {
    pub fn new(leaves: Vec<Digest32>) -> Tree {
        let mut tree = Tree { nodes: vec![[0; 32]; leaves.len().saturating_sub(1)], leaves };
        if tree.leaves.len() > 1 {
            tree.build(0, tree.leaves.len(), 0);
        }
        tree
    }

    fn build(&mut self, a: usize, b: usize, i: usize) -> Digest32 {
        if b - a == 1 {
            return self.leaves[a];
        }
        let k = a + split(b - a);
        let left = self.build(a, k, i + 1);
        let right = self.build(k, b, i + (k - a));
        self.nodes[i] = node(&left, &right);
        self.nodes[i]
    }

    fn len(&self) -> usize {
        self.leaves.len()
    }

    /// The root, equal to [`root`] of the leaves.
    pub fn root(&self) -> Digest32 {
        match self.leaves.len() {
            0 => root(&[]),
            1 => self.leaves[0],
            _ => self.nodes[0],
        }
    }

    /// The digest of node `[a, b)` stored at `i`.
    fn at(&self, a: usize, b: usize, i: usize) -> Digest32 {
        if b - a == 1 {
            self.leaves[a]
        } else {
            self.nodes[i]
        }
    }

    /// Replaces leaf `j` and the nodes above it.
    pub fn set(&mut self, j: usize, leaf: Digest32) {
        self.leaves[j] = leaf;
        let (mut a, mut b, mut i) = (0, self.leaves.len(), 0);
        let mut path = Vec::new();
        while b - a > 1 {
            path.push((a, b, i));
            let k = a + split(b - a);
            if j < k {
                (b, i) = (k, i + 1);
            } else {
                (a, i) = (k, i + (k - a));
            }
        }
        for &(a, b, i) in path.iter().rev() {
            let k = a + split(b - a);
            self.nodes[i] = node(&self.at(a, k, i + 1), &self.at(k, b, i + (k - a)));
        }
    }
}

/// Roots of `leaves` with any one of them left out, and of all of them.
#[derive(Clone)]
pub struct AllButOne {
    all: Tree,
    /// The trees over `leaves[..n-1]` and `leaves[1..]`: node `[a, b)` of the list with a hole
    /// is the first's when the hole lies after it and the second's when it lies before it.
    before_hole: Tree,
    after_hole: Tree,
}

impl AllButOne {
    pub fn new(leaves: Vec<Digest32>) -> AllButOne {
        let n = leaves.len();
        AllButOne {
            before_hole: Tree::new(leaves[..n.saturating_sub(1)].to_vec()),
            after_hole: Tree::new(leaves.get(1..).unwrap_or(&[]).to_vec()),
            all: Tree::new(leaves),
        }
    }

    /// The root over every leaf.
    pub fn whole(&self) -> Digest32 {
        self.all.root()
    }

    /// Replaces leaf `j` in O(log n).
    pub fn set(&mut self, j: usize, leaf: Digest32) {
        self.all.set(j, leaf);
        if j + 1 < self.all.len() {
            self.before_hole.set(j, leaf);
        }
        if j >= 1 {
            self.after_hole.set(j - 1, leaf);
        }
    }

    /// The root of the leaves without the one at `hole`.
    pub fn without(&self, hole: usize) -> Digest32 {
        debug_assert!(hole < self.all.len());
        match self.all.len() {
            0 | 1 => root(&[]),
            n => self.subtree(0, n - 1, 0, hole),
        }
    }

    /// Node `[a, b)` (stored at `i`) of the list with the hole: positions before the hole are the
    /// leaves' own, positions from the hole on are shifted by one.
    fn subtree(&self, a: usize, b: usize, i: usize, hole: usize) -> Digest32 {
        if b <= hole {
            return self.before_hole.at(a, b, i);
        }
        if a >= hole {
            return self.after_hole.at(a, b, i);
        }
        let k = a + split(b - a);
        node(&self.subtree(a, k, i + 1, hole), &self.subtree(k, b, i + (k - a), hole))
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
    fn replacing_a_leaf_gives_the_roots_of_the_new_list() {
        for n in 1..40 {
            let mut all = leaves(n);
            let mut tree = AllButOne::new(all.clone());
            for j in (0..n).step_by(3) {
                all[j] = leaf(format!("changed {j}").as_bytes());
                tree.set(j, all[j]);
                assert_eq!(tree.whole(), root(&all), "n = {n}, j = {j}");
                for hole in 0..n {
                    let mut rest = all.clone();
                    rest.remove(hole);
                    assert_eq!(tree.without(hole), root(&rest), "n = {n}, j = {j}, hole = {hole}");
                }
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
