//! The `Host` of an HTTP/1 request, from the first bytes of a TCP stream; and the request line
//! shape HTTP and SIP share (`METHOD SP target SP VERSION CRLF`).
//!
//! Written here rather than taken from `httparse`: only the request line and one header are
//! needed, on a prefix of the stream that may end anywhere, with "need more" distinguished from
//! "not HTTP".

use super::Inspect;

const METHODS: &[&[u8]] = &[b"GET", b"POST", b"PUT", b"HEAD", b"DELETE", b"OPTIONS", b"PATCH", b"CONNECT", b"TRACE"];
/// Request lines and headers longer than this are not inspected.
pub const MAX_HEAD: usize = 8192;

/// A request line: the method and the target, once its version matched.
pub(super) fn request_line<'a>(
    stream: &'a [u8],
    methods: &[&[u8]],
    version: fn(&[u8]) -> bool,
) -> Inspect<(&'a [u8], &'a [u8], usize)> {
    // The method, then one space.
    let Some(space) = stream.iter().take(16).position(|&b| b == b' ') else {
        let could_be_method = stream.len() < 16 && methods.iter().any(|m| m.starts_with(stream));
        return if could_be_method { Inspect::NeedMore } else { Inspect::NotThis };
    };
    let method = &stream[..space];
    if !methods.contains(&method) {
        return Inspect::NotThis;
    }
    let Some(end) = find_crlf(stream, space) else {
        return if stream.len() < MAX_HEAD { Inspect::NeedMore } else { Inspect::NotThis };
    };
    let line = &stream[space + 1..end];
    let Some(target_end) = line.iter().rposition(|&b| b == b' ') else { return Inspect::NotThis };
    if !version(&line[target_end + 1..]) {
        return Inspect::NotThis;
    }
    let target = &line[..target_end];
    if target.is_empty() || target.contains(&b' ') {
        return Inspect::NotThis;
    }
    Inspect::Found((method, target, end + 2))
}

fn find_crlf(stream: &[u8], from: usize) -> Option<usize> {
    stream.get(from..)?.windows(2).position(|w| w == b"\r\n").map(|i| from + i)
}

/// The host an HTTP/1 request names (`Host` without its port): `Found(None)` for a request
/// whose headers end without one.
pub fn request_host(stream: &[u8]) -> Inspect<Option<&[u8]>> {
    let (_, _, mut at) = match request_line(stream, METHODS, |v| v == b"HTTP/1.1" || v == b"HTTP/1.0") {
        Inspect::Found(line) => line,
        Inspect::NeedMore => return Inspect::NeedMore,
        Inspect::NotThis => return Inspect::NotThis,
    };
    loop {
        let Some(end) = find_crlf(stream, at) else {
            return if stream.len() < MAX_HEAD { Inspect::NeedMore } else { Inspect::Found(None) };
        };
        let line = &stream[at..end];
        if line.is_empty() {
            return Inspect::Found(None);
        }
        if let Some(value) = header_value(line, b"host") {
            return Inspect::Found(Some(strip_port(value)));
        }
        at = end + 2;
    }
}

fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    if !line[..colon].eq_ignore_ascii_case(name) {
        return None;
    }
    Some(line[colon + 1..].trim_ascii())
}

/// `example.com:8080` → `example.com`; `[2001:db8::1]:80` → `2001:db8::1`.
fn strip_port(host: &[u8]) -> &[u8] {
    if let Some(rest) = host.strip_prefix(b"[") {
        return rest.iter().position(|&b| b == b']').map_or(rest, |i| &rest[..i]);
    }
    host.iter().rposition(|&b| b == b':').map_or(host, |i| &host[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURL_GITHUB: &[u8] = include_bytes!("testdata/http_curl_github.bin");

    #[test]
    fn a_real_request_gives_its_host_without_the_port() {
        assert_eq!(request_host(CURL_GITHUB), Inspect::Found(Some(&b"github.com"[..])));
    }

    #[test]
    fn a_request_cut_anywhere_before_its_host_needs_more() {
        let host_end = CURL_GITHUB.windows(2).skip(20).position(|w| w == b"\r\n").unwrap_or(0) + 20;
        for cut in 0..host_end {
            assert_eq!(request_host(&CURL_GITHUB[..cut]), Inspect::NeedMore, "cut at {cut}");
        }
    }

    #[test]
    fn hosts_in_any_case_with_ports_or_brackets_and_requests_without_one() {
        assert_eq!(
            request_host(b"GET / HTTP/1.0\r\nhOsT:  a.example \r\n\r\n"),
            Inspect::Found(Some(&b"a.example"[..]))
        );
        assert_eq!(
            request_host(b"GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n"),
            Inspect::Found(Some(&b"2001:db8::1"[..]))
        );
        assert_eq!(request_host(b"GET / HTTP/1.0\r\nAccept: */*\r\n\r\n"), Inspect::Found(None));
    }

    #[test]
    fn other_bytes_are_not_http() {
        assert_eq!(request_host(b"SSH-2.0-OpenSSH\r\n"), Inspect::NotThis);
        assert_eq!(request_host(b"GET / SIP/2.0\r\n"), Inspect::NotThis);
        assert_eq!(request_host(b"GETTING"), Inspect::NotThis);
        assert_eq!(request_host(&[0x16, 3, 1, 0, 5]), Inspect::NotThis);
    }
}
