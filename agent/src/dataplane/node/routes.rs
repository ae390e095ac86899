//! IP prefixes and a longest-prefix-match table: which peer a packet from the TUN goes to, and
//! whether a decrypted packet's source is one the peer may use (WireGuard's cryptokey routing).

use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP prefix, normalised so that host bits are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an IP prefix: {0:?}")]
pub struct BadPrefix(String);

impl Prefix {
    pub fn new(addr: IpAddr, len: u8) -> Option<Prefix> {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (len <= max).then(|| Prefix { addr: mask(addr, len), len })
    }

    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.len) == self.addr
    }
}

fn mask(addr: IpAddr, len: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let m = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let m = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
            IpAddr::V6((bits & m).into())
        }
    }
}

impl From<patronus_api::IpNet> for Prefix {
    /// The prefix `net` names, host bits cleared.
    fn from(net: patronus_api::IpNet) -> Prefix {
        Prefix { addr: mask(net.addr(), net.prefix_len()), len: net.prefix_len() }
    }
}

impl FromStr for Prefix {
    type Err = BadPrefix;

    /// `a.b.c.d/len`, `x::y/len`, or a bare address (a host prefix).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadPrefix(s.to_owned());
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => {
                let addr: IpAddr = a.parse().map_err(|_| bad())?;
                let len: u8 = l.parse().map_err(|_| bad())?;
                (addr, len)
            }
            None => {
                let addr: IpAddr = s.parse().map_err(|_| bad())?;
                (addr, if addr.is_ipv4() { 32 } else { 128 })
            }
        };
        Prefix::new(addr, len).ok_or_else(bad)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// Longest-prefix match: one hash map per prefix length in use, longest first.
#[derive(Debug, Clone)]
pub struct RouteTable<T> {
    v4: HashMap<(u8, u32), T>,
    v4_lens: Vec<u8>,
    v6: HashMap<(u8, u128), T>,
    v6_lens: Vec<u8>,
}

impl<T> Default for RouteTable<T> {
    fn default() -> Self {
        RouteTable { v4: HashMap::default(), v4_lens: Vec::new(), v6: HashMap::default(), v6_lens: Vec::new() }
    }
}

impl<T: Clone> RouteTable<T> {
    pub fn insert(&mut self, prefix: Prefix, value: T) {
        match prefix.addr {
            IpAddr::V4(a) => {
                self.v4.insert((prefix.len, u32::from(a)), value);
                insert_len(&mut self.v4_lens, prefix.len);
            }
            IpAddr::V6(a) => {
                self.v6.insert((prefix.len, u128::from(a)), value);
                insert_len(&mut self.v6_lens, prefix.len);
            }
        }
    }

    pub fn lookup(&self, ip: IpAddr) -> Option<&T> {
        match ip {
            IpAddr::V4(a) => {
                let bits = u32::from(a);
                self.v4_lens.iter().find_map(|&len| {
                    let m = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
                    self.v4.get(&(len, bits & m))
                })
            }
            IpAddr::V6(a) => {
                let bits = u128::from(a);
                self.v6_lens.iter().find_map(|&len| {
                    let m = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
                    self.v6.get(&(len, bits & m))
                })
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
}

fn insert_len(lens: &mut Vec<u8>, len: u8) {
    if let Err(i) = lens.binary_search_by(|l| len.cmp(l)) {
        lens.insert(i, len);
    }
}

/// The destination address of an IP packet, if it is long enough to have one.
pub fn destination(packet: &[u8]) -> Option<IpAddr> {
    match packet.first()? >> 4 {
        4 if packet.len() >= 20 => {
            let b: [u8; 4] = packet[16..20].try_into().ok()?;
            Some(IpAddr::from(b))
        }
        6 if packet.len() >= 40 => {
            let b: [u8; 16] = packet[24..40].try_into().ok()?;
            Some(IpAddr::from(b))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parse_and_normalise() {
        let p: Prefix = "10.1.2.3/16".parse().unwrap();
        assert_eq!(p.to_string(), "10.1.0.0/16");
        assert_eq!("100.64.0.7".parse::<Prefix>().unwrap().prefix_len(), 32);
        assert_eq!("fd00::1/64".parse::<Prefix>().unwrap().to_string(), "fd00::/64");
        for bad in ["", "10.0.0.0/33", "fd00::/129", "x/8", "10.0.0.0/", "10.0.0.0/-1"] {
            assert!(bad.parse::<Prefix>().is_err(), "{bad}");
        }
    }

    #[test]
    fn longest_prefix_wins() {
        let mut t = RouteTable::default();
        t.insert("10.0.0.0/8".parse().unwrap(), 'a');
        t.insert("10.1.0.0/16".parse().unwrap(), 'b');
        t.insert("100.64.0.2/32".parse().unwrap(), 'c');
        t.insert("fd00::/64".parse().unwrap(), 'd');
        assert_eq!(t.lookup("10.1.9.9".parse().unwrap()), Some(&'b'));
        assert_eq!(t.lookup("10.2.9.9".parse().unwrap()), Some(&'a'));
        assert_eq!(t.lookup("100.64.0.2".parse().unwrap()), Some(&'c'));
        assert_eq!(t.lookup("100.64.0.3".parse().unwrap()), None);
        assert_eq!(t.lookup("fd00::5".parse().unwrap()), Some(&'d'));
        assert_eq!(t.lookup("fd01::5".parse().unwrap()), None);
    }

    #[test]
    fn destination_of_packets() {
        let mut v4 = [0u8; 20];
        v4[0] = 0x45;
        v4[16..20].copy_from_slice(&[10, 0, 0, 1]);
        assert_eq!(destination(&v4), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(destination(&v4[..19]), None);
        assert_eq!(destination(&[]), None);
        assert_eq!(destination(&[0x60; 39]), None);
    }
}
