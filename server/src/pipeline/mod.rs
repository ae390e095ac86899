//! The one way a request reads or writes tenant state. A handler states what is specific to its
//! resource (its fields, its checks, what its change touches); the steps every read and write
//! share live here, in one order:
//!
//! - [`read`]: a tenant transaction, the row or page, the end of the read, the answer with its
//!   ETag.
//! - [`write`]: role check, tenant lock (for network writes and quotas), the current row under
//!   its lock with `If-Match`, then (after the handler's merge, validation and write) the
//!   recompile of what the change touched, the audit event, commit, and what follows a commit:
//!   publishing to agents, forgetting cached credentials, metrics.

pub mod read;
pub mod write;

pub use crate::config_sync::Touched;
pub use write::Write;
