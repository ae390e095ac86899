//! A simulated network for [`Node`]s: several nodes joined in memory, each of their links an
//! access line with its own latency, jitter, loss and cut, driven by an invented clock.
//!
//! A datagram a node sends on one of its links to a peer's address crosses the sender's line and
//! the receiver's line (the line that owns that address); it is lost if either is cut or drops
//! it, and arrives after both lines' latency plus jitter. Loss and jitter come from a seeded RNG,
//! so a run is the same every time. (boringtun's own timers, rekeying after two minutes, read the
//! real clock; the scenarios here are far shorter.)

#![allow(clippy::unwrap_used)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use boringtun::x25519::StaticSecret;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::path::{LinkId, PathTiming};
use super::policy::PolicyConfig;
use super::{Event, IndexChange, LinkConfig, Node, NodeConfig, PeerConfig};

/// The size of the packets `Sim::udp` makes; encrypted, 132 bytes (boringtun does not pad), so
/// they are told apart from probes (72) in `SimNode::sent`.
const PACKET_LEN: usize = 100;
const PACKET_DATAGRAM_LEN: usize = PACKET_LEN + 32;

/// What a line does to the datagrams that cross it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Line {
    pub latency: Duration,
    /// Up to this much more, uniformly.
    pub jitter: Duration,
    /// Fraction of datagrams lost, 0 to 1.
    pub loss: f64,
    pub cut: bool,
}

struct SimLink {
    name: String,
    id: LinkId,
    address: SocketAddr,
    line: Line,
}

pub struct SimNode {
    pub node: Node,
    pub site_id: Uuid,
    pub overlay: Ipv4Addr,
    links: Vec<SimLink>,
    /// Packets the node wrote to its TUN, with when.
    pub received: Vec<(Instant, Vec<u8>)>,
    pub events: Vec<(Instant, Event)>,
    /// The link each datagram carrying a `Sim::udp` packet left on, in order.
    pub sent: Vec<(Instant, LinkId)>,
    /// The link and length of every WireGuard data message the node sent (probes included).
    pub data: Vec<(LinkId, usize)>,
    /// Every datagram the node sent: its length, its first byte (the WireGuard message type) and
    /// its outer TOS byte.
    pub marks: Vec<(usize, u8, u8)>,
    /// The DSCP of its probes, given by [`Sim::mesh`].
    pub probe_dscp: u8,
    /// The session index (receiver index >> 8) of every response, cookie reply and data message
    /// sent to the node: what the XDP guard checks against the indexes the node issued.
    pub addressed_to: Vec<u32>,
}

/// A datagram on its way: to node `to`'s link `link`, from `from`.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    at: Instant,
    seq: u64,
    to: usize,
    link: LinkId,
    from: SocketAddr,
    payload: Vec<u8>,
}

pub struct Sim {
    pub now: Instant,
    /// Given to every node by [`Sim::mesh`].
    pub policies: Vec<PolicyConfig>,
    /// The tenant's applications, given to every node by [`Sim::mesh`].
    pub applications: Vec<patronus_api::applications::Application>,
    pub nodes: Vec<SimNode>,
    in_flight: BinaryHeap<Reverse<InFlight>>,
    seq: u64,
    rng: StdRng,
}

