//! Traffic shaping per QoS class with tc, on each WAN link's interface.
//!
//! The queue of a link forms where the link is slowest, usually in the provider's modem or
//! router, where a bulk transfer fills a deep buffer and every other packet waits behind it. The
//! agent shapes what it sends a little below the link's `bandwidth_up_mbps`
//! ([`SHAPED_PERCENT`]), so the queue forms here instead, where the agent can order it:
//!
//! ```text
//! 7071: htb (default 7071:2)
//! └── 7071:1   rate = ceil = 95 % of bandwidth_up_mbps
//!     ├── 7071:2    the default class: what no QoS class claims (handshakes, unmarked data,
//!     │             the machine's own traffic); rate = what the classes leave, ceil = all
//!     └── 7071:10.. one class per QoS class: rate = guaranteed share, ceil = maximum share,
//!                   prio = QoS priority - 1; each with a leaf queue (fq_codel where the kernel
//!                   has it, else a pfifo of about 20 ms at the class's ceiling)
//! ```
//!
//! u32 filters send the agent's own datagrams (UDP from its listen port) into the class whose
//! DSCP they carry: the node marks each datagram's outer DSCP by its policy's QoS class, so the
//! filters see exactly the class the policy chose (IPv4 TOS and IPv6 traffic class alike).
//! Ingress shaping (off unless the agent is started with it) redirects what the interface
//! receives to an IFB device with the same hierarchy at 95 % of `bandwidth_down_mbps`.
//!
//! Changes go to the kernel as one `tc -batch` per link and direction, computed as the difference
//! between what is installed and what the document asks for: an unchanged document runs no tc at
//! all; a changed rate or class is `tc class replace` on the live hierarchy (the root stays, the
//! tunnel's datagrams keep flowing); only a moved interface gets a new hierarchy, built before
//! the old one goes. A document whose shaping cannot be installed for a link (no bandwidth, QoS
//! guarantees the link cannot carry, an interface that does not exist, tc refusing) leaves what
//! was installed on that link and says why in the link's status; the rest of the document, and
//! the tunnel, are not held back. The agent takes everything it installed away when it stops, and
//! at its first change of an interface it removes a hierarchy an earlier run left behind.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use patronus_api::{ConfigLink, ConfigQosClass, LinkShaping, ShapingClass, ShapingDirection, SiteConfig};

use super::netlink::{self, ClassStats, Netlink};

/// Share of a link's bandwidth the agent shapes to, in percent: a little below the line rate, so
/// that the provider's queue stays empty even when the stated bandwidth is slightly optimistic.
pub const SHAPED_PERCENT: u64 = 95;
/// The least a QoS class with a guarantee must get, in kbit/s: about five full-size datagrams a
/// second. A guarantee below it is one the link cannot give meaningfully (and HTB's accounting
/// is coarse at such rates), so the document's shaping for that link is refused.
pub const MIN_CLASS_KBPS: u64 = 64;
/// The rate of a class without a guarantee, and the least the default class gets when the QoS
/// classes guarantee everything: enough for handshakes and keepalives; more is borrowed.
pub const FLOOR_KBPS: u64 = 16;
/// The major number of every handle the agent installs ("pq").
const MAJOR: u16 = 0x7071;
const ROOT_MINOR: u16 = 1;
const DEFAULT_MINOR: u16 = 2;
const FIRST_CLASS_MINOR: u16 = 0x10;
/// Class minors stay below this, so that an IPv6 filter's preference (minor + this) stays apart.
const V6_PREF_OFFSET: u16 = 0x800;

/// The queue in each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    FqCodel,
    Pfifo,
}

impl Leaf {
    pub fn as_str(self) -> &'static str {
        match self {
            Leaf::FqCodel => "fq_codel",
            Leaf::Pfifo => "pfifo",
        }
    }
}

/// How the agent shapes; the rates and classes come from the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapingOptions {
    /// Shape what each link sends (the default).
    pub egress: bool,
    /// Also shape what each link receives, through an IFB device (off by default).
    pub ingress: bool,
}

impl Default for ShapingOptions {
    fn default() -> Self {
        ShapingOptions { egress: true, ingress: false }
    }
}

/// One class of a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassPlan {
    /// The QoS class; `None` for the default class.
    pub name: Option<String>,
    pub priority: Option<u8>,
    pub minor: u16,
    /// The DSCP its filter matches; `None` for the default class, and for a class whose DSCP an
    /// earlier class (by priority) already claims.
    pub dscp: Option<u8>,
    pub rate_kbps: u64,
    pub ceil_kbps: u64,
    /// HTB priority, 0 (first) to 7.
    pub prio: u8,
}

