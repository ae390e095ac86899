//! The server name (SNI) of a TLS ClientHello: from the first bytes of a TCP stream (records),
//! or from a QUIC CRYPTO stream (handshake messages without records).
//!
//! `tls-parser` parses the ClientHello and its extensions; what is written here is only the
//! record walk that gathers a ClientHello split over records or TCP segments, so the parser
//! sees whole messages and a truncated one is "need more", not "not TLS".

use std::borrow::Cow;

use tls_parser::{
    parse_tls_extensions, parse_tls_message_handshake, SNIType, TlsExtension, TlsMessage, TlsMessageHandshake,
};

use super::Inspect;

const RECORD_HANDSHAKE: u8 = 22;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
/// TLS's largest record payload (RFC 8446 §5.1).
const MAX_RECORD: usize = 1 << 14;
/// A ClientHello longer than this is not inspected (real ones take a few hundred bytes, about
/// 2 KiB with a post-quantum key share; the flow's byte budget is the tighter bound).
pub const MAX_CLIENT_HELLO: usize = 1 << 14;

/// The SNI of the ClientHello that opens `stream` (a TCP stream's first bytes, in order):
/// `Found(Some(name))`, `Found(None)` for a ClientHello without SNI, `NeedMore` while the
/// ClientHello is incomplete, `NotThis` for anything else. The name is borrowed from `stream`,
/// or owned when the ClientHello was gathered from several records.
pub fn stream_server_name(stream: &[u8]) -> Inspect<Option<Cow<'_, [u8]>>> {
    // The common case: the whole ClientHello in the first record, parsed where it lies.
    let Some(first) = record(stream) else { return plausible_record_start(stream) };
    let first = match first {
        Ok(body) => body,
        Err(()) => return Inspect::NotThis,
    };
    match handshake_length(first) {
        None if first.len() < 4 => {}
        None => return Inspect::NotThis,
        Some(len) if len > MAX_CLIENT_HELLO => return Inspect::NotThis,
        Some(len) if first.len() >= 4 + len => {
            return map_name(client_hello_server_name(&first[..4 + len]), Cow::Borrowed);
        }
        Some(_) => {}
    }
    // The ClientHello continues in later records: gather their payloads.
    let mut hello = Vec::with_capacity(2048);
    let mut rest = stream;
    loop {
        let Some(body) = record(rest) else { return Inspect::NeedMore };
        let Ok(body) = body else { return Inspect::NotThis };
        hello.extend_from_slice(body);
        rest = &rest[5 + body.len()..];
        match handshake_length(&hello) {
            Some(len) if len > MAX_CLIENT_HELLO => return Inspect::NotThis,
            Some(len) if hello.len() >= 4 + len => {
                return map_name(client_hello_server_name(&hello[..4 + len]), |n| Cow::Owned(n.to_vec()));
            }
            None if hello.len() >= 4 => return Inspect::NotThis,
            _ => {}
        }
    }
}

fn map_name<'a, 'b>(
    found: Inspect<Option<&'a [u8]>>,
    f: impl FnOnce(&'a [u8]) -> Cow<'b, [u8]>,
) -> Inspect<Option<Cow<'b, [u8]>>> {
    match found {
        Inspect::Found(name) => Inspect::Found(name.map(f)),
        Inspect::NeedMore => Inspect::NeedMore,
        Inspect::NotThis => Inspect::NotThis,
    }
}

/// The next handshake record's payload: `None` if it is not all there yet, `Err` if these bytes
/// cannot be a TLS handshake record.
fn record(stream: &[u8]) -> Option<Result<&[u8], ()>> {
    let header = stream.get(..5)?;
    if header[0] != RECORD_HANDSHAKE || header[1] != 3 || header[2] > 4 {
        return Some(Err(()));
    }
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if len == 0 || len > MAX_RECORD {
        return Some(Err(()));
    }
    stream.get(5..5 + len).map(Ok)
}

/// Fewer than 5 bytes: whether they could still start a handshake record.
fn plausible_record_start<T>(stream: &[u8]) -> Inspect<T> {
    let ok = match stream {
        [] => true,
        [t, ..] if *t != RECORD_HANDSHAKE => false,
        [_] => true,
        [_, major, rest @ ..] => *major == 3 && rest.first().is_none_or(|minor| *minor <= 4),
    };
    if ok {
        Inspect::NeedMore
    } else {
        Inspect::NotThis
    }
}

/// The length of the ClientHello that `handshake` starts with, or `None` if it is not a
/// ClientHello (or has fewer than 4 bytes).
fn handshake_length(handshake: &[u8]) -> Option<usize> {
    match handshake {
        [HANDSHAKE_CLIENT_HELLO, a, b, c, ..] => Some(usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c)),
        _ => None,
    }
}

