//! DNS: recognising a query, and learning from the answers that pass through the site which
//! application each answered address belongs to, so that a later flow to that address is
//! recognised from its first packet (before any payload says anything).
//!
//! Messages are parsed by `simple-dns`. The cache is written here: addresses to applications,
//! each until its record's TTL, and bounded in size.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap as HashMap;
use simple_dns::rdata::RData;
use simple_dns::{Packet, PacketFlag, RCODE};

use super::catalogue::{AppId, Catalogue};
use super::Inspect;

/// Addresses remembered at most.
pub const MAX_ADDRESSES: usize = 65536;
/// A TTL is honoured up to this long (a day-long TTL would keep a reused address for a day).
pub const MAX_TTL: Duration = Duration::from_secs(3600);
/// Answers with shorter TTLs (0 and 1 s are common behind CDNs) are kept this long, so the flow
/// the lookup was made for still finds its address.
pub const MIN_TTL: Duration = Duration::from_secs(30);
/// Names followed in a CNAME chain at most.
const MAX_CHAIN: usize = 16;
const HEADER: usize = 12;

/// Whether the header's counts fit in the message: a question takes at least 5 bytes and a
/// record 11. Checked before parsing, because the parser reserves room for as many entries as
/// the header claims.
fn counts_fit(message: &[u8]) -> bool {
    let Some(header) = message.get(..HEADER) else { return false };
    let count = |i: usize| usize::from(u16::from_be_bytes([header[i], header[i + 1]]));
    count(4) * 5 + (count(6) + count(8) + count(10)) * 11 <= message.len() - HEADER
}

/// Whether a UDP payload is a DNS query. (DNS over TCP is left to the port rule: its length
/// prefix makes almost any first bytes a query still incomplete.)
pub fn query(payload: &[u8]) -> Inspect<()> {
    let Some(header) = payload.get(..HEADER) else { return Inspect::NotThis };
    // A standard query (QR 0, opcode 0) with one question and no answers.
    let one_question = header[4..6] == [0, 1] && header[6..8] == [0, 0];
    if header[2] & 0xf8 == 0 && one_question && counts_fit(payload) && Packet::parse(payload).is_ok() {
        Inspect::Found(())
    } else {
        Inspect::NotThis
    }
}

/// Addresses learnt from DNS answers: which application each belongs to, until when.
#[derive(Debug)]
pub struct DnsCache {
    entries: HashMap<IpAddr, (AppId, Instant)>,
    capacity: usize,
    last_sweep: Option<Instant>,
    /// Answers for a known application that found the cache full of live entries.
    pub dropped: u64,
}

impl Default for DnsCache {
    fn default() -> Self {
        DnsCache::new(MAX_ADDRESSES)
    }
}

