//! Applications: what a policy can name, and how an agent recognises each one's flows.
//!
//! The built-in catalogue is data (`catalogue/applications.json`), compiled into this crate so
//! that the server (to check the applications and categories policies refer to) and the agent
//! (to recognise flows) read the same list.

use std::collections::HashSet;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::network::Protocol;
use crate::wire::PortRange;

/// The built-in catalogue as shipped: parsed here, checked by this module's tests.
const BUILTIN: &str = include_str!("../catalogue/applications.json");

/// One application or protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// 1 to 64 characters of `a-z 0-9 - _`, as a policy's `application` field.
    pub name: String,
    pub category: Category,
    /// Names a flow's TLS or QUIC SNI, HTTP `Host` or an earlier DNS answer may carry: `name`
    /// exactly, or `*.name` for any name below it (not `name` itself).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Destination prefixes that belong to this application alone (with `ports`, if given).
    #[serde(default, deserialize_with = "crate::wire::prefix::list")]
    #[schema(value_type = Vec<String>)]
    pub prefixes: Vec<IpNet>,
    /// Destination ports; without `prefixes` they are the fallback when nothing in a flow's
    /// first packets names an application.
    #[serde(default)]
    pub ports: Vec<PortRule>,
    /// The protocol whose handshake itself identifies the application (`ssh`, `tls`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortRule {
    /// `tcp`, `udp` or `any` (both).
    pub protocol: Protocol,
    #[schema(value_type = Vec<String>)]
    pub ports: Vec<PortRange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Collaboration,
    Conferencing,
    Messaging,
    Voice,
    Video,
    Audio,
    Email,
    FileSharing,
    Backup,
    Business,
    Development,
    Cloud,
    Social,
    Identity,
    RemoteAccess,
    Network,
    SoftwareUpdate,
    Web,
}

impl Category {
    /// Every category, in the order of the API's documentation.
    pub const ALL: [Category; 18] = [
        Category::Collaboration,
        Category::Conferencing,
        Category::Messaging,
        Category::Voice,
        Category::Video,
        Category::Audio,
        Category::Email,
        Category::FileSharing,
        Category::Backup,
        Category::Business,
        Category::Development,
        Category::Cloud,
        Category::Social,
        Category::Identity,
        Category::RemoteAccess,
        Category::Network,
        Category::SoftwareUpdate,
        Category::Web,
    ];

    /// The category's name in the catalogue and in a policy's `application` field.
    pub fn name(self) -> &'static str {
        match self {
            Category::Collaboration => "collaboration",
            Category::Conferencing => "conferencing",
            Category::Messaging => "messaging",
            Category::Voice => "voice",
            Category::Video => "video",
            Category::Audio => "audio",
            Category::Email => "email",
            Category::FileSharing => "file_sharing",
            Category::Backup => "backup",
            Category::Business => "business",
            Category::Development => "development",
            Category::Cloud => "cloud",
            Category::Social => "social",
            Category::Identity => "identity",
            Category::RemoteAccess => "remote_access",
            Category::Network => "network",
            Category::SoftwareUpdate => "software_update",
            Category::Web => "web",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// What a policy's `application` field names: one application, or every application of a
/// category. The catalogue's invariants keep the two sets of names apart, so a name is never both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationMatch {
    Application(String),
    Category(Category),
}

/// What `name` in a policy's `application` field refers to in the built-in catalogue; `None` if
/// it is neither an application nor a category there.
pub fn policy_application(name: &str) -> Option<ApplicationMatch> {
    if let Some(category) = Category::from_name(name) {
        return Some(ApplicationMatch::Category(category));
    }
    builtin_names().iter().any(|n| n == name).then(|| ApplicationMatch::Application(name.to_owned()))
}

/// The built-in applications' names, parsed once.
pub fn builtin_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    // The catalogue is compiled in and this module's tests parse it: it cannot fail at run time.
    NAMES.get_or_init(|| builtin_applications().unwrap_or_default().into_iter().map(|a| a.name).collect())
}

/// A handshake the agent recognises by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signature {
    Dns,
    Http,
    Quic,
    Sip,
    Ssh,
    Tls,
}

/// The built-in applications.
pub fn builtin_applications() -> Result<Vec<Application>, serde_json::Error> {
    serde_json::from_str(BUILTIN)
}