/// The SNI of the ClientHello handshake message that `handshake` starts with (QUIC's CRYPTO
/// stream, or the record payloads of TLS over TCP).
pub fn client_hello_server_name(handshake: &[u8]) -> Inspect<Option<&[u8]>> {
    let Some(len) = handshake_length(handshake) else {
        return if handshake.len() < 4 && handshake.first().is_none_or(|t| *t == HANDSHAKE_CLIENT_HELLO) {
            Inspect::NeedMore
        } else {
            Inspect::NotThis
        };
    };
    if len > MAX_CLIENT_HELLO {
        return Inspect::NotThis;
    }
    if handshake.len() < 4 + len {
        return Inspect::NeedMore;
    }
    let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)))) =
        parse_tls_message_handshake(&handshake[..4 + len])
    else {
        return Inspect::NotThis;
    };
    let Some(extensions) = hello.ext else { return Inspect::Found(None) };
    // A malformed extension ends the list where it starts; the SNI comes early in practice.
    let extensions = match parse_tls_extensions(extensions) {
        Ok((_, list)) => list,
        Err(_) => return Inspect::NotThis,
    };
    let name = extensions.iter().find_map(|e| match e {
        TlsExtension::SNI(names) => names.iter().find(|(t, _)| *t == SNIType::HostName).map(|&(_, n)| n),
        _ => None,
    });
    Inspect::Found(name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const OPENSSL_TEAMS: &[u8] = include_bytes!("testdata/tls_openssl_teams.bin");
    const OPENSSL12_SALESFORCE: &[u8] = include_bytes!("testdata/tls_openssl12_salesforce.bin");
    const OPENSSL_NO_SNI: &[u8] = include_bytes!("testdata/tls_openssl_nosni.bin");
    const CURL_YOUTUBE: &[u8] = include_bytes!("testdata/tls_curl_youtube.bin");

    fn found(name: &str) -> Inspect<Option<Cow<'_, [u8]>>> {
        Inspect::Found(Some(Cow::Borrowed(name.as_bytes())))
    }

    /// The real ClientHello of curl, re-framed into one record per part, as a client with a
    /// long hello (or a middlebox) splits it.
    fn in_records(parts: &[&[u8]]) -> Vec<u8> {
        let mut stream = Vec::new();
        for part in parts {
            stream.extend_from_slice(&[22, 3, 1]);
            stream.extend_from_slice(&(part.len() as u16).to_be_bytes());
            stream.extend_from_slice(part);
        }
        stream
    }

    #[test]
    fn real_client_hellos_give_their_server_name() {
        assert_eq!(stream_server_name(OPENSSL_TEAMS), found("teams.microsoft.com"));
        assert_eq!(stream_server_name(OPENSSL12_SALESFORCE), found("login.salesforce.com"));
        assert_eq!(stream_server_name(CURL_YOUTUBE), found("www.youtube.com"));
        assert_eq!(stream_server_name(OPENSSL_NO_SNI), Inspect::Found(None));
    }

    #[test]
    fn a_truncated_client_hello_needs_more_at_every_length() {
        for cut in 0..CURL_YOUTUBE.len() {
            assert_eq!(stream_server_name(&CURL_YOUTUBE[..cut]), Inspect::NeedMore, "cut at {cut}");
        }
    }

    #[test]
    fn a_client_hello_split_over_records_is_gathered_even_through_its_name() {
        let hello = &CURL_YOUTUBE[5..];
        let (a, b) = hello.split_at(100);
        let stream = in_records(&[a, b]);
        assert_eq!(stream_server_name(&stream), found("www.youtube.com"));
        assert_eq!(stream_server_name(&stream[..200]), Inspect::NeedMore);
        // A split in the middle of the name itself.
        let at = hello.windows(15).position(|w| w == b"www.youtube.com").unwrap() + 5;
        let (a, b) = hello.split_at(at);
        assert_eq!(stream_server_name(&in_records(&[a, b])), found("www.youtube.com"));
    }

    #[test]
    fn other_protocols_are_not_tls() {
        assert_eq!(stream_server_name(b"GET / HTTP/1.1\r\n"), Inspect::NotThis);
        assert_eq!(stream_server_name(b"SSH-2.0-OpenSSH_9.2\r\n"), Inspect::NotThis);
        // A record that is not a handshake (application data), and a handshake that is not a
        // ClientHello (a ServerHello).
        assert_eq!(stream_server_name(&[23, 3, 3, 0, 5, 1, 2, 3, 4, 5]), Inspect::NotThis);
        assert_eq!(stream_server_name(&[22, 3, 3, 0, 5, 2, 0, 0, 1, 0]), Inspect::NotThis);
        assert_eq!(stream_server_name(&[22, 9]), Inspect::NotThis);
    }
}