/// The hierarchy of one direction of one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectionPlan {
    pub direction: ShapingDirection,
    pub rate_kbps: u64,
    /// The UDP port the filters match: the source port when sending, the destination when
    /// receiving.
    pub port: u16,
    pub classes: Vec<ClassPlan>,
}

/// What one link's interface should carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPlan {
    pub interface: String,
    pub egress: DirectionPlan,
    pub ingress: Option<DirectionPlan>,
}

/// The shaped rate of a link of `mbps`, in kbit/s.
pub fn shaped_kbps(mbps: u32) -> u64 {
    u64::from(mbps) * 1000 * SHAPED_PERCENT / 100
}

/// The hierarchy for one direction: `mbps` from the link, `minors` the class ids already given
/// (kept, so that a change leaves the other classes' counters and queues alone).
fn plan_direction(
    link: &ConfigLink,
    classes: &[ConfigQosClass],
    direction: ShapingDirection,
    port: u16,
    minors: &mut BTreeMap<String, u16>,
) -> Result<DirectionPlan, String> {
    let (mbps, field) = match direction {
        ShapingDirection::Egress => (link.bandwidth_up_mbps, "bandwidth_up_mbps"),
        ShapingDirection::Ingress => (link.bandwidth_down_mbps, "bandwidth_down_mbps"),
    };
    if mbps == 0 {
        return Err(format!("link {}: {field} is 0, so there is no rate to shape to", link.name));
    }
    let root = shaped_kbps(mbps);
    let total: u64 = classes.iter().map(|c| u64::from(c.guaranteed_percent)).sum();
    if total > 100 {
        return Err(format!("the QoS classes guarantee {total} % of a link in all, more than 100 %"));
    }
    let mut sorted: Vec<&ConfigQosClass> = classes.iter().collect();
    sorted.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| a.name.cmp(&b.name)));
    // New classes take the lowest free minor.
    for c in &sorted {
        if !minors.contains_key(&c.name) {
            let taken: std::collections::BTreeSet<u16> = minors.values().copied().collect();
            let free = (FIRST_CLASS_MINOR..V6_PREF_OFFSET)
                .find(|m| !taken.contains(m))
                .ok_or_else(|| "more QoS classes than a hierarchy holds".to_owned())?;
            minors.insert(c.name.clone(), free);
        }
    }
    let mut planned = Vec::with_capacity(sorted.len() + 1);
    let mut guaranteed = 0;
    let mut dscps_taken = [false; 64];
    for c in &sorted {
        let rate = root * u64::from(c.guaranteed_percent) / 100;
        if c.guaranteed_percent > 0 && rate < MIN_CLASS_KBPS {
            return Err(format!(
                "QoS class {}: its guarantee of {} % of link {}'s shaped {root} kbit/s is {rate} kbit/s, below the \
                 {MIN_CLASS_KBPS} kbit/s a class needs; raise the link's {field} or the class's guarantee, or \
                 guarantee it 0 %",
                c.name, c.guaranteed_percent, link.name
            ));
        }
        guaranteed += rate;
        let rate = rate.max(FLOOR_KBPS);
        let ceil = (root * u64::from(c.max_percent) / 100).max(rate);
        let dscp = c.dscp & 0x3f;
        let first = !std::mem::replace(&mut dscps_taken[usize::from(dscp)], true);
        planned.push(ClassPlan {
            name: Some(c.name.clone()),
            priority: Some(c.priority),
            minor: minors[&c.name],
            dscp: first.then_some(dscp),
            rate_kbps: rate,
            ceil_kbps: ceil,
            prio: c.priority.saturating_sub(1).min(7),
        });
    }
    planned.push(ClassPlan {
        name: None,
        priority: None,
        minor: DEFAULT_MINOR,
        dscp: None,
        rate_kbps: root.saturating_sub(guaranteed).max(FLOOR_KBPS),
        ceil_kbps: root,
        prio: 7,
    });
    planned.sort_by_key(|c| c.minor);
    Ok(DirectionPlan { direction, rate_kbps: root, port, classes: planned })
}

/// What `link` should carry under `options`, or why it cannot be shaped.
pub fn plan_link(
    link: &ConfigLink,
    config: &SiteConfig,
    options: ShapingOptions,
    minors: &mut BTreeMap<String, u16>,
) -> Result<LinkPlan, String> {
    let egress = plan_direction(link, &config.qos_classes, ShapingDirection::Egress, config.listen_port, minors)?;
    let ingress = if options.ingress {
        Some(plan_direction(link, &config.qos_classes, ShapingDirection::Ingress, config.listen_port, minors)?)
    } else {
        None
    };
    minors.retain(|name, _| config.qos_classes.iter().any(|c| &c.name == name));
    Ok(LinkPlan { interface: link.interface.clone(), egress, ingress })
}

