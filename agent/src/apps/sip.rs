//! SIP: a request line (`INVITE sip:bob@example.com SIP/2.0`), over UDP or TCP.

use super::http::request_line;
use super::Inspect;

const METHODS: &[&[u8]] = &[
    b"INVITE",
    b"REGISTER",
    b"OPTIONS",
    b"ACK",
    b"BYE",
    b"CANCEL",
    b"SUBSCRIBE",
    b"NOTIFY",
    b"MESSAGE",
    b"INFO",
    b"PRACK",
    b"UPDATE",
    b"REFER",
    b"PUBLISH",
];

pub fn request(stream: &[u8]) -> Inspect<()> {
    match request_line(stream, METHODS, |v| v.eq_ignore_ascii_case(b"SIP/2.0")) {
        Inspect::Found((_, uri, _)) => {
            let scheme = [&b"sip:"[..], b"sips:", b"tel:"];
            if scheme.iter().any(|s| uri.len() > s.len() && uri[..s.len()].eq_ignore_ascii_case(s)) {
                Inspect::Found(())
            } else {
                Inspect::NotThis
            }
        }
        Inspect::NeedMore => Inspect::NeedMore,
        Inspect::NotThis => Inspect::NotThis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipsak_requests_are_sip() {
        assert_eq!(request(include_bytes!("testdata/sip_sipsak_options.bin")), Inspect::Found(()));
        assert_eq!(request(include_bytes!("testdata/sip_sipsak_register.bin")), Inspect::Found(()));
        assert_eq!(request(b"INVITE sip:bob@example.com SIP/2.0\r\n"), Inspect::Found(()));
        assert_eq!(request(b"INVITE sip:bob@exa"), Inspect::NeedMore);
    }

    #[test]
    fn http_and_odd_uris_are_not_sip() {
        assert_eq!(request(b"OPTIONS * HTTP/1.1\r\n"), Inspect::NotThis);
        assert_eq!(request(b"OPTIONS http://x SIP/2.0\r\n"), Inspect::NotThis);
        assert_eq!(request(b"GET / HTTP/1.1\r\n"), Inspect::NotThis);
    }
}
