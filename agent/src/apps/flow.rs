//! The classifier: a flow's application from its 5-tuple and its first packets.
//!
//! At a flow's first packet, a live DNS answer for its destination or a prefix rule decides at
//! once. Otherwise the payloads the flow's initiator sends are inspected (TLS, QUIC, HTTP, SSH,
//! SIP, DNS) until one names the application or none can, within a budget of packets and bytes
//! per flow; then a port rule is the fallback. A recognised protocol whose name is in no
//! application (a TLS SNI of an unlisted site) is that protocol's application (`tls`).
//!
//! Bounded: flows are remembered up to `Limits::flows` (idle ones swept), and the ones still
//! being inspected, which hold their bytes, up to `Limits::inspecting`; a flow beyond either
//! is decided from its current packet alone.

use std::time::{Duration, Instant};

use patronus_api::applications::Signature;
use rustc_hash::FxHashMap as HashMap;

use super::catalogue::{AppId, Catalogue};
use super::dns::DnsCache;
use super::quic::{initial_header, CryptoStream, InitialKeys};
use super::{dns, http, sip, ssh, tls, Inspect};
use crate::dataplane::node::flow::FlowKey;

const TCP: u8 = 6;
const UDP: u8 = 17;

/// What the classifier knows of a flow so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Its packets so far could still name an application.
    Pending,
    Recognised(AppId),
    /// Nothing in its first packets, its destination or its port names an application.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Flows remembered (recognised, unknown or pending).
    pub flows: usize,
    /// Flows being inspected at once (each holds up to `bytes` of its payload).
    pub inspecting: usize,
    /// Packets of a flow inspected at most, empty ones (a SYN, ACKs) included.
    pub packets: u32,
    /// Payload bytes of a flow inspected at most.
    pub bytes: usize,
    /// A flow without a packet for this long is forgotten.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { flows: 65536, inspecting: 4096, packets: 8, bytes: 8192, idle: Duration::from_secs(60) }
    }
}

/// What the classifier decided so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub recognised: u64,
    /// Of `recognised`: decided at the first packet by a DNS answer seen earlier.
    pub by_dns: u64,
    pub unknown: u64,
    /// Flows decided from one packet because a table was full.
    pub untracked: u64,
}

enum State {
    Decided(Option<AppId>),
    Inspecting(Box<Inspection>),
}

#[derive(Default)]
struct Inspection {
    packets: u32,
    /// A TCP flow's stream so far.
    stream: Vec<u8>,
    /// A QUIC flow's Initial keys and CRYPTO stream, from its first Initial on.
    quic: Option<(InitialKeys, CryptoStream)>,
}

struct Entry {
    state: State,
    last_seen: Instant,
}

pub struct Classifier {
    catalogue: Catalogue,
    dns: DnsCache,
    flows: HashMap<FlowKey, Entry>,
    inspecting: usize,
    limits: Limits,
    last_sweep: Option<Instant>,
    stats: Stats,
    /// Per application (by `AppId::index`): flows recognised as it.
    app_flows: Vec<u64>,
}