/// One object of a hierarchy, in the order they are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Root,
    Class(u16),
    LeafQueue(u16),
    Filter(u16, bool),
}

/// The objects of a hierarchy on device `dev`, each with the tc arguments that create it (after
/// the verb and `dev`).
fn objects(plan: &DirectionPlan, leaf: Leaf) -> BTreeMap<Key, String> {
    let mut o = BTreeMap::new();
    o.insert(Key::Root, format!("root handle {MAJOR:x}: htb default {DEFAULT_MINOR:x}"));
    o.insert(
        Key::Class(ROOT_MINOR),
        format!("parent {MAJOR:x}: classid {MAJOR:x}:{ROOT_MINOR:x} htb rate {r}kbit ceil {r}kbit", r = plan.rate_kbps),
    );
    for c in &plan.classes {
        // HTB's quantum (bytes a class sends per round when borrowing): its default, rate / 10,
        // within the bounds HTB accepts without complaint.
        let quantum = (c.rate_kbps * 1000 / 8 / 10).clamp(1514, 200_000);
        o.insert(
            Key::Class(c.minor),
            format!(
                "parent {MAJOR:x}:{ROOT_MINOR:x} classid {MAJOR:x}:{m:x} htb rate {}kbit ceil {}kbit prio {} quantum \
                 {quantum}",
                c.rate_kbps,
                c.ceil_kbps,
                c.prio,
                m = c.minor
            ),
        );
        let queue = match leaf {
            Leaf::FqCodel => "fq_codel".to_owned(),
            // About 20 ms at the class's ceiling, in full-size datagrams.
            Leaf::Pfifo => format!("pfifo limit {}", (c.ceil_kbps * 1000 / 8 / 50 / 1514).clamp(10, 1000)),
        };
        o.insert(Key::LeafQueue(c.minor), format!("parent {MAJOR:x}:{m:x} handle {m:x}: {queue}", m = c.minor));
        if let Some(dscp) = c.dscp {
            // Raw u32 words, so the match says exactly which bits it reads. IPv4: the DSCP is the
            // top six bits of byte 1, the protocol byte 9, the UDP port at 20 (the agent's
            // datagrams have no IP options). IPv6: the traffic class is bits 4-11 of the first
            // word, the next header byte 6, the UDP port at 40.
            let dscp = u32::from(dscp);
            let (port_off_v4, port_off_v6, port_shift) = match plan.direction {
                ShapingDirection::Egress => (20, 40, 16),
                ShapingDirection::Ingress => (20, 40, 0),
            };
            let port = u32::from(plan.port) << port_shift;
            let port_mask: u32 = 0xffff << port_shift;
            o.insert(
                Key::Filter(c.minor, false),
                format!(
                    "parent {MAJOR:x}: protocol ip pref {pref} u32 match u32 0x{:08x} 0x00fc0000 at 0 match u32 \
                     0x00110000 0x00ff0000 at 8 match u32 0x{port:08x} 0x{port_mask:08x} at {port_off_v4} flowid \
                     {MAJOR:x}:{m:x}",
                    dscp << 18,
                    pref = c.minor,
                    m = c.minor
                ),
            );
            o.insert(
                Key::Filter(c.minor, true),
                format!(
                    "parent {MAJOR:x}: protocol ipv6 pref {pref} u32 match u32 0x{:08x} 0x0fc00000 at 0 match u32 \
                     0x00001100 0x0000ff00 at 4 match u32 0x{port:08x} 0x{port_mask:08x} at {port_off_v6} flowid \
                     {MAJOR:x}:{m:x}",
                    dscp << 22,
                    pref = c.minor + V6_PREF_OFFSET,
                    m = c.minor
                ),
            );
        }
    }
    o
}

fn filter_del(dev: &str, key: Key) -> Option<String> {
    match key {
        Key::Filter(minor, v6) => Some(format!(
            "filter del dev {dev} parent {MAJOR:x}: protocol {} pref {}",
            if v6 { "ipv6" } else { "ip" },
            if v6 { minor + V6_PREF_OFFSET } else { minor }
        )),
        _ => None,
    }
}

