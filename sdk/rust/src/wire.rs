//! The parsed values of the wire contract: WireGuard keys, endpoints, port ranges, and prefixes
//! (`ipnet::IpNet`). A value is parsed once, where it enters (a request body, a document, a
//! database row); whoever holds one of these types holds a valid value and never parses again.
//!
//! Each type reads and writes the same string the API has always carried: valid values serialise
//! byte for byte as the server emitted them before these types existed, which keeps documents'
//! content hashes stable. A value that does not parse is refused with the message the server's
//! validation gave, so a request with a bad value still gets a 422 naming the field and saying
//! what was expected.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use base64::Engine;
pub use ipnet::{IpNet, Ipv4Net};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Why a string is not a valid wire value; its text is what an API client sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(&'static str);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ParseError {}

/// A string-backed type: serialised as its `Display`, read through its `FromStr`, with the parse
/// error's text as serde's message (and "expected a string" for anything but a string, as for a
/// `String` field).
macro_rules! string_serde {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(Parsed::<$ty>(std::marker::PhantomData))
            }
        }
    };
}

/// A serde visitor that reads a string and parses it as `T`.
struct Parsed<T>(std::marker::PhantomData<T>);

impl<T: FromStr> Visitor<'_> for Parsed<T>
where
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// WireGuard keys

/// A WireGuard public key: 32 bytes, base64 (standard alphabet, padded) on the wire. Public, so
/// `Debug` shows it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WgKey([u8; 32]);

impl WgKey {
    pub const fn from_bytes(bytes: [u8; 32]) -> WgKey {
        WgKey(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl From<[u8; 32]> for WgKey {
    fn from(bytes: [u8; 32]) -> WgKey {
        WgKey(bytes)
    }
}

impl FromStr for WgKey {
    type Err = ParseError;

    /// Base64 of 32 bytes; white space around it is ignored (as enrollment always allowed).
    /// Only the canonical encoding is taken, so a key reads back as it was written.
    fn from_str(s: &str) -> Result<WgKey, ParseError> {
        let bad = ParseError("must be a WireGuard public key: base64 of 32 bytes");
        let bytes = base64::engine::general_purpose::STANDARD.decode(s.trim()).map_err(|_| bad.clone())?;
        bytes.try_into().map(WgKey).map_err(|_| bad)
    }
}

impl TryFrom<String> for WgKey {
    type Error = ParseError;

    fn try_from(s: String) -> Result<WgKey, ParseError> {
        s.parse()
    }
}

impl fmt::Display for WgKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base64::engine::general_purpose::STANDARD.encode(self.0))
    }
}

impl fmt::Debug for WgKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WgKey({self})")
    }
}

string_serde!(WgKey);

// ---------------------------------------------------------------------------------------------
// Endpoints

/// The host of an [`Endpoint`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    Ip(IpAddr),
    /// A DNS name, as it was written (names are not case-folded).
    Name(String),
}

/// Where a link can be reached: `host:port`, the host an IPv4 address, an IPv6 address in
/// brackets (`[2001:db8::1]:51820`) or a DNS name, the port 1 to 65535.
///
/// It keeps the text it was read from and writes it back unchanged (an IPv6 address is not
/// recompressed, a name not lowercased), so a client reads back what it wrote.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    text: String,
    host: Host,
    port: u16,
}

const ENDPOINT_SHAPE: &str = "must be host:port, e.g. 203.0.113.10:51820, [2001:db8::1]:51820 or wan.example.net:51820";

impl Endpoint {
    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The socket address, when the host is an IP address (a name needs a lookup).
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match self.host {
            Host::Ip(ip) => Some(SocketAddr::new(ip, self.port)),
            Host::Name(_) => None,
        }
    }
}

impl From<SocketAddr> for Endpoint {
    fn from(addr: SocketAddr) -> Endpoint {
        Endpoint { text: addr.to_string(), host: Host::Ip(addr.ip()), port: addr.port() }
    }
}

impl FromStr for Endpoint {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Endpoint, ParseError> {
        let shape = ParseError(ENDPOINT_SHAPE);
        let (host, port) = s.rsplit_once(':').ok_or_else(|| shape.clone())?;
        let host = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Host::Ip(IpAddr::V6(inner.parse::<Ipv6Addr>().map_err(|_| shape.clone())?))
        } else if host.contains(':') {
            return Err(shape);
        } else if let Ok(ip) = host.parse::<Ipv4Addr>() {
            Host::Ip(IpAddr::V4(ip))
        } else if is_dns_name(host) {
            Host::Name(host.to_string())
        } else {
            return Err(shape);
        };
        let port =
            port.parse::<u16>().ok().filter(|p| *p > 0).ok_or(ParseError("the port must be between 1 and 65535"))?;
        Ok(Endpoint { text: s.to_string(), host, port })
    }
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

impl TryFrom<String> for Endpoint {
    type Error = ParseError;

    fn try_from(s: String) -> Result<Endpoint, ParseError> {
        s.parse()
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({})", self.text)
    }
}