/// Whether `name` is a valid application name.
pub fn valid_application_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether `pattern` is a valid domain pattern: lowercase DNS labels (1..63 of `a-z 0-9 -`, not
/// starting or ending with `-`), at least two of them, 253 characters at most, optionally after
/// `*.`.
pub fn valid_domain_pattern(pattern: &str) -> bool {
    let name = pattern.strip_prefix("*.").unwrap_or(pattern);
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// What is wrong with a list of applications taken together, one message per problem: names
/// must be valid and unique, patterns valid and claimed once, each application recognisable
/// somehow, each signature claimed once, and no two port rules without prefixes overlapping (a
/// port would name two applications).
pub fn catalogue_problems(apps: &[Application]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut names = HashSet::new();
    let mut patterns = HashSet::new();
    let mut signatures = HashSet::new();
    let mut port_rules: Vec<(&str, Protocol, PortRange)> = Vec::new();
    for app in apps {
        let n = app.name.as_str();
        if !valid_application_name(n) {
            problems.push(format!("{n:?}: not a valid application name"));
        }
        if !names.insert(n) {
            problems.push(format!("{n}: named twice"));
        }
        // A policy's `application` names an application or a category: one name, one meaning.
        if Category::from_name(n).is_some() {
            problems.push(format!("{n}: also the name of a category"));
        }
        for d in &app.domains {
            if !valid_domain_pattern(d) {
                problems.push(format!("{n}: {d:?} is not a domain pattern"));
            }
            if !patterns.insert(d.as_str()) {
                problems.push(format!("{n}: {d} is claimed twice"));
            }
        }
        if let Some(s) = app.signature {
            if !signatures.insert(s) {
                problems.push(format!("{n}: signature {s:?} is claimed twice"));
            }
        }
        if app.domains.is_empty() && app.prefixes.is_empty() && app.ports.is_empty() && app.signature.is_none() {
            problems.push(format!("{n}: nothing recognises it"));
        }
        for rule in &app.ports {
            if !matches!(rule.protocol, Protocol::Tcp | Protocol::Udp | Protocol::Any) {
                problems.push(format!("{n}: ports need tcp, udp or any"));
            }
            if rule.ports.is_empty() {
                problems.push(format!("{n}: a port rule without ports"));
            }
            if !app.prefixes.is_empty() {
                continue;
            }
            for &range in &rule.ports {
                for &(other, protocol, seen) in &port_rules {
                    let same_protocol =
                        protocol == rule.protocol || protocol == Protocol::Any || rule.protocol == Protocol::Any;
                    if same_protocol && range.first() <= seen.last() && seen.first() <= range.last() {
                        problems.push(format!("{n}: port {range} is also {other}'s"));
                    }
                }
                port_rules.push((n, rule.protocol, range));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// A tenant's own applications (`/v1/applications`)

/// The protocol of a tenant application's `ports`: `tcp`, `udp` or `any` (both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationProtocol {
    #[default]
    Any,
    Tcp,
    Udp,
}

impl From<ApplicationProtocol> for Protocol {
    fn from(p: ApplicationProtocol) -> Protocol {
        match p {
            ApplicationProtocol::Any => Protocol::Any,
            ApplicationProtocol::Tcp => Protocol::Tcp,
            ApplicationProtocol::Udp => Protocol::Udp,
        }
    }
}

/// A tenant-defined application: what a policy's `match.application` may name beside the
/// built-in catalogue. At least one of `domains`, `prefixes` and `ports` is given. The agents
/// recognise a flow as it by a name the flow carries (TLS or QUIC server name, HTTP `Host`, or an
/// earlier DNS answer for its destination) matching `domains`; by its destination in `prefixes`
/// (and then, if `ports` are given, on one of them); or, without `prefixes`, by its destination
/// port when nothing in the flow names an application. Where it claims a domain pattern, prefix
/// or port a built-in application does, it wins.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenantApplication {
    /// 1 to 64 characters of `a-z 0-9 - _`, unique in the tenant, and neither a built-in
    /// application's nor a category's name.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[a-z0-9_-]{1,64}$")]
    pub name: String,
    /// The application's category, one of the built-in catalogue's.
    pub category: Category,
    /// Free text, at most 256 characters, no control characters but tabs and newlines.
    #[serde(default)]
    #[schema(max_length = 256, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub description: String,
    #[serde(default)]
    #[schema(schema_with = crate::schema::application_domains)]
    pub domains: Vec<String>,
    #[serde(default, deserialize_with = "crate::wire::prefix::list")]
    #[schema(schema_with = crate::schema::application_prefixes)]
    pub prefixes: Vec<IpNet>,
    /// The protocol of `ports` (default `any`); `tcp` or `udp` only with ports.
    #[serde(default)]
    pub protocol: ApplicationProtocol,
    #[serde(default)]
    #[schema(schema_with = crate::schema::application_ports)]
    pub ports: Vec<PortRange>,
}

/// Changes to a tenant application: absent fields stay as they are; a list given replaces the
/// whole list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantApplicationUpdate {
    /// A new name; refused (409) while a policy's `match.application` names the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[a-z0-9_-]{1,64}$")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 256, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::application_domains_update)]
    pub domains: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::prefix::list_opt")]
    #[schema(schema_with = crate::schema::application_prefixes_update)]
    pub prefixes: Option<Vec<IpNet>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<ApplicationProtocol>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::application_ports_update)]
    pub ports: Option<Vec<PortRange>>,
}

/// A tenant-defined application as the server returns it. Every site's compiled document carries
/// the tenant's applications (`SiteConfig.applications`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TenantApplication {
    pub id: uuid::Uuid,
    pub name: String,
    pub category: Category,
    pub description: String,
    pub domains: Vec<String>,
    #[schema(value_type = Vec<String>)]
    pub prefixes: Vec<IpNet>,
    pub protocol: ApplicationProtocol,
    #[schema(value_type = Vec<String>)]
    pub ports: Vec<PortRange>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub etag: String,
}

