//! The catalogue compiled for lookups: applications by id, their domain patterns, signatures,
//! prefix rules and port rules.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use patronus_api::applications::{builtin_applications, catalogue_problems, Application, Category, Signature};
use patronus_api::{PortRange, Protocol};

use super::matcher::DomainMatcher;

const TCP: u8 = 6;
const UDP: u8 = 17;

/// An application's index in its catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(u16);

impl AppId {
    /// Its index in the catalogue (below `Catalogue::len`).
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// For compact storage: the id as a `u16` (back with `from_raw`).
    pub fn raw(self) -> u16 {
        self.0
    }

    pub fn from_raw(raw: u16) -> AppId {
        AppId(raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppInfo {
    pub name: String,
    pub category: Category,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("the built-in catalogue does not parse: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("invalid catalogue: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("{0} applications, more than a catalogue can hold")]
    TooMany(usize),
}

/// A prefix rule: the destination is in `prefix` (and, if `ports` is not empty, its port and
/// protocol match). Prefixes belong to one application, so they decide at a flow's first packet.
#[derive(Debug, Clone)]
struct PrefixRule {
    prefix: IpNet,
    protocol: Protocol,
    ports: Vec<PortRange>,
    app: AppId,
}

/// A port rule without prefixes: the fallback when a flow's payload names nothing.
#[derive(Debug, Clone, Copy)]
struct PortRule {
    protocol: Protocol,
    ports: PortRange,
    app: AppId,
}

#[derive(Clone)]
pub struct Catalogue {
    apps: Vec<AppInfo>,
    domains: DomainMatcher<AppId>,
    signatures: Vec<(Signature, AppId)>,
    prefixes: Vec<PrefixRule>,
    ports: Vec<PortRule>,
}

impl fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalogue")
            .field("apps", &self.apps.len())
            .field("domains", &self.domains.len())
            .field("prefixes", &self.prefixes.len())
            .field("ports", &self.ports.len())
            .finish()
    }
}

fn protocol_matches(rule: Protocol, ip_protocol: u8) -> bool {
    match rule {
        Protocol::Any => ip_protocol == TCP || ip_protocol == UDP,
        Protocol::Tcp => ip_protocol == TCP,
        Protocol::Udp => ip_protocol == UDP,
        Protocol::Icmp => false,
    }
}

impl Catalogue {
    /// The catalogue every agent ships with.
    pub fn builtin() -> Result<Catalogue, CatalogueError> {
        Catalogue::new(&builtin_applications()?)
    }

    pub fn new(apps: &[Application]) -> Result<Catalogue, CatalogueError> {
        let problems = catalogue_problems(apps);
        if !problems.is_empty() {
            return Err(CatalogueError::Invalid(problems));
        }
        if apps.len() > usize::from(u16::MAX) {
            return Err(CatalogueError::TooMany(apps.len()));
        }
        let mut catalogue = Catalogue {
            apps: Vec::with_capacity(apps.len()),
            domains: DomainMatcher::default(),
            signatures: Vec::new(),
            prefixes: Vec::new(),
            ports: Vec::new(),
        };
        for (i, app) in apps.iter().enumerate() {
            let id = AppId(i as u16);
            catalogue.apps.push(AppInfo { name: app.name.clone(), category: app.category });
            for d in &app.domains {
                catalogue.domains.insert(d, id);
            }
            if let Some(s) = app.signature {
                catalogue.signatures.push((s, id));
            }
            if app.prefixes.is_empty() {
                for rule in &app.ports {
                    for &ports in &rule.ports {
                        catalogue.ports.push(PortRule { protocol: rule.protocol, ports, app: id });
                    }
                }
                continue;
            }
            for &prefix in &app.prefixes {
                if app.ports.is_empty() {
                    catalogue.prefixes.push(PrefixRule { prefix, protocol: Protocol::Any, ports: vec![], app: id });
                }
                for rule in &app.ports {
                    catalogue.prefixes.push(PrefixRule {
                        prefix,
                        protocol: rule.protocol,
                        ports: rule.ports.clone(),
                        app: id,
                    });
                }
            }
        }
        // Longest prefix first, so a narrower rule wins over a wider one.
        catalogue.prefixes.sort_by_key(|r| std::cmp::Reverse(r.prefix.prefix_len()));
        Ok(catalogue)
    }