string_serde!(Endpoint);

// ---------------------------------------------------------------------------------------------
// Port ranges

/// A port (`"443"`) or an inclusive range of ports (`"8000-8999"`), 1 to 65535. Written back
/// normalised (no spaces or leading zeros) and in the form it was given: `"443-443"` stays a
/// range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    first: u16,
    last: u16,
    range: bool,
}

const PORT_SHAPE: &str = "must be a port 1..65535 or a range such as 8000-8999";

impl PortRange {
    /// One port; `None` for 0.
    pub fn port(port: u16) -> Option<PortRange> {
        (port > 0).then_some(PortRange { first: port, last: port, range: false })
    }

    /// `first-last`; `None` for 0 or a start past the end.
    pub fn range(first: u16, last: u16) -> Option<PortRange> {
        (first > 0 && first <= last).then_some(PortRange { first, last, range: true })
    }

    pub fn first(&self) -> u16 {
        self.first
    }

    pub fn last(&self) -> u16 {
        self.last
    }

    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }
}

impl FromStr for PortRange {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<PortRange, ParseError> {
        let port = |s: &str| s.trim().parse::<u16>().ok().filter(|p| *p > 0).ok_or(ParseError(PORT_SHAPE));
        match s.split_once('-') {
            None => port(s).map(|p| PortRange { first: p, last: p, range: false }),
            Some((a, b)) => {
                let (first, last) = (port(a)?, port(b)?);
                PortRange::range(first, last).ok_or(ParseError("the range's start must not exceed its end"))
            }
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.range {
            write!(f, "{}-{}", self.first, self.last)
        } else {
            write!(f, "{}", self.first)
        }
    }
}

string_serde!(PortRange);

// ---------------------------------------------------------------------------------------------
// Prefixes

const PREFIX_SHAPE: &str = "must be an IPv4 or IPv6 prefix such as 10.1.0.0/16 or fd00:1::/64";
const IPV4_PREFIX_SHAPE: &str = "must be an IPv4 prefix such as 100.64.0.0/16";

/// A prefix read with the API's message for a malformed one.
struct Prefix(IpNet);

impl FromStr for Prefix {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Prefix, ParseError> {
        s.parse().map(Prefix).map_err(|_| ParseError(PREFIX_SHAPE))
    }
}

impl<'de> Deserialize<'de> for Prefix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Parsed::<Prefix>(std::marker::PhantomData))
    }
}

struct V4Prefix(Ipv4Net);

impl FromStr for V4Prefix {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<V4Prefix, ParseError> {
        s.parse().map(V4Prefix).map_err(|_| ParseError(IPV4_PREFIX_SHAPE))
    }
}

impl<'de> Deserialize<'de> for V4Prefix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Parsed::<V4Prefix>(std::marker::PhantomData))
    }
}

/// `deserialize_with` for prefix fields of request bodies: `ipnet`'s own reading, with the API's
/// message for a malformed prefix ("must be an IPv4 or IPv6 prefix such as ..."). Host bits are
/// not refused here (an `IpNet` may have them); the server checks that a prefix is canonical.
pub mod prefix {
    use super::*;

    /// One prefix.
    pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<IpNet, D::Error> {
        Ok(Prefix::deserialize(d)?.0)
    }