impl DnsCache {
    pub fn new(capacity: usize) -> DnsCache {
        DnsCache { entries: HashMap::default(), capacity, last_sweep: None, dropped: 0 }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// After a catalogue change: each entry's application by its new id (`map` by old index),
    /// or gone if the new catalogue has no application of that name.
    pub fn remap(&mut self, map: &[Option<AppId>]) {
        self.entries.retain(|_, (app, _)| match map.get(app.index()).copied().flatten() {
            Some(new) => {
                *app = new;
                true
            }
            None => false,
        });
    }

    /// The application `addr` was an answer for, while that answer lives.
    pub fn lookup(&self, now: Instant, addr: IpAddr) -> Option<AppId> {
        self.entries.get(&addr).filter(|(_, until)| *until > now).map(|&(app, _)| app)
    }

    /// Learns from a DNS response (a UDP payload from port 53): each address answered for a
    /// name of a known application (the question's name or a name its CNAME chain leads to).
    /// Returns how many addresses were learnt; anything that is not such a response is 0.
    pub fn learn(&mut self, now: Instant, catalogue: &Catalogue, message: &[u8]) -> usize {
        if !counts_fit(message) {
            return 0;
        }
        let Ok(packet) = Packet::parse(message) else { return 0 };
        if !packet.has_flags(PacketFlag::RESPONSE) || packet.rcode() != RCODE::NoError {
            return 0;
        }
        let Some(question) = packet.questions.first() else { return 0 };
        // The chain of names from the question through its CNAMEs, in that order.
        let mut chain = vec![question.qname.to_string().to_ascii_lowercase()];
        let mut grew = true;
        while grew && chain.len() < MAX_CHAIN {
            grew = false;
            for record in &packet.answers {
                if let RData::CNAME(target) = &record.rdata {
                    let owner = record.name.to_string().to_ascii_lowercase();
                    let target = target.0.to_string().to_ascii_lowercase();
                    if chain.contains(&owner) && !chain.contains(&target) && chain.len() < MAX_CHAIN {
                        chain.push(target);
                        grew = true;
                    }
                }
            }
        }
        let Some(app) = chain.iter().find_map(|name| catalogue.by_domain(name.as_bytes())) else { return 0 };
        let mut learnt = 0;
        for record in &packet.answers {
            let addr = match &record.rdata {
                RData::A(a) => IpAddr::V4(Ipv4Addr::from(a.address)),
                RData::AAAA(a) => IpAddr::V6(Ipv6Addr::from(a.address)),
                _ => continue,
            };
            if !chain.contains(&record.name.to_string().to_ascii_lowercase()) {
                continue;
            }
            let ttl = Duration::from_secs(u64::from(record.ttl)).clamp(MIN_TTL, MAX_TTL);
            if self.insert(now, addr, app, now + ttl) {
                learnt += 1;
            }
        }
        learnt
    }

    fn insert(&mut self, now: Instant, addr: IpAddr, app: AppId, until: Instant) -> bool {
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&addr) {
            // Expired entries go at most once a second, so a full cache costs one scan per
            // second, not one per answer.
            if self.last_sweep.is_none_or(|t| now.saturating_duration_since(t) >= Duration::from_secs(1)) {
                self.entries.retain(|_, (_, until)| *until > now);
                self.last_sweep = Some(now);
            }
            if self.entries.len() >= self.capacity {
                self.dropped += 1;
                return false;
            }
        }
        self.entries.insert(addr, (app, until));
        true
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const OFFICE_CNAME: &[u8] = include_bytes!("testdata/dns_answer_office_cname.bin");
    const OFFICE_AAAA: &[u8] = include_bytes!("testdata/dns_answer_office_aaaa.bin");
    const ZOOM: &[u8] = include_bytes!("testdata/dns_answer_zoom.bin");
    const UNLISTED: &[u8] = include_bytes!("testdata/dns_answer_unlisted.bin");
    const QUERY: &[u8] = include_bytes!("testdata/dns_query_zoom.bin");

    fn name(c: &Catalogue, id: Option<AppId>) -> Option<&str> {
        id.map(|id| c.name(id))
    }

    #[test]
    fn answers_teach_the_addresses_of_their_names_through_cname_chains() {
        let c = Catalogue::builtin().unwrap();
        let mut cache = DnsCache::default();
        let now = Instant::now();
        // dnsmasq answered www.office.com with a CNAME to a CDN name and its addresses.
        assert_eq!(cache.learn(now, &c, OFFICE_CNAME), 1);
        assert_eq!(cache.learn(now, &c, OFFICE_AAAA), 1);
        assert_eq!(cache.learn(now, &c, ZOOM), 1);
        assert_eq!(name(&c, cache.lookup(now, "198.51.100.7".parse().unwrap())), Some("microsoft-365"));
        assert_eq!(name(&c, cache.lookup(now, "2001:db8::7".parse().unwrap())), Some("microsoft-365"));
        assert_eq!(name(&c, cache.lookup(now, "203.0.113.9".parse().unwrap())), Some("zoom"));
    }

    #[test]
    fn names_of_no_application_queries_and_junk_teach_nothing() {
        let c = Catalogue::builtin().unwrap();
        let mut cache = DnsCache::default();
        let now = Instant::now();
        assert_eq!(cache.learn(now, &c, UNLISTED), 0);
        assert_eq!(cache.learn(now, &c, QUERY), 0);
        assert_eq!(cache.learn(now, &c, &OFFICE_CNAME[..40]), 0);
        assert_eq!(cache.learn(now, &c, b""), 0);
        assert!(cache.is_empty());
    }

    #[test]
    fn an_address_is_forgotten_when_its_ttl_ends() {
        let c = Catalogue::builtin().unwrap();
        let mut cache = DnsCache::default();
        let now = Instant::now();
        cache.learn(now, &c, ZOOM);
        let addr = "203.0.113.9".parse().unwrap();
        // dnsmasq gave the record a TTL of 120 s.
        assert!(cache.lookup(now + Duration::from_secs(119), addr).is_some());
        assert_eq!(cache.lookup(now + Duration::from_secs(120), addr), None);
    }

    #[test]
    fn a_full_cache_makes_room_only_from_expired_entries() {
        let c = Catalogue::builtin().unwrap();
        let mut cache = DnsCache::new(1);
        let now = Instant::now();
        assert_eq!(cache.learn(now, &c, ZOOM), 1);
        assert_eq!(cache.learn(now, &c, OFFICE_CNAME), 0);
        assert_eq!(cache.dropped, 1);
        assert_eq!(cache.learn(now + Duration::from_secs(121), &c, OFFICE_CNAME), 1);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_query_is_recognised_and_an_answer_a_truncation_or_text_is_not() {
        assert_eq!(query(QUERY), Inspect::Found(()));
        assert_eq!(query(&QUERY[..QUERY.len() - 1]), Inspect::NotThis);
        assert_eq!(query(ZOOM), Inspect::NotThis);
        assert_eq!(query(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Inspect::NotThis);
    }
}
