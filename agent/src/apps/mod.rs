//! Application recognition (issue 17): which application a flow belongs to, from its first
//! packets (TLS and QUIC SNI, HTTP `Host`, SSH and SIP signatures), from DNS answers seen
//! earlier for its destination, or from the catalogue's prefix and port rules.
//!
//! Sans-IO like the node: the caller hands in payloads and the time, and gets a verdict. The
//! node (`dataplane::node`) feeds it the packets it reads from the TUN and the DNS answers it
//! writes there, and policies match on its verdicts.

pub mod catalogue;
pub mod dns;
pub mod flow;
pub mod http;
pub mod matcher;
pub mod quic;
pub mod sip;
pub mod ssh;
pub mod tls;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod fuzz_tests;

pub use catalogue::{AppId, Catalogue};
pub use flow::{Classifier, Verdict};

/// What inspecting a flow's first bytes for one protocol found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inspect<T> {
    /// The bytes so far are a prefix of this protocol's opening; more may tell.
    NeedMore,
    /// Not this protocol (or nothing more to learn from it).
    NotThis,
    Found(T),
}