impl TenantApplication {
    /// The application as a site's document carries it.
    pub fn to_config(&self) -> Application {
        Application {
            name: self.name.clone(),
            category: self.category,
            domains: self.domains.clone(),
            prefixes: self.prefixes.clone(),
            ports: if self.ports.is_empty() {
                Vec::new()
            } else {
                vec![PortRule { protocol: self.protocol.into(), ports: self.ports.clone() }]
            },
            signature: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_builtin_catalogue_has_at_least_fifty_valid_applications() {
        let apps = builtin_applications().unwrap();
        assert!(apps.len() >= 50, "{} applications", apps.len());
        assert_eq!(catalogue_problems(&apps), Vec::<String>::new());
        for name in ["teams", "zoom", "webex", "google-workspace", "salesforce", "slack", "github", "aws", "youtube"] {
            assert!(apps.iter().any(|a| a.name == name), "{name} is missing");
        }
        for (name, signature) in [("dns", Signature::Dns), ("ssh", Signature::Ssh), ("sip", Signature::Sip)] {
            let app = apps.iter().find(|a| a.name == name).unwrap();
            assert_eq!(app.signature, Some(signature));
        }
        assert!(apps.iter().any(|a| a.category == Category::Backup));
    }

    #[test]
    fn category_names_are_their_serde_names_and_policies_name_either_kind() {
        for c in Category::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::Value::String(c.name().into()));
            assert_eq!(Category::from_name(c.name()), Some(c));
        }
        assert_eq!(policy_application("teams"), Some(ApplicationMatch::Application("teams".into())));
        assert_eq!(policy_application("video"), Some(ApplicationMatch::Category(Category::Video)));
        assert_eq!(policy_application("office365"), None);
        assert_eq!(builtin_names().len(), builtin_applications().unwrap().len());
    }

    #[test]
    fn an_unknown_category_or_field_is_refused() {
        let bad_category = r#"[{"name": "x", "category": "gaming", "domains": ["x.example"]}]"#;
        assert!(serde_json::from_str::<Vec<Application>>(bad_category).is_err());
        let bad_field = r#"[{"name": "x", "category": "web", "domain": ["x.example"]}]"#;
        assert!(serde_json::from_str::<Vec<Application>>(bad_field).is_err());
    }

    #[test]
    fn problems_name_each_broken_invariant() {
        let app = |name: &str, domains: &[&str], port: Option<u16>| Application {
            name: name.into(),
            category: Category::Web,
            domains: domains.iter().map(|d| d.to_string()).collect(),
            prefixes: vec![],
            ports: port
                .map(|p| vec![PortRule { protocol: Protocol::Tcp, ports: vec![PortRange::port(p).unwrap()] }])
                .unwrap_or_default(),
            signature: None,
        };
        let problems = catalogue_problems(&[
            app("a", &["a.example", "*.a.example"], None),
            app("a", &["A.example"], None),
            app("b", &["a.example", "*.*.b.example", "b", "-b.example"], Some(22)),
            app("c", &[], Some(22)),
            app("Bad name", &[], None),
            app("video", &["video.example"], None),
        ]);
        assert_eq!(
            problems,
            [
                "a: named twice",
                "a: \"A.example\" is not a domain pattern",
                "b: a.example is claimed twice",
                "b: \"*.*.b.example\" is not a domain pattern",
                "b: \"b\" is not a domain pattern",
                "b: \"-b.example\" is not a domain pattern",
                "c: port 22 is also b's",
                "\"Bad name\": not a valid application name",
                "Bad name: nothing recognises it",
                "video: also the name of a category",
            ]
        );
    }
}