    pub fn len(&self) -> usize {
        self.apps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    pub fn app(&self, id: AppId) -> &AppInfo {
        &self.apps[usize::from(id.0)]
    }

    pub fn name(&self, id: AppId) -> &str {
        &self.app(id).name
    }

    pub fn find(&self, name: &str) -> Option<AppId> {
        self.apps.iter().position(|a| a.name == name).map(|i| AppId(i as u16))
    }

    /// The application a server name (SNI, `Host`, DNS name) belongs to.
    pub fn by_domain(&self, name: &[u8]) -> Option<AppId> {
        self.domains.lookup(name)
    }

    /// The application that stands for a recognised protocol (`tls`, `ssh`, ...).
    pub fn by_signature(&self, signature: Signature) -> Option<AppId> {
        self.signatures.iter().find(|(s, _)| *s == signature).map(|&(_, id)| id)
    }

    /// The application whose prefixes hold the destination. The catalogue has a handful of
    /// prefix rules, so a scan beats a trie here.
    pub fn by_prefix(&self, protocol: u8, dst: IpAddr, dst_port: u16) -> Option<AppId> {
        self.prefixes
            .iter()
            .find(|r| {
                r.prefix.contains(&dst)
                    && (r.ports.is_empty()
                        || (protocol_matches(r.protocol, protocol) && r.ports.iter().any(|p| p.contains(dst_port))))
            })
            .map(|r| r.app)
    }

    /// The application a destination port stands for, when nothing better is known.
    pub fn by_port(&self, protocol: u8, dst_port: u16) -> Option<AppId> {
        self.ports.iter().find(|r| protocol_matches(r.protocol, protocol) && r.ports.contains(dst_port)).map(|r| r.app)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_builtin_catalogue_compiles_and_answers_by_domain_prefix_and_port() {
        let c = Catalogue::builtin().unwrap();
        assert!(c.len() >= 50);
        let name = |id: Option<AppId>| id.map(|id| c.name(id).to_string());
        assert_eq!(name(c.by_domain(b"us04web.zoom.us")), Some("zoom".into()));
        assert_eq!(name(c.by_domain(b"fe2.update.microsoft.com")), Some("windows-update".into()));
        assert_eq!(name(c.by_domain(b"youtubei.googleapis.com")), Some("youtube".into()));
        assert_eq!(name(c.by_domain(b"fonts.googleapis.com")), Some("google".into()));
        assert_eq!(c.app(c.by_domain(b"www.netflix.com").unwrap()).category, Category::Video);
        assert_eq!(c.app(c.by_domain(b"f001.backblazeb2.com").unwrap()).category, Category::Backup);
        // Teams media: its prefixes with its UDP ports, and not the same prefixes on TCP 443.
        assert_eq!(name(c.by_prefix(UDP, "52.113.1.2".parse().unwrap(), 3479)), Some("teams".into()));
        assert_eq!(name(c.by_prefix(TCP, "52.113.1.2".parse().unwrap(), 443)), None);
        assert_eq!(name(c.by_prefix(UDP, "192.0.2.1".parse().unwrap(), 3479)), None);
        assert_eq!(name(c.by_port(TCP, 22)), Some("ssh".into()));
        assert_eq!(name(c.by_port(UDP, 53)), Some("dns".into()));
        assert_eq!(name(c.by_port(TCP, 53)), Some("dns".into()));
        assert_eq!(name(c.by_port(UDP, 8805)), Some("zoom".into()));
        assert_eq!(name(c.by_port(TCP, 8805)), None);
        assert_eq!(name(c.by_port(UDP, 22)), None);
        assert_eq!(name(c.by_signature(Signature::Quic)), Some("quic".into()));
    }

    #[test]
    fn an_invalid_catalogue_is_refused_with_its_problems() {
        let mut apps = builtin_applications().unwrap();
        apps.push(apps[0].clone());
        let Err(CatalogueError::Invalid(problems)) = Catalogue::new(&apps) else { panic!("accepted") };
        assert!(problems.iter().any(|p| p.contains("named twice")), "{problems:?}");
    }
}