/// The tc batch that turns `old` (what is installed on `dev`, `None` for nothing) into `new`:
/// filters that go or change are deleted first, classes and queues created or changed in place
/// (`replace`), new filters added, and classes that go deleted last (with their queues).
/// Empty when nothing changes.
fn batch(dev: &str, old: Option<&BTreeMap<Key, String>>, new: &BTreeMap<Key, String>) -> Vec<String> {
    let empty = BTreeMap::new();
    let old = old.unwrap_or(&empty);
    let changed = |k: &Key| old.get(k) != new.get(k);
    let mut lines = Vec::new();
    for k in old.keys().filter(|k| matches!(k, Key::Filter(..)) && changed(k)) {
        lines.extend(filter_del(dev, *k));
    }
    for (k, args) in new.iter().filter(|(k, _)| changed(k)) {
        match k {
            Key::Root | Key::LeafQueue(_) => lines.push(format!("qdisc replace dev {dev} {args}")),
            Key::Class(_) => lines.push(format!("class replace dev {dev} {args}")),
            Key::Filter(..) => {}
        }
    }
    for (k, args) in new.iter().filter(|(k, _)| matches!(k, Key::Filter(..)) && changed(k)) {
        let _ = k;
        lines.push(format!("filter add dev {dev} {args}"));
    }
    for k in old.keys().rev() {
        if let (Key::Class(m), false) = (k, new.contains_key(k)) {
            lines.push(format!("class del dev {dev} classid {MAJOR:x}:{m:x}"));
        }
    }
    lines
}

