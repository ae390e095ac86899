//! Validation of network addresses in requests: prefixes, endpoints, port ranges, interface
//! names. Each check records field errors (see `validate`) and returns the normalised value.

use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net};

use crate::validate::Errors;

/// A CIDR prefix in canonical form (`10.1.0.0/16`): host bits must be zero, as a router would
/// insist.
pub fn prefix(errors: &mut Errors, pointer: &str, value: &str) -> Option<IpNet> {
    match value.parse::<IpNet>() {
        Ok(net) if net.trunc() == net => Some(net),
        Ok(net) => {
            errors.add(pointer, format!("has host bits set; did you mean {}?", net.trunc()));
            None
        }
        Err(_) => {
            errors.add(pointer, "must be an IPv4 or IPv6 prefix such as 10.1.0.0/16 or fd00:1::/64");
            None
        }
    }
}

/// A list of prefixes with no duplicates or overlaps among themselves; returned sorted.
pub fn prefix_list(errors: &mut Errors, pointer: &str, values: &[String]) -> Vec<IpNet> {
    let mut nets: Vec<(usize, IpNet)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(net) = prefix(errors, &format!("{pointer}/{i}"), v) {
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

/// The overlay prefix: IPv4, between /8 and /30.
pub fn overlay_prefix(errors: &mut Errors, pointer: &str, value: &str) -> Option<Ipv4Net> {
    match value.parse::<Ipv4Net>() {
        Ok(net) if net.trunc() != net => {
            errors.add(pointer, format!("has host bits set; did you mean {}?", net.trunc()));
            None
        }
        Ok(net) if !(8..=30).contains(&net.prefix_len()) => {
            errors.add(pointer, "must be between /8 and /30");
            None
        }
        Ok(net) => Some(net),
        Err(_) => {
            errors.add(pointer, "must be an IPv4 prefix such as 100.64.0.0/16");
            None
        }
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

/// `host:port` where host is an IPv4 address, a bracketed IPv6 address or a DNS name.
pub fn endpoint(errors: &mut Errors, pointer: &str, value: &str) -> String {
    let shape = "must be host:port, e.g. 203.0.113.10:51820, [2001:db8::1]:51820 or wan.example.net:51820";
    let Some((host, port)) = value.rsplit_once(':') else {
        errors.add(pointer, shape);
        return value.to_string();
    };
    let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner.parse::<std::net::Ipv6Addr>().is_ok()
    } else if host.contains(':') {
        false
    } else {
        host.parse::<Ipv4Addr>().is_ok() || is_dns_name(host)
    };
    if !host_ok {
        errors.add(pointer, shape);
    } else if !port_ok {
        errors.add(pointer, "the port must be between 1 and 65535");
    }
    value.to_string()
}

fn is_dns_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && !host.chars().all(|c| c.is_ascii_digit() || c == '.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A port (`"443"`) or inclusive range (`"8000-8999"`), normalised.
pub fn port_range(errors: &mut Errors, pointer: &str, value: &str) -> String {
    let parse = |s: &str| s.trim().parse::<u16>().ok().filter(|p| *p > 0);
    match value.split_once('-') {
        None => match parse(value) {
            Some(p) => p.to_string(),
            None => {
                errors.add(pointer, "must be a port 1..65535 or a range such as 8000-8999");
                value.to_string()
            }
        },
        Some((a, b)) => match (parse(a), parse(b)) {
            (Some(a), Some(b)) if a <= b => format!("{a}-{b}"),
            (Some(_), Some(_)) => {
                errors.add(pointer, "the range's start must not exceed its end");
                value.to_string()
            }
            _ => {
                errors.add(pointer, "must be a port 1..65535 or a range such as 8000-8999");
                value.to_string()
            }
        },
    }
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

    #[test]
    fn prefixes_must_be_canonical_and_disjoint() {
        assert!(!errs(|e| prefix(e, "/p", "10.1.0.0/16")).1);
        assert!(!errs(|e| prefix(e, "/p", "fd00:1::/64")).1);
        assert!(errs(|e| prefix(e, "/p", "10.1.2.3/16")).1);
        assert!(errs(|e| prefix(e, "/p", "10.1.0.0")).1);
        assert!(errs(|e| prefix(e, "/p", "banana")).1);
        let (list, bad) = errs(|e| prefix_list(e, "/p", &["10.2.0.0/16".into(), "10.1.0.0/16".into()]));
        assert!(!bad);
        assert_eq!(list[0].to_string(), "10.1.0.0/16");
        assert!(errs(|e| prefix_list(e, "/p", &["10.0.0.0/8".into(), "10.1.0.0/16".into()])).1);
    }

    #[test]
    fn endpoints_are_host_and_port() {
        for good in ["203.0.113.1:51820", "[2001:db8::1]:51820", "wan1.example.net:443"] {
            assert!(!errs(|e| endpoint(e, "/endpoint", good)).1, "{good}");
        }
        for bad in [
            "203.0.113.1",
            "203.0.113.1:0",
            "203.0.113.1:70000",
            "2001:db8::1:51820",
            "bad host:1",
            ":51820",
            "1.2.3:80",
        ] {
            assert!(errs(|e| endpoint(e, "/endpoint", bad)).1, "{bad}");
        }
    }

    #[test]
    fn port_ranges_normalise() {
        assert_eq!(errs(|e| port_range(e, "/p", "443")), ("443".to_string(), false));
        assert_eq!(errs(|e| port_range(e, "/p", "8000 - 8999")), ("8000-8999".to_string(), false));
        assert!(errs(|e| port_range(e, "/p", "9-1")).1);
        assert!(errs(|e| port_range(e, "/p", "0")).1);
        assert!(errs(|e| port_range(e, "/p", "http")).1);
    }

    #[test]
    fn overlay_hosts_skip_network_address() {
        let net: Ipv4Net = "100.64.0.0/30".parse().unwrap();
        assert_eq!(host_capacity(&net), 2);
        assert_eq!(host_address(&net, 1).to_string(), "100.64.0.1");
        assert!(errs(|e| overlay_prefix(e, "/o", "100.64.0.1/16")).1);
        assert!(errs(|e| overlay_prefix(e, "/o", "100.64.0.0/31")).1);
    }
}
