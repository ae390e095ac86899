//! The catalogue compiled for lookups: applications by id, their domain patterns, signatures,
//! prefix rules and port rules.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use std::collections::HashSet;

use patronus_api::applications::{
    builtin_applications, catalogue_problems, valid_application_name, valid_domain_pattern, Application, Category,
    Signature,
};
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

    /// The built-in catalogue with a tenant's own applications (a site document's
    /// `applications`) in front: where both claim a domain pattern, a prefix of the same length
    /// or a port, the tenant's wins, and a tenant application named like a built-in one replaces
    /// it (a later catalogue may add a name a tenant already uses). A tenant application the
    /// catalogue cannot hold (an invalid name or pattern, a category's name, a name given twice,
    /// nothing to recognise it by) is left out, and its problem returned for the agent to log.
    pub fn with_tenant(tenant: &[Application]) -> Result<(Catalogue, Vec<String>), CatalogueError> {
        let builtin = builtin_applications()?;
        let problems = catalogue_problems(&builtin);
        if !problems.is_empty() {
            return Err(CatalogueError::Invalid(problems));
        }
        let mut skipped = Vec::new();
        let mut names = HashSet::new();
        let mut apps: Vec<Application> = Vec::with_capacity(tenant.len() + builtin.len());
        for app in tenant {
            match tenant_problem(app) {
                Some(problem) => skipped.push(format!("{:?}: {problem}", app.name)),
                None if !names.insert(app.name.clone()) => skipped.push(format!("{:?}: named twice", app.name)),
                None => apps.push(app.clone()),
            }
        }
        apps.extend(builtin.into_iter().filter(|a| !names.contains(&a.name)));
        Ok((Catalogue::build(&apps)?, skipped))
    }

    /// A catalogue of `apps` alone, which must pass the built-in catalogue's checks.
    pub fn new(apps: &[Application]) -> Result<Catalogue, CatalogueError> {
        let problems = catalogue_problems(apps);
        if !problems.is_empty() {
            return Err(CatalogueError::Invalid(problems));
        }
        Catalogue::build(apps)
    }

    /// Earlier entries win where two claim the same pattern, port or prefix length.
    fn build(apps: &[Application]) -> Result<Catalogue, CatalogueError> {
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
        // Longest prefix first, so a narrower rule wins over a wider one (a stable sort: an
        // earlier entry first among equals).
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

/// Why a tenant's application cannot join a catalogue; `None` if it can. The server refuses
/// all of these; the agent checks again because a document is all it trusts.
fn tenant_problem(app: &Application) -> Option<String> {
    if !valid_application_name(&app.name) {
        return Some("not a valid application name".into());
    }
    if Category::from_name(&app.name).is_some() {
        return Some("the name of a category".into());
    }
    if let Some(d) = app.domains.iter().find(|d| !valid_domain_pattern(d)) {
        return Some(format!("{d:?} is not a domain pattern"));
    }
    if app
        .ports
        .iter()
        .any(|r| r.ports.is_empty() || !matches!(r.protocol, Protocol::Tcp | Protocol::Udp | Protocol::Any))
    {
        return Some("a port rule needs ports and tcp, udp or any".into());
    }
    if app.domains.is_empty() && app.prefixes.is_empty() && app.ports.is_empty() {
        return Some("nothing recognises it".into());
    }
    None
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

    fn tenant_app(name: &str, domains: &[&str], prefixes: &[&str], ports: &[(Protocol, &str)]) -> Application {
        Application {
            name: name.into(),
            category: Category::Business,
            domains: domains.iter().map(|d| d.to_string()).collect(),
            prefixes: prefixes.iter().map(|p| p.parse().unwrap()).collect(),
            ports: ports
                .iter()
                .map(|(protocol, ports)| patronus_api::applications::PortRule {
                    protocol: *protocol,
                    ports: vec![ports.parse().unwrap()],
                })
                .collect(),
            signature: None,
        }
    }

    #[test]
    fn a_tenant_application_is_recognised_and_wins_where_it_claims_what_a_builtin_one_does() {
        let tenant = [
            tenant_app("erp", &["erp.corp.example", "*.erp.corp.example"], &["198.51.100.0/24"], &[]),
            // Claims a built-in pattern and a built-in port: the tenant's definition decides.
            tenant_app("intranet-sharepoint", &["*.sharepoint.com"], &[], &[(Protocol::Tcp, "22")]),
            // Replaces the built-in application of the same name.
            tenant_app("zoom", &["zoom.corp.example"], &[], &[]),
        ];
        let (c, skipped) = Catalogue::with_tenant(&tenant).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        let name = |id: Option<AppId>| id.map(|id| c.name(id).to_string());
        assert_eq!(name(c.by_domain(b"eu.erp.corp.example")), Some("erp".into()));
        assert_eq!(c.app(c.find("erp").unwrap()).category, Category::Business);
        assert_eq!(name(c.by_prefix(TCP, "198.51.100.7".parse().unwrap(), 443)), Some("erp".into()));
        assert_eq!(name(c.by_domain(b"contoso.sharepoint.com")), Some("intranet-sharepoint".into()));
        assert_eq!(name(c.by_port(TCP, 22)), Some("intranet-sharepoint".into()));
        assert_eq!(name(c.by_domain(b"zoom.corp.example")), Some("zoom".into()));
        assert_eq!(name(c.by_domain(b"us04web.zoom.us")), None, "the built-in zoom is replaced");
        // The rest of the built-in catalogue is there.
        assert_eq!(name(c.by_domain(b"www.youtube.com")), Some("youtube".into()));
        assert_eq!(c.len(), Catalogue::builtin().unwrap().len() + 2);
    }

    #[test]
    fn a_tenant_application_the_catalogue_cannot_hold_is_left_out_with_its_problem() {
        let tenant = [
            tenant_app("video", &["v.corp.example"], &[], &[]),
            tenant_app("Bad Name", &["b.corp.example"], &[], &[]),
            tenant_app("nothing", &[], &[], &[]),
            tenant_app("badpattern", &["*.*.corp.example"], &[], &[]),
            tenant_app("twice", &["t1.corp.example"], &[], &[]),
            tenant_app("twice", &["t2.corp.example"], &[], &[]),
        ];
        let (c, skipped) = Catalogue::with_tenant(&tenant).unwrap();
        assert_eq!(skipped.len(), 5, "{skipped:?}");
        for name in ["video", "Bad Name", "nothing", "badpattern"] {
            assert!(skipped.iter().any(|s| s.starts_with(&format!("{name:?}"))), "{name}: {skipped:?}");
        }
        assert_eq!(c.by_domain(b"t1.corp.example").map(|id| c.name(id)), Some("twice"));
        assert_eq!(c.by_domain(b"t2.corp.example"), None);
        assert_eq!(c.len(), Catalogue::builtin().unwrap().len() + 1);
    }
}
