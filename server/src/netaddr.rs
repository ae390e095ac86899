//! Validation of network values in requests beyond their type: canonical and disjoint prefixes,
//! the overlay prefix's size, interface names. (Endpoints, port ranges and the syntax of prefixes
//! are their types' business: `patronus_api::wire`.) Each check records field errors (see
//! `validate`) and returns the normalised value.

use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net};

use crate::validate::Errors;

/// A CIDR prefix in canonical form (`10.1.0.0/16`): host bits must be zero, as a router would
/// insist. (That it is a prefix at all, the type says: the body could not be read otherwise.)
pub fn prefix(errors: &mut Errors, pointer: &str, net: IpNet) -> Option<IpNet> {
    if net.trunc() == net {
        Some(net)
    } else {
        errors.add(pointer, format!("has host bits set; did you mean {}?", net.trunc()));
        None
    }
}

/// A list of prefixes with no duplicates or overlaps among themselves; returned sorted.
pub fn prefix_list(errors: &mut Errors, pointer: &str, values: &[IpNet]) -> Vec<IpNet> {
    let mut nets: Vec<(usize, IpNet)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(net) = prefix(errors, &format!("{pointer}/{i}"), *v) {
            if let Some((j, other)) = nets.iter().find(|(_, o)| overlaps(o, &net)) {
                errors.add(&format!("{pointer}/{i}"), format!("overlaps {other} (item {j})"));
            } else {
                nets.push((i, net));
            }
        }
    }
    let mut out: Vec<IpNet> = nets.into_iter().map(|(_, n)| n).collect();
    out.sort();
    out
}

pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The overlay prefix: IPv4, canonical, between /8 and /30.
pub fn overlay_prefix(errors: &mut Errors, pointer: &str, net: Ipv4Net) -> Option<Ipv4Net> {
    if net.trunc() != net {
        errors.add(pointer, format!("has host bits set; did you mean {}?", net.trunc()));
        None
    } else if !(8..=30).contains(&net.prefix_len()) {
        errors.add(pointer, "must be between /8 and /30");
        None
    } else {
        Some(net)
    }
}

/// Usable host numbers of a prefix (network and broadcast addresses excluded).
pub fn host_capacity(net: &Ipv4Net) -> u32 {
    let size = 1u64 << (32 - net.prefix_len());
    (size.saturating_sub(2)).min(u64::from(u32::MAX)) as u32
}

/// The address of host number `offset` (1-based) in `net`.
pub fn host_address(net: &Ipv4Net, offset: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()) + offset)
}

/// A Linux interface name: 1 to 15 printable ASCII characters, no `/`, `:` or space, not `.` or
/// `..`. (Linux takes any 15 bytes but those; names outside ASCII break tools and are refused.)
pub fn interface(errors: &mut Errors, pointer: &str, value: &str) -> String {
    let ok = !value.is_empty()
        && value.len() <= 15
        && value != "."
        && value != ".."
        && value.bytes().all(|b| b.is_ascii_graphic() && b != b'/' && b != b':');
    if !ok {
        errors.add(
            pointer,
            "must be a Linux interface name: 1 to 15 printable ASCII characters without '/', ':' or spaces",
        );
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs<T>(f: impl FnOnce(&mut Errors) -> T) -> (T, bool) {
        let mut errors = Errors::new();
        let v = f(&mut errors);
        (v, errors.check().is_err())
    }

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn prefixes_must_be_canonical_and_disjoint() {
        assert!(!errs(|e| prefix(e, "/p", net("10.1.0.0/16"))).1);
        assert!(!errs(|e| prefix(e, "/p", net("fd00:1::/64"))).1);
        assert!(errs(|e| prefix(e, "/p", net("10.1.2.3/16"))).1);
        let (list, bad) = errs(|e| prefix_list(e, "/p", &[net("10.2.0.0/16"), net("10.1.0.0/16")]));
        assert!(!bad);
        assert_eq!(list[0].to_string(), "10.1.0.0/16");
        assert!(errs(|e| prefix_list(e, "/p", &[net("10.0.0.0/8"), net("10.1.0.0/16")])).1);
    }

    #[test]
    fn overlay_hosts_skip_network_address() {
        let net: Ipv4Net = "100.64.0.0/30".parse().unwrap();
        assert_eq!(host_capacity(&net), 2);
        assert_eq!(host_address(&net, 1).to_string(), "100.64.0.1");
        assert!(errs(|e| overlay_prefix(e, "/o", "100.64.0.1/16".parse().unwrap())).1);
        assert!(errs(|e| overlay_prefix(e, "/o", "100.64.0.0/31".parse().unwrap())).1);
        assert!(!errs(|e| overlay_prefix(e, "/o", "100.64.0.0/10".parse().unwrap())).1);
    }
}