    /// A list of prefixes.
    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
        Ok(Vec::<Prefix>::deserialize(d)?.into_iter().map(|p| p.0).collect())
    }

    /// An optional list of prefixes (`null` or absent: `None`).
    pub fn list_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<IpNet>>, D::Error> {
        Ok(Option::<Vec<Prefix>>::deserialize(d)?.map(|l| l.into_iter().map(|p| p.0).collect()))
    }

    /// An optional IPv4 prefix.
    pub fn v4_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ipv4Net>, D::Error> {
        Ok(Option::<V4Prefix>::deserialize(d)?.map(|p| p.0))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
        serde_json::from_value(serde_json::Value::String(s.into())).map_err(|e| e.to_string())
    }

    #[test]
    fn keys_round_trip_and_refuse_what_is_not_32_bytes() {
        let text = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let key: WgKey = text.parse().unwrap();
        assert_eq!(key.as_bytes(), &[7u8; 32]);
        assert_eq!(key.to_string(), text);
        assert_eq!(serde_json::to_value(key).unwrap(), serde_json::Value::String(text.clone()));
        assert_eq!(json::<WgKey>(&text).unwrap(), key);
        assert_eq!(format!(" {text}\n").parse::<WgKey>().unwrap(), key, "white space around is ignored");
        assert!(format!("{key:?}").contains(&text), "public keys may show");
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 31]);
        // The last character carries two bits past the 32 bytes: only the canonical one is taken.
        let not_canonical = format!("{}B=", &text[..42]);
        for bad in ["", "key-1", short.as_str(), &text[..43], not_canonical.as_str()] {
            assert_eq!(
                json::<WgKey>(bad).unwrap_err(),
                "must be a WireGuard public key: base64 of 32 bytes",
                "{bad:?}"
            );
        }
        assert_eq!(
            serde_json::from_value::<WgKey>(serde_json::json!(5)).unwrap_err().to_string(),
            "invalid type: integer `5`, expected a string"
        );
    }

    #[test]
    fn endpoints_keep_their_text_and_know_their_parts() {
        for (text, host, port) in [
            ("203.0.113.1:51820", Host::Ip("203.0.113.1".parse().unwrap()), 51820),
            ("[2001:db8::1]:51820", Host::Ip("2001:db8::1".parse().unwrap()), 51820),
            ("[2001:DB8:0::1]:1", Host::Ip("2001:db8::1".parse().unwrap()), 1),
            ("wan1.Example.net:443", Host::Name("wan1.Example.net".into()), 443),
        ] {
            let e: Endpoint = json(text).unwrap();
            assert_eq!((e.host(), e.port()), (&host, port), "{text}");
            assert_eq!(e.to_string(), text, "written back as it was given");
            assert_eq!(serde_json::to_value(&e).unwrap(), serde_json::Value::String(text.into()));
        }
        let v6: Endpoint = "[2001:db8::1]:51820".parse().unwrap();
        assert_eq!(v6.socket_addr(), Some("[2001:db8::1]:51820".parse().unwrap()));
        assert_eq!("hub.example.net:1".parse::<Endpoint>().unwrap().socket_addr(), None);
        let from_socket = Endpoint::from("[2001:db8::1]:51820".parse::<SocketAddr>().unwrap());
        assert_eq!(from_socket, v6);
    }

    #[test]
    fn endpoints_refuse_what_the_server_always_refused() {
        for bad in ["203.0.113.1", "2001:db8::1:51820", "bad host:1", ":51820", "1.2.3:80", "[::1]", "[x]:1", "-a:1"] {
            assert_eq!(json::<Endpoint>(bad).unwrap_err(), ENDPOINT_SHAPE, "{bad}");
        }
        for bad in ["203.0.113.1:0", "203.0.113.1:70000", "a.example:", "a.example:x"] {
            assert_eq!(json::<Endpoint>(bad).unwrap_err(), "the port must be between 1 and 65535", "{bad}");
        }
    }

    #[test]
    fn port_ranges_normalise_and_keep_their_form() {
        for (given, written, first, last) in
            [("443", "443", 443, 443), (" 0443", "443", 443, 443), ("8000 - 8999", "8000-8999", 8000, 8999)]
        {
            let r: PortRange = json(given).unwrap();
            assert_eq!((r.to_string().as_str(), r.first(), r.last()), (written, first, last), "{given:?}");
        }
        assert_eq!("443-443".parse::<PortRange>().unwrap().to_string(), "443-443");
        assert!("10-20".parse::<PortRange>().unwrap().contains(20));
        assert!(!"10-20".parse::<PortRange>().unwrap().contains(21));
        assert_eq!(json::<PortRange>("9-1").unwrap_err(), "the range's start must not exceed its end");
        for bad in ["", "0", "70000", "http", "1-", "-5", "1-70000"] {
            assert_eq!(json::<PortRange>(bad).unwrap_err(), PORT_SHAPE, "{bad:?}");
        }
        assert_eq!(PortRange::port(0), None);
        assert_eq!(PortRange::range(5, 4), None);
    }

    #[test]
    fn prefixes_read_with_the_api_message_and_write_as_ipnet_does() {
        #[derive(Deserialize, Serialize)]
        struct Body {
            #[serde(default, deserialize_with = "prefix::list")]
            p: Vec<IpNet>,
            #[serde(default, deserialize_with = "prefix::list_opt")]
            o: Option<Vec<IpNet>>,
            #[serde(default, deserialize_with = "prefix::v4_opt")]
            v4: Option<Ipv4Net>,
        }
        let body: Body =
            serde_json::from_str(r#"{"p": ["10.1.0.0/16", "FD00:1::/64"], "o": null, "v4": "100.64.0.0/10"}"#).unwrap();
        assert_eq!(serde_json::to_string(&body.p).unwrap(), r#"["10.1.0.0/16","fd00:1::/64"]"#);
        assert_eq!((body.o, body.v4.map(|n| n.prefix_len())), (None, Some(10)));
        let err = |s: &str| serde_json::from_str::<Body>(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err(r#"{"p": ["10.1.0.0/16", "banana"]}"#).starts_with(PREFIX_SHAPE));
        assert!(err(r#"{"o": ["10.1.0.0"]}"#).starts_with(PREFIX_SHAPE));
        assert!(err(r#"{"v4": "fd00::/64"}"#).starts_with(IPV4_PREFIX_SHAPE));
        // Host bits are the server's check, not the type's.
        let body: Body = serde_json::from_str(r#"{"p": ["10.1.2.3/16"]}"#).unwrap();
        assert_eq!(body.p[0].to_string(), "10.1.2.3/16");
    }
}