thread_local! {
    /// `tc` commands this thread ran, for tests that check that an unchanged document runs none
    /// (per thread: tests run side by side, each agent on its own thread).
    static TC_RUNS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// `tc` commands the calling thread ran.
pub fn tc_runs() -> u64 {
    TC_RUNS.with(|c| c.get())
}

/// Runs `lines` as one `tc -batch`; the error carries what tc said.
fn run_tc(lines: &[String]) -> Result<(), String> {
    if lines.is_empty() {
        return Ok(());
    }
    TC_RUNS.with(|c| c.set(c.get() + 1));
    let mut script = String::new();
    for l in lines {
        let _ = writeln!(script, "{l}");
    }
    tracing::debug!(%script, "tc -batch");
    let mut child = Command::new("tc")
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running tc: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes()).map_err(|e| format!("writing to tc: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("running tc: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    // tc names the line it stopped at ("Command failed -:3"); show that line with the reason.
    let line = said
        .lines()
        .find_map(|l| l.strip_prefix("Command failed -:"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .and_then(|n| lines.get(n.wrapping_sub(1)));
    let reason: Vec<&str> =
        said.lines().filter(|l| !l.starts_with("Command failed") && !l.starts_with("Warning")).collect();
    Err(match line {
        Some(line) => format!("tc refused `{line}`: {}", reason.join("; ")),
        None => format!("tc failed: {}", reason.join("; ")),
    })
}

/// Runs `ip` with `args`.
fn run_ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).output().map_err(|e| format!("running ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("ip {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// The IFB device that carries what interface `index` receives.
fn ifb_name(index: u32) -> String {
    format!("pqi{index}")
}

/// What is installed on one link's interface.
#[derive(Debug, Clone)]
struct Installed {
    interface: String,
    index: u32,
    plan: LinkPlan,
    leaf: Leaf,
}

/// The shaping of one link: what is installed, the class ids given, and why the document's
/// shaping is not installed, if it is not.
#[derive(Debug, Default)]
struct LinkShaper {
    installed: Option<Installed>,
    /// The plan waiting for its interface to appear (retried at each status report).
    pending: Option<LinkPlan>,
    minors: BTreeMap<String, u16>,
    error: Option<String>,
}

/// The tc shaping of every link.
pub struct Shaper {
    options: ShapingOptions,
    netlink: Option<Netlink>,
    /// `None` until the first install finds out.
    leaf: Option<Leaf>,
    links: HashMap<String, LinkShaper>,
    /// Interfaces this agent has looked at, so that a hierarchy an earlier run left behind is
    /// removed once, before the first change.
    checked: std::collections::HashSet<String>,
}

impl std::fmt::Debug for Shaper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shaper").field("options", &self.options).field("leaf", &self.leaf).finish_non_exhaustive()
    }
}

impl Shaper {
    /// A shaper in the calling thread's network namespace (its netlink socket and tc commands).
    pub fn new(options: ShapingOptions) -> Shaper {
        let netlink = match Netlink::open() {
            Ok(n) => Some(n),
            Err(e) => {
                tracing::warn!(error = %e, "no route netlink socket: shaping counters unavailable");
                None
            }
        };
        Shaper { options, netlink, leaf: None, links: HashMap::new(), checked: Default::default() }
    }

    pub fn options(&self) -> ShapingOptions {
        self.options
    }

    fn index(&mut self, interface: &str) -> Result<u32, String> {
        let nl = self.netlink.as_mut().ok_or("no route netlink socket")?;
        netlink::link_index(nl, interface).map_err(|_| format!("interface {interface} does not exist"))
    }

    /// Makes every link's shaping match `config`. Never fails as a whole: a link whose shaping
    /// cannot be installed keeps what it had, and [`Shaper::status`] says why.
    pub fn apply(&mut self, config: &SiteConfig) {
        if !self.options.egress {
            // Shaping is off: take away what an earlier run of the agent may have left.
            for l in &config.links {
                if self.checked.insert(l.interface.clone()) {
                    self.remove_stale(&l.interface);
                }
            }
            return;
        }
        let gone: Vec<String> =
            self.links.keys().filter(|name| !config.links.iter().any(|l| &l.name == *name)).cloned().collect();
        for name in gone {
            if let Some(mut ls) = self.links.remove(&name) {
                if let Some(i) = ls.installed.take() {
                    self.uninstall(&i);
                }
            }
        }
        for link in &config.links {
            let mut ls = self.links.remove(&link.name).unwrap_or_default();
            let mut minors = ls.minors.clone();
            match plan_link(link, config, self.options, &mut minors) {
                Err(why) => {
                    tracing::warn!(link = %link.name, error = %why, "keeping the link's shaping as it is");
                    ls.error = Some(why);
                    ls.pending = None;
                }
                Ok(plan) => {
                    ls.pending = None;
                    match self.install(&mut ls, plan.clone()) {
                        Ok(()) => {
                            ls.minors = minors;
                            ls.error = None;
                        }
                        Err(why) => {
                            tracing::warn!(link = %link.name, error = %why, "keeping the link's shaping as it is");
                            // An interface that may yet appear: try again later.
                            if why.contains("does not exist") {
                                ls.pending = Some(plan);
                                ls.minors = minors;
                            }
                            ls.error = Some(why);
                        }
                    }
                }
            }
            self.links.insert(link.name.clone(), ls);
        }
    }

    /// Installs plans that waited for their interface, once it is there.
    pub fn retry(&mut self) {
        let waiting: Vec<String> =
            self.links.iter().filter(|(_, l)| l.pending.is_some()).map(|(n, _)| n.clone()).collect();
        for name in waiting {
            let Some(mut ls) = self.links.remove(&name) else { continue };
            if let Some(plan) = ls.pending.take() {
                match self.install(&mut ls, plan.clone()) {
                    Ok(()) => {
                        tracing::info!(link = %name, interface = %plan.interface, "shaping installed");
                        ls.error = None;
                    }
                    Err(why) => {
                        if why.contains("does not exist") {
                            ls.pending = Some(plan);
                        }
                        ls.error = Some(why);
                    }
                }
            }
            self.links.insert(name, ls);
        }
    }

    /// Removes a hierarchy of ours that an earlier run left on `interface`.
    fn remove_stale(&mut self, interface: &str) {
        let Ok(index) = self.index(interface) else { return };
        let Some(nl) = self.netlink.as_mut() else { return };
        let ours = netlink::tc_classes(nl, index).is_ok_and(|c| c.iter().any(|((major, _), _)| *major == MAJOR));
        if ours {
            tracing::info!(%interface, "removing the shaping an earlier run left");
            let _ = run_tc(&[format!("qdisc del dev {interface} root")]);
        }
        let ifb = ifb_name(index);
        if self.index(&ifb).is_ok() {
            let _ = run_tc(&[format!("qdisc del dev {interface} ingress")]);
            let _ = run_ip(&["link", "del", &ifb]);
        }
    }

    fn leaf(&self) -> Leaf {
        self.leaf.unwrap_or(Leaf::Pfifo)
    }

    /// Makes the link's interface carry `plan`; on failure what was installed stays.
    fn install(&mut self, ls: &mut LinkShaper, plan: LinkPlan) -> Result<(), String> {
        let index = self.index(&plan.interface)?;
        let current = ls.installed.clone().filter(|i| i.interface == plan.interface && i.index == index);
        let current = current.as_ref();
        if current.is_some_and(|i| i.plan == plan && i.leaf == self.leaf()) {
            return Ok(());
        }
        let fresh = current.is_none();
        if fresh && self.checked.insert(plan.interface.clone()) {
            self.remove_stale(&plan.interface);
        }
        let leaf = self.leaf();
        let old_egress = current.map(|i| objects(&i.plan.egress, i.leaf));
        let new_egress = objects(&plan.egress, leaf);
        if let Err(e) = run_tc(&batch(&plan.interface, old_egress.as_ref(), &new_egress)) {
            // Put back what was there (the batch may have stopped half-way).
            match (current, old_egress) {
                (Some(_), Some(old)) => {
                    let mut rollback = batch(&plan.interface, Some(&new_egress), &old);
                    rollback.retain(|l| !l.starts_with("filter del"));
                    let full = batch(&plan.interface, None, &old);
                    let _ = run_tc(&rollback).or_else(|_| run_tc(&full));
                }
                _ => {
                    let _ = run_tc(&[format!("qdisc del dev {} root", plan.interface)]);
                }
            }
            return Err(e);
        }
        if self.leaf.is_none() {
            self.leaf = Some(self.detect_leaf(&plan.interface));
            if self.leaf() != leaf {
                let better = objects(&plan.egress, self.leaf());
                if let Err(e) = run_tc(&batch(&plan.interface, Some(&new_egress), &better)) {
                    tracing::warn!(error = %e, "fq_codel leaves refused; keeping pfifo");
                    self.leaf = Some(Leaf::Pfifo);
                }
            }
        }
        let leaf = self.leaf();
        let ingress_result = self.install_ingress(
            index,
            current.and_then(|i| i.plan.ingress.as_ref().map(|p| (p, i.leaf))),
            &plan,
            leaf,
        );
        let old = ls.installed.take();
        let kept_ingress = match &ingress_result {
            Ok(()) => plan.ingress.clone(),
            Err(_) => current.and_then(|i| i.plan.ingress.clone()),
        };
        let mut recorded = plan.clone();
        recorded.ingress = kept_ingress;
        ls.installed = Some(Installed { interface: plan.interface.clone(), index, plan: recorded, leaf });
        // A moved link: the old interface's hierarchy goes once the new one is in place.
        if let Some(old) = old.filter(|o| o.interface != plan.interface || o.index != index) {
            self.uninstall(&old);
        }
        ingress_result
    }

    /// Installs or changes the IFB redirect and hierarchy of a link's receiving direction.
    fn install_ingress(
        &mut self,
        index: u32,
        old: Option<(&DirectionPlan, Leaf)>,
        plan: &LinkPlan,
        leaf: Leaf,
    ) -> Result<(), String> {
        let ifb = ifb_name(index);
        let Some(new) = &plan.ingress else {
            if old.is_some() {
                let _ = run_tc(&[format!("qdisc del dev {} ingress", plan.interface)]);
                let _ = run_ip(&["link", "del", &ifb]);
            }
            return Ok(());
        };
        let old_objects = old.map(|(p, l)| objects(p, l));
        let new_objects = objects(new, leaf);
        if old.is_none() {
            // (Looked up through netlink: /sys shows the namespace it was mounted in.)
            if self.index(&ifb).is_err() {
                run_ip(&["link", "add", &ifb, "type", "ifb"])?;
            }
            run_ip(&["link", "set", &ifb, "up"])?;
        }
        run_tc(&batch(&ifb, old_objects.as_ref(), &new_objects)).map_err(|e| format!("ingress: {e}"))?;
        if old.is_none() {
            run_tc(&[
                format!("qdisc replace dev {} handle ffff: ingress", plan.interface),
                format!(
                    "filter replace dev {} parent ffff: protocol all pref 1 u32 match u32 0 0 action mirred egress \
                     redirect dev {ifb}",
                    plan.interface
                ),
            ])
            .map_err(|e| format!("ingress: {e}"))?;
        }
        Ok(())
    }

    /// Whether the kernel has fq_codel: tries it as the default class's queue on `interface`.
    fn detect_leaf(&self, interface: &str) -> Leaf {
        let probe = format!(
            "qdisc replace dev {interface} parent {MAJOR:x}:{DEFAULT_MINOR:x} handle {DEFAULT_MINOR:x}: fq_codel"
        );
        match run_tc(&[probe]) {
            Ok(()) => Leaf::FqCodel,
            Err(e) => {
                tracing::info!(reason = %e, "no fq_codel in this kernel: each class queues in a short pfifo");
                Leaf::Pfifo
            }
        }
    }

    fn uninstall(&mut self, i: &Installed) {
        let mut lines = vec![format!("qdisc del dev {} root", i.interface)];
        if i.plan.ingress.is_some() {
            lines.push(format!("qdisc del dev {} ingress", i.interface));
        }
        for l in lines {
            if let Err(e) = run_tc(&[l]) {
                tracing::warn!(interface = %i.interface, error = %e, "removing shaping");
            }
        }
        if i.plan.ingress.is_some() {
            let _ = run_ip(&["link", "del", &ifb_name(i.index)]);
        }
    }

    /// Takes away everything this agent installed.
    pub fn remove_all(&mut self) {
        let installed: Vec<Installed> = self.links.values_mut().filter_map(|l| l.installed.take()).collect();
        for i in installed {
            self.uninstall(&i);
        }
        self.links.clear();
    }

    /// The egress rate of link `name` as installed, kbit/s.
    pub fn egress_kbps(&self, name: &str) -> Option<u64> {
        self.links.get(name)?.installed.as_ref().map(|i| i.plan.egress.rate_kbps)
    }

    /// Why link `name`'s shaping is not what the document asks for, if it is not.
    pub fn error(&self, name: &str) -> Option<String> {
        self.links.get(name)?.error.clone()
    }

    /// What link `name`'s status says about shaping; `None` when shaping is off.
    pub fn status(&mut self, name: &str) -> Option<LinkShaping> {
        if !self.options.egress {
            return None;
        }
        let ls = self.links.get(name)?;
        let error = ls.error.clone();
        let Some(i) = ls.installed.clone() else {
            let interface = ls.pending.as_ref().map(|p| p.interface.clone()).unwrap_or_default();
            return Some(LinkShaping { interface, error, ..Default::default() });
        };
        let mut classes = Vec::new();
        let egress = self.class_stats(i.index);
        push_classes(&mut classes, &i.plan.egress, &egress);
        if let Some(ingress) = &i.plan.ingress {
            let ifb = self.index(&ifb_name(i.index)).ok();
            let stats = ifb.map(|x| self.class_stats(x)).unwrap_or_default();
            push_classes(&mut classes, ingress, &stats);
        }
        Some(LinkShaping {
            interface: i.interface.clone(),
            egress_kbps: Some(i.plan.egress.rate_kbps),
            ingress_kbps: i.plan.ingress.as_ref().map(|p| p.rate_kbps),
            leaf: Some(i.leaf.as_str().to_owned()),
            error,
            classes,
        })
    }

    fn class_stats(&mut self, index: u32) -> HashMap<u16, ClassStats> {
        let Some(nl) = self.netlink.as_mut() else { return HashMap::new() };
        match netlink::tc_classes(nl, index) {
            Ok(list) => list.into_iter().filter(|((major, _), _)| *major == MAJOR).map(|((_, m), s)| (m, s)).collect(),
            Err(e) => {
                tracing::debug!(error = %e, "reading tc class counters");
                HashMap::new()
            }
        }
    }
}

fn push_classes(out: &mut Vec<ShapingClass>, plan: &DirectionPlan, stats: &HashMap<u16, ClassStats>) {
    for c in &plan.classes {
        let s = stats.get(&c.minor).copied().unwrap_or_default();
        out.push(ShapingClass {
            class: c.name.clone(),
            priority: c.priority,
            direction: plan.direction,
            rate_kbps: c.rate_kbps,
            ceil_kbps: c.ceil_kbps,
            bytes: s.bytes,
            packets: s.packets,
            drops: s.drops,
            backlog_bytes: s.backlog_bytes,
            backlog_packets: s.backlog_packets,
        });
    }
}

impl Drop for Shaper {
    fn drop(&mut self) {
        self.remove_all();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use patronus_api::ConfigQosClass;

    fn class(name: &str, priority: u8, dscp: u8, guaranteed: u8, max: u8) -> ConfigQosClass {
        ConfigQosClass { name: name.into(), priority, dscp, guaranteed_percent: guaranteed, max_percent: max }
    }

    fn config(mbps: u32, classes: Vec<ConfigQosClass>) -> SiteConfig {
        let mut c = super::super::netns_free_config();
        c.links[0].bandwidth_up_mbps = mbps;
        c.links[0].bandwidth_down_mbps = mbps;
        c.qos_classes = classes;
        c
    }

    fn plan(c: &SiteConfig, minors: &mut BTreeMap<String, u16>) -> Result<LinkPlan, String> {
        plan_link(&c.links[0], c, ShapingOptions::default(), minors)
    }

    #[test]
    fn classes_get_their_shares_of_95_percent_of_the_link() {
        let c = config(20, vec![class("voice", 1, 46, 20, 100), class("bulk", 8, 8, 50, 80)]);
        let p = plan(&c, &mut BTreeMap::new()).unwrap();
        assert_eq!(p.egress.rate_kbps, 19_000);
        assert!(p.ingress.is_none(), "ingress is off by default");
        let by = |n: Option<&str>| p.egress.classes.iter().find(|c| c.name.as_deref() == n).unwrap().clone();
        let voice = by(Some("voice"));
        assert_eq!((voice.rate_kbps, voice.ceil_kbps, voice.prio, voice.dscp), (3_800, 19_000, 0, Some(46)));
        let bulk = by(Some("bulk"));
        assert_eq!((bulk.rate_kbps, bulk.ceil_kbps, bulk.prio, bulk.dscp), (9_500, 15_200, 7, Some(8)));
        let default = by(None);
        assert_eq!((default.rate_kbps, default.ceil_kbps, default.prio, default.dscp), (5_700, 19_000, 7, None));
    }

    #[test]
    fn bad_shaping_is_refused_with_a_reason() {
        let zero = config(0, vec![]);
        let e = plan(&zero, &mut BTreeMap::new()).unwrap_err();
        assert!(e.contains("bandwidth_up_mbps is 0"), "{e}");
        let tiny = config(1, vec![class("voice", 1, 46, 5, 100)]);
        let e = plan(&tiny, &mut BTreeMap::new()).unwrap_err();
        assert!(e.contains("QoS class voice") && e.contains("47 kbit/s, below the 64 kbit/s"), "{e}");
        let over = config(100, vec![class("a", 1, 46, 60, 100), class("b", 2, 8, 50, 100)]);
        assert!(plan(&over, &mut BTreeMap::new()).unwrap_err().contains("110 %"));
        // Guaranteeing everything leaves the default class its floor.
        let full = config(20, vec![class("a", 4, 10, 70, 100), class("b", 4, 12, 30, 100)]);
        let p = plan(&full, &mut BTreeMap::new()).unwrap();
        assert_eq!(p.egress.classes.iter().find(|c| c.name.is_none()).unwrap().rate_kbps, FLOOR_KBPS);
    }

    #[test]
    fn an_unchanged_document_changes_nothing_and_a_change_touches_only_what_changed() {
        let mut minors = BTreeMap::new();
        let c = config(20, vec![class("voice", 1, 46, 20, 100), class("bulk", 8, 8, 50, 80)]);
        let a = objects(&plan(&c, &mut minors).unwrap().egress, Leaf::Pfifo);
        let first = batch("eth0", None, &a);
        assert!(first[0].starts_with("qdisc replace dev eth0 root handle 7071: htb default 2"), "{first:?}");
        assert_eq!(first.iter().filter(|l| l.starts_with("filter add")).count(), 4);
        let again = objects(&plan(&c, &mut minors).unwrap().egress, Leaf::Pfifo);
        assert!(batch("eth0", Some(&a), &again).is_empty());
        // More bandwidth: the classes change in place, the root qdisc and the filters stay.
        let faster = config(40, c.qos_classes.clone());
        let b = objects(&plan(&faster, &mut minors).unwrap().egress, Leaf::Pfifo);
        let lines = batch("eth0", Some(&a), &b);
        assert!(lines.iter().all(|l| l.starts_with("class replace") || l.starts_with("qdisc replace dev eth0 parent")));
        assert!(!lines.iter().any(|l| l.contains(" root ")), "{lines:?}");
        // A class goes: its filters first, the class last; the other class keeps its id.
        let fewer = config(40, vec![class("bulk", 8, 8, 50, 80)]);
        let p = plan(&fewer, &mut minors).unwrap();
        let d = objects(&p.egress, Leaf::Pfifo);
        let lines = batch("eth0", Some(&b), &d);
        assert_eq!(lines.first().unwrap(), "filter del dev eth0 parent 7071: protocol ip pref 16");
        assert_eq!(lines.last().unwrap(), "class del dev eth0 classid 7071:10");
        assert_eq!(p.egress.classes.iter().find(|c| c.name.as_deref() == Some("bulk")).unwrap().minor, 0x11);
    }

    #[test]
    fn filters_match_the_dscp_protocol_and_port_of_the_agents_datagrams() {
        let c = config(20, vec![class("voice", 1, 46, 20, 100)]);
        let o = objects(&plan(&c, &mut BTreeMap::new()).unwrap().egress, Leaf::Pfifo);
        let v4 = &o[&Key::Filter(0x10, false)];
        // DSCP 46 = TOS 0xb8: 0xb8 << 16 in the first word; port 51820 = 0xca6c.
        assert!(v4.contains("match u32 0x00b80000 0x00fc0000 at 0"), "{v4}");
        assert!(v4.contains("match u32 0xca6c0000 0xffff0000 at 20"), "{v4}");
        let v6 = &o[&Key::Filter(0x10, true)];
        assert!(v6.contains("match u32 0x0b800000 0x0fc00000 at 0"), "{v6}");
        assert!(v6.contains("0xca6c0000 0xffff0000 at 40") && v6.contains("pref 2064"), "{v6}");
    }
}
