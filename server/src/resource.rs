//! What the API manages: one typed [`Kind`] per resource, used by audit events, 404 answers,
//! metrics alike, and the [`Stored`] trait every stored resource offers
//! to the read and write pipelines. Knows no HTTP and no SQL.

use std::fmt;
use std::future::Future;

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// A kind of resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Tenant,
    User,
    ApiToken,
    PlatformToken,
    SigningKey,
    Site,
    Link,
    Topology,
    Peering,
    QosClass,
    Policy,
    /// A tenant-defined application.
    Application,
    EnrollmentToken,
    Agent,
    SiteBgp,
    /// A site's BGP-learned routes, as its agent reports them.
    LearnedRoutes,
    IdentityProvider,
}

impl Kind {
    /// The name in audit events (`site.create`) and metric labels.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Tenant => "tenant",
            Kind::User => "user",
            Kind::ApiToken => "api_token",
            Kind::PlatformToken => "platform_token",
            Kind::SigningKey => "signing_key",
            Kind::Site => "site",
            Kind::Link => "link",
            Kind::Topology => "topology",
            Kind::Peering => "peering",
            Kind::QosClass => "qos_class",
            Kind::Policy => "policy",
            Kind::Application => "application",
            Kind::EnrollmentToken => "enrollment_token",
            Kind::Agent => "agent",
            Kind::SiteBgp => "site_bgp",
            Kind::LearnedRoutes => "bgp_learned_routes",
            Kind::IdentityProvider => "identity_provider",
        }
    }

    /// How a person reads it, as in "QoS class not found".
    pub const fn label(self) -> &'static str {
        match self {
            Kind::ApiToken => "API token",
            Kind::PlatformToken => "platform token",
            Kind::SigningKey => "signing key",
            Kind::QosClass => "QoS class",
            Kind::EnrollmentToken => "enrollment token",
            Kind::SiteBgp => "BGP settings",
            Kind::LearnedRoutes => "learned routes",
            Kind::IdentityProvider => "identity provider",
            other => other.name(),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The entity tag of a stored version: a strong, quoted version number.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A resource stored in one row of its own table, visible to the tenant's transaction.
pub trait Stored: Clone + Send + Sync + Sized + 'static {
    const KIND: Kind;
    /// The collection it is created in, for `Location` headers.
    const COLLECTION: &'static str;
    /// What the API shows of it.
    type Api: Serialize + Send;

    fn id(&self) -> Uuid;
    /// Moves by one on every change; the ETag is made of it.
    fn version(&self) -> i64;
    fn to_api(&self) -> Self::Api;

    fn etag(&self) -> String {
        etag(self.version())
    }

    fn get(conn: &mut PgConnection, id: Uuid) -> impl Future<Output = Result<Option<Self>, sqlx::Error>> + Send;

    /// Reads the row and holds its lock until the transaction ends.
    fn lock(conn: &mut PgConnection, id: Uuid) -> impl Future<Output = Result<Option<Self>, sqlx::Error>> + Send;
}

/// A stored resource that can be listed a page at a time.
pub trait Listed: Stored {
    type Filter: Send + Sync;

    fn list(
        conn: &mut PgConnection,
        filter: &Self::Filter,
        page: &crate::pagination::PageRequest,
    ) -> impl Future<Output = Result<Vec<Self>, sqlx::Error>> + Send;
}

/// Implements [`Stored`] and [`Listed`] for a row type whose module has the usual `get`, `lock`
/// and `list` functions, `id` and `version` columns and a `to_api` method.
#[macro_export]
macro_rules! stored {
    ($row:ty, $kind:expr, $collection:literal, $api:ty, $filter:ty) => {
        impl $crate::resource::Stored for $row {
            const KIND: $crate::resource::Kind = $kind;
            const COLLECTION: &'static str = $collection;
            type Api = $api;

            fn id(&self) -> uuid::Uuid {
                self.id
            }

            fn version(&self) -> i64 {
                self.version
            }

            fn to_api(&self) -> $api {
                <$row>::to_api(self)
            }

            async fn get(conn: &mut sqlx::PgConnection, id: uuid::Uuid) -> Result<Option<Self>, sqlx::Error> {
                get(conn, id).await
            }

            async fn lock(conn: &mut sqlx::PgConnection, id: uuid::Uuid) -> Result<Option<Self>, sqlx::Error> {
                lock(conn, id).await
            }
        }

        impl $crate::resource::Listed for $row {
            type Filter = $filter;

            async fn list(
                conn: &mut sqlx::PgConnection,
                filter: &$filter,
                page: &$crate::pagination::PageRequest,
            ) -> Result<Vec<Self>, sqlx::Error> {
                list(conn, filter, page).await
            }
        }
    };
}