impl Sim {
    pub fn new(seed: u64) -> Sim {
        Sim {
            now: Instant::now(),
            policies: Vec::new(),
            applications: Vec::new(),
            nodes: Vec::new(),
            in_flight: BinaryHeap::new(),
            seq: 0,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Adds a site with overlay address 100.64.0.`n` and the links `(name, public address)`.
    pub fn add_node(&mut self, n: u8, links: &[(&str, &str)], timing: PathTiming) -> usize {
        let key = StaticSecret::from(self.rng.gen::<[u8; 32]>());
        let mut node = Node::new(key.to_bytes(), timing, u32::from(n) << 16);
        let links = links
            .iter()
            .map(|(name, address)| SimLink {
                name: (*name).to_owned(),
                id: node.link_id(name),
                address: address.parse().unwrap(),
                line: Line::default(),
            })
            .collect();
        self.nodes.push(SimNode {
            node,
            site_id: Uuid::from_u128(u128::from(n)),
            overlay: Ipv4Addr::new(100, 64, 0, n),
            links,
            received: Vec::new(),
            events: Vec::new(),
            sent: Vec::new(),
            data: Vec::new(),
            marks: Vec::new(),
            probe_dscp: 0,
            addressed_to: Vec::new(),
        });
        self.nodes.len() - 1
    }

    /// Configures every node as a full mesh: each peer reachable at its overlay /32 on all its
    /// links' addresses; links preferred in the order they were added, at every node.
    pub fn mesh(&mut self) {
        let keys: Vec<[u8; 32]> = self.nodes.iter().map(|n| n.node.public_key()).collect();
        for i in 0..self.nodes.len() {
            let peers = (0..self.nodes.len())
                .filter(|j| *j != i)
                .map(|j| {
                    let other = &self.nodes[j];
                    PeerConfig {
                        site_id: other.site_id,
                        key: keys[j],
                        allowed: vec![format!("{}/32", other.overlay).parse().unwrap()],
                        endpoints: other.links.iter().enumerate().map(|(p, l)| (l.address, p as u32)).collect(),
                    }
                })
                .collect();
            let me = &self.nodes[i];
            let config = NodeConfig {
                overlay: me.overlay,
                links: me
                    .links
                    .iter()
                    .enumerate()
                    .map(|(p, l)| LinkConfig { name: l.name.clone(), priority: p as u32, cost: 10 * p as u32 })
                    .collect(),
                peers,
                policies: self.policies.clone(),
                probe_dscp: me.probe_dscp,
                applications: self.applications.clone(),
            };
            let now = self.now;
            self.nodes[i].node.apply(&config, now);
        }
    }

    pub fn link_id(&self, node: usize, link: &str) -> LinkId {
        self.nodes[node].links.iter().find(|l| l.name == link).unwrap().id
    }

    pub fn line(&mut self, node: usize, link: &str) -> &mut Line {
        &mut self.nodes[node].links.iter_mut().find(|l| l.name == link).unwrap().line
    }

    /// Node `from` reads `packet` from its TUN now.
    pub fn tun_packet(&mut self, from: usize, packet: &[u8]) {
        let now = self.now;
        self.nodes[from].node.handle_tun_packet(now, packet);
        self.collect(from);
    }

    /// A 100-byte UDP packet from node `from`'s overlay address to node `to`'s, port 9,
    /// carrying `seq`.
    pub fn packet(&self, from: usize, to: usize, seq: u32) -> Vec<u8> {
        self.udp(from, to, 9, seq)
    }

    /// A 100-byte UDP packet to `port`, carrying `seq`.
    pub fn udp(&self, from: usize, to: usize, port: u16, seq: u32) -> Vec<u8> {
        let mut p = vec![0u8; PACKET_LEN];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&(PACKET_LEN as u16).to_be_bytes());
        p[8] = 64;
        p[9] = 17;
        p[12..16].copy_from_slice(&self.nodes[from].overlay.octets());
        p[16..20].copy_from_slice(&self.nodes[to].overlay.octets());
        p[20..22].copy_from_slice(&40000u16.to_be_bytes());
        p[22..24].copy_from_slice(&port.to_be_bytes());
        p[28..32].copy_from_slice(&seq.to_be_bytes());
        p
    }

    /// Runs the network until `until`: deliveries and timers in time order.
    pub fn run_until(&mut self, until: Instant) {
        loop {
            let next_delivery = self.in_flight.peek().map(|Reverse(f)| f.at);
            let next_timer = self.nodes.iter().map(|n| n.node.poll_timeout().unwrap_or(self.now)).min();
            let Some(next) = [next_delivery, next_timer].into_iter().flatten().min() else {
                break;
            };
            if next > until {
                break;
            }
            self.now = self.now.max(next);
            while self.in_flight.peek().is_some_and(|Reverse(f)| f.at <= self.now) {
                let Reverse(f) = self.in_flight.pop().unwrap();
                let now = self.now;
                self.nodes[f.to].node.handle_datagram(now, f.link, f.from, &f.payload);
                self.collect(f.to);
            }
            for i in 0..self.nodes.len() {
                if self.nodes[i].node.poll_timeout().is_none_or(|t| t <= self.now) {
                    let now = self.now;
                    self.nodes[i].node.handle_timeout(now);
                    self.collect(i);
                }
            }
        }
        self.now = self.now.max(until);
    }

    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    /// Takes node `i`'s outputs: datagrams onto the lines, TUN packets and events into its log.
    fn collect(&mut self, i: usize) {
        let now = self.now;
        let mut sent = Vec::new();
        let me = &mut self.nodes[i];
        while let Some(t) = me.node.poll_transmit() {
            sent.push((t.link, t.dst, t.payload.to_vec()));
            me.marks.push((t.payload.len(), t.payload[0], t.tos));
        }
        while let Some(p) = me.node.poll_tun_write() {
            me.received.push((now, p.to_vec()));
        }
        while let Some(e) = me.node.poll_event() {
            me.events.push((now, e));
        }
        for (link, _, payload) in &sent {
            if payload.len() == PACKET_DATAGRAM_LEN && payload[0] == 4 {
                self.nodes[i].sent.push((now, *link));
            }
            if payload[0] == 4 {
                self.nodes[i].data.push((*link, payload.len()));
            }
        }
        for (link, dst, payload) in sent {
            let Some(out) = self.nodes[i].links.iter().find(|l| l.id == link) else { continue };
            let (from, out_line) = (out.address, out.line);
            let Some((to, into)) = self
                .nodes
                .iter()
                .enumerate()
                .find_map(|(j, n)| n.links.iter().find(|l| l.address == dst).map(|l| (j, (l.id, l.line))))
            else {
                continue;
            };
            let (in_link, in_line) = into;
            if let super::wire::Dispatch::ByIndex(index) = super::wire::classify(&payload) {
                self.nodes[to].addressed_to.push(index);
            }
            let mut delay = Duration::ZERO;
            let mut lost = false;
            for line in [out_line, in_line] {
                lost |= line.cut || (line.loss > 0.0 && self.rng.gen::<f64>() < line.loss);
                delay += line.latency;
                if !line.jitter.is_zero() {
                    delay += line.jitter.mul_f64(self.rng.gen::<f64>());
                }
            }
            if lost {
                continue;
            }
            self.seq += 1;
            self.in_flight.push(Reverse(InFlight { at: now + delay, seq: self.seq, to, link: in_link, from, payload }));
        }
    }
}

/// The sequence numbers node `i` received from `Sim::packet`, with when.
pub fn received_seqs(node: &SimNode) -> Vec<(Instant, u32)> {
    node.received
        .iter()
        .filter(|(_, p)| p.len() == PACKET_LEN)
        .map(|(at, p)| (*at, u32::from_be_bytes([p[28], p[29], p[30], p[31]])))
        .collect()
}

/// The longest time between two consecutive packets received, from `from` on.
pub fn longest_gap(received: &[(Instant, u32)], from: Instant) -> Duration {
    let times: Vec<Instant> = received.iter().map(|r| r.0).filter(|t| *t >= from).collect();
    times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIBER: &str = "fiber";
    const LTE: &str = "lte";

    /// Two sites, each with a fiber and an LTE line of 5 and 20 ms.
    fn two_sites(seed: u64) -> Sim {
        let mut sim = Sim::new(seed);
        let timing = PathTiming::default();
        let a = sim.add_node(1, &[(FIBER, "192.0.2.1:51820"), (LTE, "198.51.100.1:51820")], timing);
        let b = sim.add_node(2, &[(FIBER, "192.0.2.2:51820"), (LTE, "198.51.100.2:51820")], timing);
        for n in [a, b] {
            sim.line(n, FIBER).latency = Duration::from_millis(5);
            sim.line(n, LTE).latency = Duration::from_millis(20);
        }
        sim.mesh();
        sim
    }

    /// Sends a packet from 0 to 1 every 10 ms for `d`, numbering them from `first`.
    fn pings(sim: &mut Sim, first: u32, d: Duration) -> u32 {
        let n = (d.as_millis() / 10) as u32;
        for seq in first..first + n {
            let p = sim.packet(0, 1, seq);
            sim.tun_packet(0, &p);
            sim.run_for(Duration::from_millis(10));
        }
        first + n
    }

    fn active_link(sim: &Sim, node: usize) -> Option<String> {
        sim.nodes[node].node.peer_states(sim.now)[0].active_link.clone()
    }

    #[test]
    fn first_packet_arrives_after_the_handshake_over_the_preferred_link() {
        let mut sim = two_sites(1);
        let start = sim.now;
        let p = sim.packet(0, 1, 7);
        sim.tun_packet(0, &p);
        sim.run_for(Duration::from_secs(1));
        let got = received_seqs(&sim.nodes[1]);
        assert_eq!(got.iter().map(|g| g.1).collect::<Vec<_>>(), vec![7]);
        // Both sides initiate at once (an idle peer handshakes on its own), so the sessions cross:
        // an initiation and its response over fiber (2 x 10 ms), then the data (10 ms), or one
        // more round of 10 ms when the crossing responder's session is the one that stays.
        let first = got[0].0 - start;
        assert!(first >= Duration::from_millis(30) && first <= Duration::from_millis(40), "{first:?}");
        sim.run_for(Duration::from_secs(2));
        assert_eq!(active_link(&sim, 0).as_deref(), Some(FIBER));
        assert_eq!(sim.nodes[0].node.drops(), super::super::Drops::default());
    }

    #[test]
    fn a_cut_fiber_moves_traffic_to_lte_and_back_after_repair() {
        let mut sim = two_sites(2);
        let seq = pings(&mut sim, 0, Duration::from_secs(3));
        assert_eq!(active_link(&sim, 0).as_deref(), Some(FIBER));
        let cut_at = sim.now;
        sim.line(0, FIBER).cut = true;
        let seq = pings(&mut sim, seq, Duration::from_secs(5));
        assert_eq!(active_link(&sim, 0).as_deref(), Some(LTE));
        let gap = longest_gap(&received_seqs(&sim.nodes[1]), cut_at);
        // A busy path goes down 150 ms after its last answer; then the next ping takes lte.
        assert!(gap < Duration::from_millis(300), "gap {gap:?}");
        let lte = sim.link_id(0, LTE);
        assert!(
            sim.nodes[0]
                .events
                .iter()
                .any(|(_, e)| matches!(e, Event::ActiveChanged { to: Some((l, _)), .. } if *l == lte)),
            "{:?}",
            sim.nodes[0].events
        );

        sim.line(0, FIBER).cut = false;
        pings(&mut sim, seq, Duration::from_secs(2));
        assert_eq!(active_link(&sim, 0).as_deref(), Some(FIBER));

        // As the status report tells it: to lte because fiber went down (from B's one endpoint to
        // its other first, when that path had not yet missed its probes), back because it is better.
        let at = chrono::Utc::now();
        let reported: Vec<_> = sim.nodes[0]
            .events
            .iter()
            .filter(|(when, _)| *when >= cut_at)
            .map(|(_, e)| sim.nodes[0].node.failover_event(e, at))
            .filter(|e| e.policy.is_none())
            .map(|e| (e.from_link, e.to_link, e.reason))
            .collect();
        let (fiber, lte) = (Some(FIBER.to_string()), Some(LTE.to_string()));
        let (down, better) = (patronus_api::FailoverReason::PathDown, patronus_api::FailoverReason::Better);
        let to_lte = reported.iter().position(|e| *e == (fiber.clone(), lte.clone(), down)).expect("moved to lte");
        assert!(reported[..to_lte].iter().all(|e| *e == (fiber.clone(), fiber.clone(), down)), "{reported:?}");
        assert_eq!(reported[to_lte + 1..], [(lte, fiber, better)], "{reported:?}");
    }

    /// The acceptance figure, simulated: pings every 10 ms, a hard cut of the active link at a
    /// different moment in each of 20 trials; the longest gap at the receiver.
    #[test]
    fn a_cut_of_the_active_link_interrupts_pings_for_under_300_ms() {
        let mut gaps = Vec::new();
        for trial in 0..20u64 {
            let mut sim = two_sites(100 + trial);
            let seq = pings(&mut sim, 0, Duration::from_millis(2000 + 7 * trial));
            let cut_at = sim.now;
            sim.line(0, FIBER).cut = true;
            pings(&mut sim, seq, Duration::from_secs(2));
            gaps.push(longest_gap(&received_seqs(&sim.nodes[1]), cut_at));
        }
        gaps.sort();
        let worst = gaps[gaps.len() - 1];
        assert!(worst < Duration::from_millis(300), "gaps {gaps:?}");
        // Not faster than the detection allows either: this is a measurement, not a shortcut.
        assert!(gaps[0] >= PathTiming::default().min_down_after, "gaps {gaps:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_run() {
        let run = |seed| {
            let mut sim = two_sites(seed);
            for n in [0, 1] {
                let line = sim.line(n, FIBER);
                line.loss = 0.2;
                line.jitter = Duration::from_millis(30);
            }
            pings(&mut sim, 0, Duration::from_secs(4));
            let start = sim.nodes[0].node.peer_states(sim.now);
            let got: Vec<(Duration, u32)> =
                received_seqs(&sim.nodes[1]).iter().map(|(at, s)| (*at - sim.nodes[1].received[0].0, *s)).collect();
            (got, start[0].paths.iter().map(|p| p.loss_percent).collect::<Vec<_>>())
        };
        let (first, loss) = run(9);
        assert_eq!(first, run(9).0);
        assert!(first.len() > 250 && first.len() < 400, "{} of 400 arrived", first.len());
        // Probes saw the fiber's loss (two lines at 20 %: about 36 % of round trips fail).
        assert!(loss.iter().flatten().any(|l| *l > 10.0), "{loss:?}");
    }

    #[test]
    fn reapplying_keeps_the_session_and_the_path() {
        let mut sim = two_sites(3);
        let seq = pings(&mut sim, 0, Duration::from_secs(2));
        let age = sim.nodes[0].node.peer_states(sim.now)[0].handshake_age_seconds;
        assert!(age.is_some());
        sim.mesh();
        let before = received_seqs(&sim.nodes[1]).len();
        pings(&mut sim, seq, Duration::from_millis(500));
        // Nothing was lost to the reconfiguration: every packet after it arrived.
        assert_eq!(received_seqs(&sim.nodes[1]).len(), before + 50);
        assert_eq!(active_link(&sim, 0).as_deref(), Some(FIBER));
    }

    #[test]
    fn every_datagram_for_a_session_names_an_index_the_node_issued_and_retired_ones_go() {
        let mut sim = two_sites(4);
        let mut issued = Vec::new();
        while let Some(change) = sim.nodes[0].node.poll_index_change() {
            issued.push(change);
        }
        let index = match issued.as_slice() {
            [IndexChange::Issued { index, peer }] if *peer == sim.nodes[1].site_id => *index,
            other => panic!("one index issued for the one peer, got {other:?}"),
        };
        assert_eq!(sim.nodes[0].node.session_indexes().collect::<Vec<_>>(), [(index, sim.nodes[1].site_id)]);
        pings(&mut sim, 0, Duration::from_secs(3));
        let addressed = &sim.nodes[0].addressed_to;
        assert!(addressed.len() > 100, "responses, probes and data reached the node");
        assert!(addressed.iter().all(|i| *i == index), "every one names the issued index");
        // The same document again issues nothing; one without the peer retires its index.
        sim.mesh();
        assert_eq!(sim.nodes[0].node.poll_index_change(), None);
        let overlay = sim.nodes[0].overlay;
        let config = NodeConfig {
            overlay,
            links: Vec::new(),
            peers: Vec::new(),
            policies: Vec::new(),
            probe_dscp: 0,
            applications: Vec::new(),
        };
        let now = sim.now;
        sim.nodes[0].node.apply(&config, now);
        assert_eq!(sim.nodes[0].node.poll_index_change(), Some(IndexChange::Retired { index }));
        assert_eq!(sim.nodes[0].node.poll_index_change(), None);
    }

    use super::super::policy::{Selection, Sla};
    use super::super::steer::Reason;

    fn policy(name: &str, port: u16, selection: Selection, sla: Sla, hold_down_s: u64) -> PolicyConfig {
        PolicyConfig {
            protocol: Some(17),
            ports: vec![(port, port)],
            selection,
            link_preference: vec![FIBER.into(), LTE.into()],
            sla,
            hold_down: Duration::from_secs(hold_down_s),
            ..PolicyConfig::matching_all(name)
        }
    }

    /// Two sites with `policies`, warmed up for two seconds.
    fn with_policies(seed: u64, policies: Vec<PolicyConfig>) -> Sim {
        let mut sim = two_sites(seed);
        sim.policies = policies;
        sim.mesh();
        sim
    }

    /// Sends one packet to each port every 10 ms for `d`.
    fn traffic(sim: &mut Sim, ports: &[u16], d: Duration) {
        for _ in 0..d.as_millis() / 10 {
            for (k, port) in ports.iter().enumerate() {
                let p = sim.udp(0, 1, *port, k as u32);
                sim.tun_packet(0, &p);
            }
            sim.run_for(Duration::from_millis(10));
        }
    }

    /// The link of the path policy `name` sends new flows to node 1 on.
    fn policy_link(sim: &Sim, name: &str) -> Option<LinkId> {
        let states = sim.nodes[0].node.policy_states();
        states.iter().find(|s| s.name == name).unwrap().peers[0].1.map(|p| p.0)
    }

    /// When policy `name` moved, and why, from `after` on.
    fn moves(sim: &Sim, name: &str, after: Instant) -> Vec<(Instant, Option<LinkId>, Reason)> {
        sim.nodes[0]
            .events
            .iter()
            .filter(|(at, _)| *at >= after)
            .filter_map(|(at, e)| match e {
                Event::PolicyPathChanged { policy, to, reason, .. } if policy == name => {
                    Some((*at, to.map(|t| t.0), *reason))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_brownout_moves_a_latency_policy_within_a_second_and_leaves_a_cost_policy() {
        let sla = Sla { max_latency: Some(Duration::from_millis(80)), ..Sla::default() };
        let mut sim = with_policies(
            11,
            vec![
                policy("voice", 5000, Selection::LowestLatency, sla, 5),
                policy("bulk", 6000, Selection::LowestCost, Sla::default(), 5),
            ],
        );
        traffic(&mut sim, &[5000, 6000], Duration::from_secs(3));
        let (fiber, lte) = (sim.link_id(0, FIBER), sim.link_id(0, LTE));
        assert_eq!(policy_link(&sim, "voice"), Some(fiber));
        assert_eq!(policy_link(&sim, "bulk"), Some(fiber));

        // +100 ms of round trip on A's fiber (50 ms each way).
        let step = sim.now;
        sim.line(0, FIBER).latency += Duration::from_millis(50);
        traffic(&mut sim, &[5000, 6000], Duration::from_secs(2));
        let moved = moves(&sim, "voice", step);
        assert_eq!(moved.len(), 1, "{moved:?}");
        assert_eq!((moved[0].1, moved[0].2), (Some(lte), Reason::Sla));
        assert!(moved[0].0 - step < Duration::from_secs(1), "moved after {:?}", moved[0].0 - step);
        assert_eq!(policy_link(&sim, "bulk"), Some(fiber));
        assert!(moves(&sim, "bulk", step).is_empty());

        // The delay goes: voice returns only after its hold-down of 5 s.
        let cleared = sim.now;
        sim.line(0, FIBER).latency -= Duration::from_millis(50);
        traffic(&mut sim, &[5000, 6000], Duration::from_secs(8));
        let back = moves(&sim, "voice", cleared);
        assert_eq!(back.len(), 1, "{back:?}");
        assert_eq!((back[0].1, back[0].2), (Some(fiber), Reason::Better));
        let after = back[0].0 - cleared;
        assert!(after >= Duration::from_secs(5) && after < Duration::from_secs(6), "back after {after:?}");
    }

    #[test]
    fn five_percent_loss_moves_a_one_percent_policy_within_two_seconds() {
        let sla = Sla { max_loss_percent: Some(1.0), ..Sla::default() };
        let mut worst = Duration::ZERO;
        for seed in 0..10 {
            let mut sim = with_policies(200 + seed, vec![policy("erp", 7000, Selection::Ordered, sla, 10)]);
            traffic(&mut sim, &[7000], Duration::from_secs(3));
            assert_eq!(policy_link(&sim, "erp"), Some(sim.link_id(0, FIBER)));
            let start = sim.now;
            sim.line(0, FIBER).loss = 0.05;
            traffic(&mut sim, &[7000], Duration::from_secs(3));
            let moved = moves(&sim, "erp", start);
            let to_lte = moved.iter().find(|m| m.1 == Some(sim.link_id(0, LTE))).unwrap_or_else(|| panic!("{moved:?}"));
            assert_eq!(to_lte.2, Reason::Sla);
            assert_eq!(policy_link(&sim, "erp"), Some(sim.link_id(0, LTE)));
            worst = worst.max(to_lte.0 - start);
        }
        assert!(worst < Duration::from_secs(2), "worst {worst:?}");
    }

    #[test]
    fn a_flapping_link_moves_a_policy_no_more_than_its_hold_down_allows() {
        let mut sim = with_policies(31, vec![policy("erp", 7000, Selection::Ordered, Sla::default(), 10)]);
        traffic(&mut sim, &[7000], Duration::from_secs(3));
        let start = sim.now;
        for k in 0..40 {
            sim.line(0, FIBER).cut = k % 2 == 0;
            traffic(&mut sim, &[7000], Duration::from_millis(500));
        }
        sim.line(0, FIBER).cut = false;
        let moved = moves(&sim, "erp", start);
        // Away once at the first cut; back never, since fiber never stays up for 10 s.
        assert_eq!(moved.len(), 1, "{moved:?}");
        assert_eq!(policy_link(&sim, "erp"), Some(sim.link_id(0, LTE)));
        // Traffic without a policy follows the default path, which has no hold-down.
        traffic(&mut sim, &[7000], Duration::from_secs(11));
        assert_eq!(policy_link(&sim, "erp"), Some(sim.link_id(0, FIBER)));
    }

    #[test]
    fn a_flow_stays_on_its_healthy_path_when_its_policy_moves_back() {
        let sla = Sla { max_latency: Some(Duration::from_millis(80)), ..Sla::default() };
        let mut sim = with_policies(41, vec![policy("voice", 5000, Selection::LowestLatency, sla, 2)]);
        traffic(&mut sim, &[5000], Duration::from_secs(2));
        let (fiber, lte) = (sim.link_id(0, FIBER), sim.link_id(0, LTE));
        sim.line(0, FIBER).latency += Duration::from_millis(50);
        traffic(&mut sim, &[5000], Duration::from_secs(1));
        sim.line(0, FIBER).latency -= Duration::from_millis(50);
        let cleared = sim.now;
        traffic(&mut sim, &[5000], Duration::from_secs(4));
        assert_eq!(policy_link(&sim, "voice"), Some(fiber));
        // The flow that moved to lte stays there: lte still meets the SLA.
        let late: Vec<LinkId> =
            sim.nodes[0].sent.iter().filter(|(at, _)| *at > cleared + Duration::from_secs(3)).map(|s| s.1).collect();
        assert!(
            !late.is_empty() && late.iter().all(|l| *l == lte),
            "{:?}",
            moves(&sim, "voice", cleared - Duration::from_secs(2))
        );
        // A new flow of the same policy takes fiber.
        let mut p = sim.udp(0, 1, 5000, 1);
        p[20..22].copy_from_slice(&40001u16.to_be_bytes());
        let before = sim.nodes[0].sent.len();
        sim.tun_packet(0, &p);
        assert_eq!(sim.nodes[0].sent[before..].iter().map(|s| s.1).collect::<Vec<_>>(), vec![fiber]);
    }

    #[test]
    fn a_duplicating_policy_loses_nothing_when_the_active_link_is_cut() {
        for trial in 0..10u64 {
            let mut sim =
                with_policies(300 + trial, vec![policy("voice", 9, Selection::Duplicate, Sla::default(), 10)]);
            let seq = pings(&mut sim, 0, Duration::from_millis(2000 + 7 * trial));
            sim.line(0, FIBER).cut = true;
            let end = pings(&mut sim, seq, Duration::from_secs(2));
            sim.run_for(Duration::from_millis(200));
            assert_each_once(&sim, end, trial);
            let links: std::collections::HashSet<LinkId> = sim.nodes[0].sent.iter().map(|s| s.1).collect();
            assert_eq!(links.len(), 2, "both links carried copies");
        }
    }

    /// Pings are round trips: the replies come back to the site whose link was cut. The copies
    /// must take paths that share neither the sender's link nor the receiver's endpoint, or a
    /// cut of the receiver's active link loses both.
    #[test]
    fn a_duplicating_policy_loses_nothing_when_the_receivers_active_link_is_cut() {
        for trial in 0..10u64 {
            let mut sim =
                with_policies(400 + trial, vec![policy("voice", 9, Selection::Duplicate, Sla::default(), 10)]);
            let seq = pings(&mut sim, 0, Duration::from_millis(2000 + 7 * trial));
            sim.line(1, FIBER).cut = true;
            let end = pings(&mut sim, seq, Duration::from_secs(2));
            sim.run_for(Duration::from_millis(200));
            assert_each_once(&sim, end, trial);
        }
    }

    /// Node 1 received every packet from the first one sent after the handshake up to `end`, once
    /// each. Not necessarily in order: packets sent on the slower copy's path before the cut was
    /// noticed can be overtaken by those sent on a faster path after it, by at most the latency
    /// difference of the two (40 against 25 ms here: two packets at 10 ms).
    fn assert_each_once(sim: &Sim, end: u32, trial: u64) {
        let got: Vec<u32> = received_seqs(&sim.nodes[1]).iter().map(|r| r.1).collect();
        let first = got[0];
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (first..end).collect::<Vec<_>>(), "trial {trial}: {got:?}");
        let displaced = got.iter().enumerate().map(|(i, s)| (i as i64 - i64::from(s - first)).abs()).max();
        assert!(displaced <= Some(2), "trial {trial}: reordered by {displaced:?}: {got:?}");
    }

    #[test]
    fn a_packet_to_nowhere_is_counted_not_sent() {
        let mut sim = two_sites(4);
        let mut p = sim.packet(0, 1, 1);
        p[16..20].copy_from_slice(&[203, 0, 113, 9]);
        assert_eq!(p.len(), PACKET_LEN);
        sim.tun_packet(0, &p);
        assert_eq!(sim.nodes[0].node.drops().no_route, 1);
        assert!(sim.nodes[0].node.poll_transmit().is_none());
    }

    #[test]
    fn outer_datagrams_carry_the_dscp_of_their_policys_qos_class() {
        // voice (UDP to 5060) is in a class with DSCP 46 (EF), video (5062) duplicates in one
        // with 34 (AF41); UDP to port 9 matches no policy. Only site 0 marks its probes.
        let voice = PolicyConfig { outer_dscp: 46, ..policy("voice", 5060, Selection::Ordered, Sla::default(), 10) };
        let video = PolicyConfig { outer_dscp: 34, ..policy("video", 5062, Selection::Duplicate, Sla::default(), 10) };
        let mut sim = two_sites(7);
        sim.policies = vec![voice, video];
        sim.nodes[0].probe_dscp = 46;
        sim.mesh();
        let first = sim.udp(0, 1, 5060, 0);
        sim.tun_packet(0, &first);
        sim.run_for(Duration::from_secs(2));
        let packet = |m: &&(usize, u8, u8)| m.0 == PACKET_DATAGRAM_LEN && m.1 == 4;
        let probe = |m: &&(usize, u8, u8)| m.0 == 40 + 32 && m.1 == 4;
        // The handshake the first packet started is unmarked, and so is that packet, which
        // waited in boringtun's queue for it.
        let handshakes: Vec<u8> = sim.nodes.iter().flat_map(|n| &n.marks).filter(|m| m.1 != 4).map(|m| m.2).collect();
        assert!(handshakes.len() >= 2 && handshakes.iter().all(|t| *t == 0), "{handshakes:?}");
        assert_eq!(sim.nodes[0].marks.iter().filter(packet).map(|m| m.2).collect::<Vec<_>>(), vec![0]);

        let node = &mut sim.nodes[0].node;
        let now = sim.now;
        let voice = node.decide(now, &first).unwrap();
        assert_eq!(voice.tos, 46 << 2);
        sim.nodes[0].marks.clear();
        for (port, seq) in [(5060, 1), (9, 2), (5062, 3)] {
            let p = sim.udp(0, 1, port, seq);
            sim.tun_packet(0, &p);
        }
        let marks: Vec<u8> = sim.nodes[0].marks.iter().filter(packet).map(|m| m.2).collect();
        assert_eq!(marks, vec![46 << 2, 0, 34 << 2, 34 << 2], "voice, unmatched, video and its copy");
        sim.run_for(Duration::from_secs(1));
        assert_eq!(received_seqs(&sim.nodes[1]).iter().map(|r| r.1).collect::<Vec<_>>(), vec![0, 1, 2, 3]);

        // Probes: site 0's requests carry its probe class, and site 1's replies carry the request's
        // mark back although site 1 marks its own requests with nothing (and site 0 answers them
        // unmarked).
        let probes = |n: usize, tos: u8| sim.nodes[n].marks.iter().filter(probe).filter(|m| m.2 == tos).count();
        assert!(probes(0, 46 << 2) > 0 && probes(0, 0) > 0, "{:?}", sim.nodes[0].marks);
        assert!(probes(1, 46 << 2) > 0 && probes(1, 0) > 0, "{:?}", sim.nodes[1].marks);
        assert_eq!(probes(0, 46 << 2) + probes(0, 0), sim.nodes[0].marks.iter().filter(probe).count());
    }
}