impl Classifier {
    pub fn new(catalogue: Catalogue, limits: Limits) -> Classifier {
        Classifier {
            app_flows: vec![0; catalogue.len()],
            catalogue,
            dns: DnsCache::default(),
            flows: HashMap::default(),
            inspecting: 0,
            limits,
            last_sweep: None,
            stats: Stats::default(),
        }
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Switches to `catalogue` (a document changed the tenant's applications). Flows are
    /// classified afresh; what DNS answers taught and the per-application flow counts carry over
    /// for the applications both catalogues have, by name. Returns each old application's new id
    /// (by old index), for the caller's own per-application state.
    pub fn set_catalogue(&mut self, catalogue: Catalogue) -> Vec<Option<AppId>> {
        let map: Vec<Option<AppId>> =
            (0..self.catalogue.len()).map(|i| catalogue.find(self.catalogue.name(AppId::from_raw(i as u16)))).collect();
        self.dns.remap(&map);
        let mut app_flows = vec![0; catalogue.len()];
        for (old, new) in map.iter().enumerate() {
            if let (Some(new), Some(n)) = (new, self.app_flows.get(old)) {
                app_flows[new.index()] += n;
            }
        }
        self.app_flows = app_flows;
        self.flows.clear();
        self.inspecting = 0;
        self.catalogue = catalogue;
        map
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Flows recognised as the application `app`, so far.
    pub fn app_flows(&self, app: AppId) -> u64 {
        self.app_flows.get(app.index()).copied().unwrap_or(0)
    }

    pub fn flows(&self) -> usize {
        self.flows.len()
    }

    /// Learns from a DNS response that passed through the site (see `DnsCache::learn`).
    pub fn learn_dns(&mut self, now: Instant, message: &[u8]) -> usize {
        self.dns.learn(now, &self.catalogue, message)
    }

    /// One packet of `flow` from its initiator, with its transport payload (empty for a SYN or
    /// an ACK). Packets must come in order; the verdict of a decided flow never changes.
    pub fn packet(&mut self, now: Instant, flow: &FlowKey, payload: &[u8]) -> Verdict {
        if let Some(entry) = self.flows.get_mut(flow) {
            entry.last_seen = now;
            let inspection = match &mut entry.state {
                State::Decided(app) => return verdict(*app),
                State::Inspecting(inspection) => inspection,
            };
            let outcome = inspect(&self.catalogue, &self.limits, flow, inspection, payload);
            if let Some(app) = outcome {
                entry.state = State::Decided(app);
                self.inspecting -= 1;
                self.count(app, false);
                return verdict(app);
            }
            return Verdict::Pending;
        }
        self.first_packet(now, flow, payload)
    }

    /// Forgets a flow that ended (FIN, RST, or the dataplane's own idle expiry).
    pub fn end(&mut self, flow: &FlowKey) {
        if let Some(Entry { state: State::Inspecting(_), .. }) = self.flows.remove(flow) {
            self.inspecting -= 1;
        }
    }

    fn first_packet(&mut self, now: Instant, flow: &FlowKey, payload: &[u8]) -> Verdict {
        let early = self
            .dns
            .lookup(now, flow.dst)
            .map(|app| (app, true))
            .or_else(|| self.catalogue.by_prefix(flow.protocol, flow.dst, flow.dst_port).map(|app| (app, false)));
        let room = self.make_room(now);
        if let Some((app, by_dns)) = early {
            if room {
                self.flows.insert(*flow, Entry { state: State::Decided(Some(app)), last_seen: now });
            } else {
                self.stats.untracked += 1;
            }
            self.count(Some(app), by_dns);
            return Verdict::Recognised(app);
        }
        let mut inspection = Box::<Inspection>::default();
        let outcome = inspect(&self.catalogue, &self.limits, flow, &mut inspection, payload);
        let tracked = room && (outcome.is_some() || self.inspecting < self.limits.inspecting);
        if !tracked {
            self.stats.untracked += 1;
            // No state to continue from: decide now, from this packet.
            let app = outcome.unwrap_or_else(|| fallback(&self.catalogue, flow));
            self.count(app, false);
            return verdict(app);
        }
        match outcome {
            Some(app) => {
                self.flows.insert(*flow, Entry { state: State::Decided(app), last_seen: now });
                self.count(app, false);
                verdict(app)
            }
            None => {
                self.flows.insert(*flow, Entry { state: State::Inspecting(inspection), last_seen: now });
                self.inspecting += 1;
                Verdict::Pending
            }
        }
    }

    fn count(&mut self, app: Option<AppId>, by_dns: bool) {
        match app {
            Some(app) => {
                self.stats.recognised += 1;
                if let Some(n) = self.app_flows.get_mut(app.index()) {
                    *n += 1;
                }
            }
            None => self.stats.unknown += 1,
        }
        if by_dns {
            self.stats.by_dns += 1;
        }
    }

    /// Whether a new flow can be remembered: when the table is full, idle flows are swept (at
    /// most once a second, so a full table of live flows costs one scan a second).
    fn make_room(&mut self, now: Instant) -> bool {
        if self.flows.len() < self.limits.flows {
            return true;
        }
        if self.last_sweep.is_some_and(|t| now.saturating_duration_since(t) < Duration::from_secs(1)) {
            return false;
        }
        self.last_sweep = Some(now);
        let idle = self.limits.idle;
        let mut swept_inspecting = 0;
        self.flows.retain(|_, e| {
            let keep = now.saturating_duration_since(e.last_seen) < idle;
            if !keep && matches!(e.state, State::Inspecting(_)) {
                swept_inspecting += 1;
            }
            keep
        });
        self.inspecting -= swept_inspecting;
        self.flows.len() < self.limits.flows
    }
}

fn verdict(app: Option<AppId>) -> Verdict {
    match app {
        Some(app) => Verdict::Recognised(app),
        None => Verdict::Unknown,
    }
}

fn fallback(catalogue: &Catalogue, flow: &FlowKey) -> Option<AppId> {
    catalogue.by_port(flow.protocol, flow.dst_port)
}

/// One more packet of a flow under inspection: `Some(decision)` once decided, `None` while its
/// packets may still name an application.
fn inspect(
    catalogue: &Catalogue,
    limits: &Limits,
    flow: &FlowKey,
    inspection: &mut Inspection,
    payload: &[u8],
) -> Option<Option<AppId>> {
    inspection.packets += 1;
    let found = match flow.protocol {
        TCP => {
            let room = limits.bytes.saturating_sub(inspection.stream.len());
            inspection.stream.extend_from_slice(&payload[..payload.len().min(room)]);
            inspect_stream(catalogue, &inspection.stream)
        }
        UDP if !payload.is_empty() => inspect_datagram(catalogue, inspection, payload),
        UDP => Inspect::NeedMore,
        // Other protocols carry nothing inspected: ports and prefixes only.
        _ => Inspect::NotThis,
    };
    let out_of_budget = inspection.packets >= limits.packets || inspection.stream.len() >= limits.bytes;
    match found {
        Inspect::Found(app) => Some(Some(app)),
        Inspect::NeedMore if !out_of_budget => None,
        _ => Some(fallback(catalogue, flow)),
    }
}

/// The application a server name stands for, or else the protocol's own.
fn named(catalogue: &Catalogue, name: Option<&[u8]>, protocol: Signature) -> Option<AppId> {
    name.and_then(|n| catalogue.by_domain(n)).or_else(|| catalogue.by_signature(protocol))
}

/// Combines the inspectors of one transport: the first that finds decides; "need more" while
/// any could still find.
fn first_found(results: impl IntoIterator<Item = Inspect<Option<AppId>>>) -> Inspect<AppId> {
    let mut need_more = false;
    for r in results {
        match r {
            Inspect::Found(Some(app)) => return Inspect::Found(app),
            // Recognised a protocol the catalogue has no application for.
            Inspect::Found(None) => {}
            Inspect::NeedMore => need_more = true,
            Inspect::NotThis => {}
        }
    }
    if need_more {
        Inspect::NeedMore
    } else {
        Inspect::NotThis
    }
}

fn map<T, U>(i: Inspect<T>, f: impl FnOnce(T) -> U) -> Inspect<U> {
    match i {
        Inspect::Found(t) => Inspect::Found(f(t)),
        Inspect::NeedMore => Inspect::NeedMore,
        Inspect::NotThis => Inspect::NotThis,
    }
}

fn inspect_stream(catalogue: &Catalogue, stream: &[u8]) -> Inspect<AppId> {
    if stream.is_empty() {
        return Inspect::NeedMore;
    }
    // Each inspector looks at the first byte first, so trying them all costs little.
    first_found([
        map(tls::stream_server_name(stream), |n| named(catalogue, n.as_deref(), Signature::Tls)),
        map(http::request_host(stream), |n| named(catalogue, n, Signature::Http)),
        map(ssh::identification(stream), |()| catalogue.by_signature(Signature::Ssh)),
        map(sip::request(stream), |()| catalogue.by_signature(Signature::Sip)),
    ])
}

fn inspect_datagram(catalogue: &Catalogue, inspection: &mut Inspection, datagram: &[u8]) -> Inspect<AppId> {
    if inspection.quic.is_none() {
        if let Some(header) = initial_header(datagram) {
            inspection.quic = InitialKeys::client(header.version, header.dcid).map(|k| (k, CryptoStream::default()));
        }
    }
    if let Some((keys, crypto)) = &mut inspection.quic {
        let mut well_formed = true;
        let opened = keys.open_initials(datagram, |payload| well_formed &= crypto.add_frames(payload));
        // A datagram that is not an Initial of this connection (a 0-RTT or a 1-RTT packet)
        // adds nothing; the flow waits for the next one within its budget.
        let found = match crypto.server_name() {
            Inspect::NeedMore if opened > 0 && !well_formed => Inspect::NotThis,
            other => other,
        };
        return first_found([map(found, |n| named(catalogue, n, Signature::Quic))]);
    }
    first_found([
        map(dns::query(datagram), |()| catalogue.by_signature(Signature::Dns)),
        map(sip::request(datagram), |()| catalogue.by_signature(Signature::Sip)),
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key(protocol: u8, dst: &str, dst_port: u16) -> FlowKey {
        FlowKey { src: "10.1.0.2".parse().unwrap(), dst: dst.parse().unwrap(), protocol, src_port: 40000, dst_port }
    }

    fn classifier() -> Classifier {
        Classifier::new(Catalogue::builtin().unwrap(), Limits::default())
    }

    fn named(c: &Classifier, v: Verdict) -> String {
        match v {
            Verdict::Recognised(app) => c.catalogue().name(app).to_string(),
            other => format!("{other:?}"),
        }
    }

    /// One packet's verdict, with the application by name.
    fn packet(c: &mut Classifier, now: Instant, flow: &FlowKey, payload: &[u8]) -> String {
        let v = c.packet(now, flow, payload);
        named(c, v)
    }

    /// Feeds the packets of one flow; the verdicts after each.
    fn feed(c: &mut Classifier, flow: &FlowKey, packets: &[&[u8]]) -> Vec<String> {
        let now = Instant::now();
        packets.iter().map(|p| packet(c, now, flow, p)).collect::<Vec<_>>()
    }

    #[test]
    fn tls_flows_are_recognised_by_sni_after_the_handshake_and_stay_so() {
        let mut c = classifier();
        let flow = key(TCP, "192.0.2.10", 443);
        let hello = include_bytes!("testdata/tls_curl_youtube.bin");
        // SYN, the ACK, the ClientHello in two segments, then data.
        let (a, b) = hello.split_at(300);
        assert_eq!(
            feed(&mut c, &flow, &[b"", b"", a, b, b"\x17\x03\x03"]),
            ["Pending", "Pending", "Pending", "youtube", "youtube"]
        );
        assert_eq!(c.stats(), Stats { recognised: 1, ..Stats::default() });
    }

    #[test]
    fn an_unlisted_sni_is_tls_and_an_unlisted_host_is_http() {
        let mut c = classifier();
        let tls = feed(&mut c, &key(TCP, "192.0.2.10", 443), &[include_bytes!("testdata/tls_curl_unlisted.bin")]);
        let http = feed(&mut c, &key(TCP, "192.0.2.10", 80), &[include_bytes!("testdata/http_curl_unlisted.bin")]);
        let github = feed(&mut c, &key(TCP, "192.0.2.10", 8080), &[include_bytes!("testdata/http_curl_github.bin")]);
        assert_eq!([tls, http, github], [["tls"], ["http"], ["github"]]);
    }

    #[test]
    fn quic_ssh_sip_and_dns_flows_are_recognised_from_their_first_packet() {
        let mut c = classifier();
        let cases: [(FlowKey, &[u8], &str); 5] = [
            (key(UDP, "192.0.2.10", 443), include_bytes!("testdata/quic_aioquic_youtube_v1.bin"), "youtube"),
            (key(UDP, "192.0.2.11", 4433), include_bytes!("testdata/quic_aioquic_zoom_v2.bin"), "zoom"),
            (key(TCP, "192.0.2.12", 2222), include_bytes!("testdata/ssh_openssh.bin"), "ssh"),
            (key(UDP, "192.0.2.13", 5080), include_bytes!("testdata/sip_sipsak_options.bin"), "sip"),
            (key(UDP, "192.0.2.14", 5353), include_bytes!("testdata/dns_query_zoom.bin"), "dns"),
        ];
        for (flow, packet, want) in cases {
            assert_eq!(feed(&mut c, &flow, &[packet]), [want], "{flow:?}");
        }
    }

    #[test]
    fn after_a_dns_answer_the_first_packet_of_a_flow_to_its_address_is_recognised() {
        let mut c = classifier();
        let now = Instant::now();
        let flow = key(TCP, "198.51.100.7", 443);
        assert_eq!(c.learn_dns(now, include_bytes!("testdata/dns_answer_office_cname.bin")), 1);
        // The SYN already names it.
        assert_eq!(packet(&mut c, now, &flow, b""), "microsoft-365");
        assert_eq!(c.stats().by_dns, 1);
        // After the answer's TTL (120 s), a new flow to it waits for its payload again.
        let later = now + Duration::from_secs(121);
        assert_eq!(c.packet(later, &key(TCP, "198.51.100.7", 8443), b""), Verdict::Pending);
    }

    #[test]
    fn ports_and_prefixes_decide_when_payloads_cannot() {
        let mut c = classifier();
        // RDP's first bytes are no signature of ours: the port decides at the first payload.
        let rdp = b"\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00";
        assert_eq!(feed(&mut c, &key(TCP, "192.0.2.20", 3389), &[b"", rdp]), ["Pending", "rdp"]);
        // Teams media, by its prefix and port, at the first packet whatever it carries.
        assert_eq!(feed(&mut c, &key(UDP, "52.112.5.6", 3480), &[b"\x00\x01\x00\x00"]), ["teams"]);
        // Random bytes to a port of no application.
        assert_eq!(feed(&mut c, &key(TCP, "192.0.2.21", 7000), &[b"\x8f\x11\x02junk"]), ["Unknown"]);
    }

    #[test]
    fn a_flow_that_never_finishes_its_hello_is_decided_when_its_budget_ends() {
        let mut c = classifier();
        let flow = key(TCP, "192.0.2.30", 443);
        let hello = include_bytes!("testdata/tls_curl_youtube.bin");
        let packets: Vec<&[u8]> = (0..8).map(|i| &hello[i * 10..i * 10 + 10]).collect();
        let verdicts = feed(&mut c, &flow, &packets);
        assert_eq!(verdicts[..7], ["Pending"; 7]);
        assert_eq!(verdicts[7], "Unknown");
    }

    #[test]
    fn the_tables_are_bounded_and_a_flow_beyond_them_is_decided_at_once() {
        let limits = Limits { flows: 4, inspecting: 2, ..Limits::default() };
        let mut c = Classifier::new(Catalogue::builtin().unwrap(), limits);
        let now = Instant::now();
        for i in 0..2 {
            assert_eq!(c.packet(now, &key(TCP, "192.0.2.40", 1000 + i), b""), Verdict::Pending);
        }
        // A third pending flow has no room: decided from its SYN, by its port (ssh).
        assert_eq!(packet(&mut c, now, &key(TCP, "192.0.2.40", 22), b""), "ssh");
        for i in 0..2 {
            assert_eq!(feed(&mut c, &key(TCP, "192.0.2.41", 2000 + i), &[b"SSH-2.0-x\r\n"]), ["ssh"]);
        }
        assert_eq!(c.flows(), 4);
        assert_eq!(c.stats().untracked, 1);
        // Idle flows make room again.
        let later = now + Limits::default().idle + Duration::from_secs(1);
        assert_eq!(c.packet(later, &key(TCP, "192.0.2.42", 3000), b""), Verdict::Pending);
        assert_eq!(c.flows(), 1);
    }

    #[test]
    fn an_ended_flow_is_forgotten_and_frees_its_inspection_slot() {
        let limits = Limits { inspecting: 1, ..Limits::default() };
        let mut c = Classifier::new(Catalogue::builtin().unwrap(), limits);
        let now = Instant::now();
        let first = key(TCP, "192.0.2.50", 443);
        assert_eq!(c.packet(now, &first, b""), Verdict::Pending);
        c.end(&first);
        assert_eq!(c.flows(), 0);
        // Its slot is free: the next flow is inspected, not decided from its SYN.
        assert_eq!(c.packet(now, &key(TCP, "192.0.2.50", 8443), b""), Verdict::Pending);
        assert_eq!(c.stats().untracked, 0);
    }
}
