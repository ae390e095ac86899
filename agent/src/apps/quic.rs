//! The SNI of a QUIC connection, from its client's Initial packets (RFC 9000 §17.2.2, RFC 9001
//! §5): the Initial keys are derived from the Destination Connection ID with the version's
//! public salt, header protection is removed, the payload opened with AES-128-GCM, and the
//! CRYPTO frames gathered until the ClientHello is whole. QUIC v1 and v2 (RFC 9369).
//!
//! The cryptography is `ring`'s (HKDF, AES-128-GCM and QUIC header protection, already in the
//! tree through rustls); the ClientHello is parsed by `tls.rs`. The packet and frame walk is
//! written here: no maintained crate parses a client's Initial without being a QUIC endpoint.

use ring::aead::quic::{HeaderProtectionKey, AES_128};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use ring::hkdf::{self, KeyType, Prk, Salt, HKDF_SHA256};

use super::tls::client_hello_server_name;
use super::Inspect;

const V1: u32 = 0x0000_0001;
const V2: u32 = 0x6b33_43cf;
const V1_SALT: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f,
    0x0a,
];
const V2_SALT: [u8; 20] = [
    0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e,
    0xd9,
];
/// CRYPTO bytes gathered at most; a ClientHello longer than this is not recognised.
pub const MAX_CRYPTO: usize = 8192;
const MAX_CID: usize = 20;

/// What the first bytes of a UDP datagram say about QUIC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongHeader<'a> {
    pub version: u32,
    pub dcid: &'a [u8],
}

/// A client Initial's version and Destination Connection ID, if `datagram` starts with the long
/// header of an Initial of a version this module opens.
pub fn initial_header(datagram: &[u8]) -> Option<LongHeader<'_>> {
    let first = *datagram.first()?;
    // Long form and the fixed bit.
    if first & 0xc0 != 0xc0 {
        return None;
    }
    let version = u32::from_be_bytes(datagram.get(1..5)?.try_into().ok()?);
    if packet_type(version, first)? != INITIAL {
        return None;
    }
    let dcid_len = usize::from(*datagram.get(5)?);
    // A client's first DCID has at least 8 bytes (RFC 9000 §7.2).
    if !(8..=MAX_CID).contains(&dcid_len) {
        return None;
    }
    Some(LongHeader { version, dcid: datagram.get(6..6 + dcid_len)? })
}

const INITIAL: u8 = 0;

/// The long packet type, with v2's renumbering undone (v1: Initial 0; v2: Initial 1).
fn packet_type(version: u32, first: u8) -> Option<u8> {
    let bits = (first >> 4) & 0x03;
    match version {
        V1 => Some(bits),
        V2 => Some((bits + 3) % 4),
        _ => None,
    }
}

/// The client's Initial packet protection keys of one connection.
pub struct InitialKeys {
    version: u32,
    key: LessSafeKey,
    iv: [u8; 12],
    hp: HeaderProtectionKey,
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
fn expand_label(secret: &Prk, label: &[u8], out: &mut [u8]) -> Option<()> {
    let length = u16::try_from(out.len()).ok()?.to_be_bytes();
    let label_len = [u8::try_from(6 + label.len()).ok()?];
    let info: [&[u8]; 5] = [&length, &label_len, b"tls13 ", label, &[0]];
    secret.expand(&info, Len(out.len())).ok()?.fill(out).ok()
}

impl InitialKeys {
    /// The client keys for a connection opened with `dcid` (RFC 9001 §5.2, RFC 9369 §3.3).
    pub fn client(version: u32, dcid: &[u8]) -> Option<InitialKeys> {
        let (salt, key_label, iv_label, hp_label): (&[u8], &[u8], &[u8], &[u8]) = match version {
            V1 => (&V1_SALT, b"quic key", b"quic iv", b"quic hp"),
            V2 => (&V2_SALT, b"quicv2 key", b"quicv2 iv", b"quicv2 hp"),
            _ => return None,
        };
        let initial = Salt::new(HKDF_SHA256, salt).extract(dcid);
        let mut client = [0u8; 32];
        expand_label(&initial, b"client in", &mut client)?;
        let client = Prk::new_less_safe(hkdf::HKDF_SHA256, &client);
        let (mut key, mut iv, mut hp) = ([0u8; 16], [0u8; 12], [0u8; 16]);
        expand_label(&client, key_label, &mut key)?;
        expand_label(&client, iv_label, &mut iv)?;
        expand_label(&client, hp_label, &mut hp)?;
        Some(InitialKeys {
            version,
            key: LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &key).ok()?),
            iv,
            hp: HeaderProtectionKey::new(&AES_128, &hp).ok()?,
        })
    }

    /// Opens every client Initial in `datagram` (coalesced packets of other types are
    /// skipped) and hands each one's plaintext payload to `payload`. Returns how many opened;
    /// stops at the first that does not.
    pub fn open_initials(&self, datagram: &[u8], mut payload: impl FnMut(&[u8])) -> usize {
        let mut opened = 0;
        let mut rest = datagram;
        let mut scratch = Vec::new();
        while let Some((packet, next)) = split_long_packet(rest) {
            rest = next;
            if packet_type(self.version, packet[0]) != Some(INITIAL) {
                continue;
            }
            scratch.clear();
            scratch.extend_from_slice(packet);
            match self.open(&mut scratch) {
                Some(plain) => payload(plain),
                None => break,
            }
            opened += 1;
        }
        opened
    }

    /// Removes header protection and decrypts one Initial packet in place; the plaintext.
    fn open<'a>(&self, packet: &'a mut [u8]) -> Option<&'a [u8]> {
        let pn_offset = initial_pn_offset(packet)?;
        let sample: [u8; 16] = packet.get(pn_offset + 4..pn_offset + 20)?.try_into().ok()?;
        let mask = self.hp.new_mask(&sample).ok()?;
        packet[0] ^= mask[0] & 0x0f;
        let pn_len = usize::from(packet[0] & 0x03) + 1;
        let mut pn = 0u64;
        for i in 0..pn_len {
            packet[pn_offset + i] ^= mask[1 + i];
            pn = pn << 8 | u64::from(packet[pn_offset + i]);
        }
        // The first packets of a connection have small numbers, so the truncated number is the
        // full one (no expected-number reconstruction, RFC 9000 §A.3, is needed).
        let mut nonce = self.iv;
        for (n, p) in nonce[4..].iter_mut().zip(pn.to_be_bytes()) {
            *n ^= p;
        }
        let (header, body) = packet.split_at_mut(pn_offset + pn_len);
        let plain = self.key.open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(&header[..]), body).ok()?;
        Some(plain)
    }
}

/// A QUIC variable-length integer (RFC 9000 §16) and the bytes after it.
fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let first = *bytes.first()?;
    let len = 1usize << (first >> 6);
    let raw = bytes.get(..len)?;
    let mut value = u64::from(first & 0x3f);
    for &b in &raw[1..] {
        value = value << 8 | u64::from(b);
    }
    Some((value, &bytes[len..]))
}

/// The offset of an Initial's (protected) packet number: after its connection IDs, token and
/// length.
fn initial_pn_offset(packet: &[u8]) -> Option<usize> {
    let dcid_len = usize::from(*packet.get(5)?);
    let scid_at = 6 + dcid_len;
    let scid_len = usize::from(*packet.get(scid_at)?);
    if dcid_len > MAX_CID || scid_len > MAX_CID {
        return None;
    }
    let after_cids = packet.get(scid_at + 1 + scid_len..)?;
    let (token_len, rest) = varint(after_cids)?;
    let rest = rest.get(usize::try_from(token_len).ok()?..)?;
    let (_, rest) = varint(rest)?;
    Some(packet.len() - rest.len())
}

/// The first long-header packet of `datagram` (up to the end its Length field gives) and the
/// rest of the datagram.
fn split_long_packet(datagram: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *datagram.first()?;
    if first & 0xc0 != 0xc0 {
        return None;
    }
    let dcid_len = usize::from(*datagram.get(5)?);
    let scid_at = 6 + dcid_len;
    let scid_len = usize::from(*datagram.get(scid_at)?);
    if dcid_len > MAX_CID || scid_len > MAX_CID {
        return None;
    }
    let mut rest = datagram.get(scid_at + 1 + scid_len..)?;
    let version = u32::from_be_bytes(datagram.get(1..5)?.try_into().ok()?);
    let kind = packet_type(version, first)?;
    if kind == INITIAL {
        let (token_len, after) = varint(rest)?;
        rest = after.get(usize::try_from(token_len).ok()?..)?;
    } else if kind == 3 {
        // Retry has no Length: it is the rest of the datagram, and never from a client.
        return None;
    }
    let (length, after) = varint(rest)?;
    let end = datagram.len() - after.len() + usize::try_from(length).ok()?;
    Some((datagram.get(..end)?, &datagram[end..]))
}

/// The CRYPTO stream of a connection's Initials, gathered by offset: frames may come out of
/// order, repeated, and spread over several packets and datagrams.
#[derive(Debug, Default, Clone)]
pub struct CryptoStream {
    bytes: Vec<u8>,
    /// Received ranges, sorted and merged.
    have: Vec<(usize, usize)>,
}

impl CryptoStream {
    /// Takes the frames of one decrypted Initial payload. `false` if the payload is malformed.
    pub fn add_frames(&mut self, mut payload: &[u8]) -> bool {
        while let Some(&kind) = payload.first() {
            match kind {
                0x00 => payload = &payload[1..], // PADDING
                0x01 => payload = &payload[1..], // PING
                0x02 | 0x03 => {
                    let Some(rest) = skip_ack(&payload[1..], kind == 0x03) else { return false };
                    payload = rest;
                }
                0x06 => {
                    let Some((offset, rest)) = varint(&payload[1..]) else { return false };
                    let Some((len, rest)) = varint(rest) else { return false };
                    let Some(data) = usize::try_from(len).ok().and_then(|len| rest.get(..len)) else { return false };
                    self.insert(offset, data);
                    payload = &rest[data.len()..];
                }
                // CONNECTION_CLOSE, or a frame an Initial may not carry: nothing more to learn.
                _ => return true,
            }
        }
        true
    }

    fn insert(&mut self, offset: u64, data: &[u8]) {
        let Ok(start) = usize::try_from(offset) else { return };
        if start >= MAX_CRYPTO {
            return;
        }
        let end = start.saturating_add(data.len()).min(MAX_CRYPTO);
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        self.bytes[start..end].copy_from_slice(&data[..end - start]);
        self.have.push((start, end));
        self.have.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(self.have.len());
        for &(s, e) in &self.have {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.have = merged;
    }

    /// The bytes received without a gap from offset 0.
    pub fn contiguous(&self) -> &[u8] {
        match self.have.first() {
            Some(&(0, end)) => &self.bytes[..end],
            _ => &[],
        }
    }

    /// The ClientHello's SNI once it is whole.
    pub fn server_name(&self) -> Inspect<Option<&[u8]>> {
        match client_hello_server_name(self.contiguous()) {
            // More than the buffer can hold will never be whole.
            Inspect::NeedMore if self.contiguous().len() >= MAX_CRYPTO => Inspect::NotThis,
            other => other,
        }
    }
}

fn skip_ack(mut rest: &[u8], ecn: bool) -> Option<&[u8]> {
    let (_largest, r) = varint(rest)?;
    let (_delay, r) = varint(r)?;
    let (ranges, r) = varint(r)?;
    let (_first, r) = varint(r)?;
    rest = r;
    // Each range is two varints of at least one byte: a count beyond the bytes left is junk.
    if ranges > rest.len() as u64 {
        return None;
    }
    for _ in 0..ranges * 2 {
        rest = varint(rest)?.1;
    }
    if ecn {
        for _ in 0..3 {
            rest = varint(rest)?.1;
        }
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn from_hex(text: &str) -> Vec<u8> {
        hex::decode(text.split_whitespace().collect::<String>()).unwrap()
    }

    /// The server name of a connection's first datagrams, the way the classifier goes.
    fn server_name(datagrams: &[&[u8]]) -> Option<String> {
        let header = initial_header(datagrams[0])?;
        let keys = InitialKeys::client(header.version, header.dcid)?;
        let mut crypto = CryptoStream::default();
        for d in datagrams {
            keys.open_initials(d, |p| assert!(crypto.add_frames(p)));
        }
        match crypto.server_name() {
            Inspect::Found(name) => name.map(|n| String::from_utf8_lossy(n).into_owned()),
            _ => None,
        }
    }

    #[test]
    fn rfc_9001_sample_client_initial_opens_to_its_client_hello() {
        let packet = from_hex(include_str!("testdata/rfc9001_client_initial.hex"));
        let header = initial_header(&packet).unwrap();
        assert_eq!(header, LongHeader { version: V1, dcid: &from_hex("8394c8f03e515708")[..] });
        let keys = InitialKeys::client(V1, header.dcid).unwrap();
        let mut plaintexts = Vec::new();
        assert_eq!(keys.open_initials(&packet, |p| plaintexts.push(p.to_vec())), 1);
        // RFC 9001 A.2: a CRYPTO frame of 241 bytes (a ClientHello for example.com), then
        // PADDING to 1162 bytes.
        assert_eq!(plaintexts[0].len(), 1162);
        assert_eq!(&plaintexts[0][..8], &from_hex("060040f1010000ed")[..]);
        assert_eq!(server_name(&[&packet]), Some("example.com".into()));
    }

    #[test]
    fn rfc_9369_sample_v2_client_initial_opens_too() {
        let packet = from_hex(include_str!("testdata/rfc9369_client_initial.hex"));
        assert_eq!(initial_header(&packet).unwrap().version, V2);
        assert_eq!(server_name(&[&packet]), Some("example.com".into()));
    }

    #[test]
    fn aioquic_initials_give_their_server_names() {
        assert_eq!(
            server_name(&[include_bytes!("testdata/quic_aioquic_youtube_v1.bin")]),
            Some("www.youtube.com".into())
        );
        assert_eq!(server_name(&[include_bytes!("testdata/quic_aioquic_zoom_v2.bin")]), Some("us04web.zoom.us".into()));
    }

    #[test]
    fn a_changed_byte_or_a_wrong_connection_id_opens_nothing() {
        let packet = from_hex(include_str!("testdata/rfc9001_client_initial.hex"));
        let header = initial_header(&packet).unwrap();
        let keys = InitialKeys::client(V1, header.dcid).unwrap();
        let mut tampered = packet.clone();
        tampered[600] ^= 1;
        assert_eq!(keys.open_initials(&tampered, |_| panic!("opened")), 0);
        let other = InitialKeys::client(V1, &[1; 8]).unwrap();
        assert_eq!(other.open_initials(&packet, |_| panic!("opened")), 0);
        // The v2 keys of the same connection ID do not open a v1 packet.
        let v2 = InitialKeys::client(V2, header.dcid).unwrap();
        assert_eq!(v2.open_initials(&packet, |_| panic!("opened")), 0);
    }

    #[test]
    fn crypto_frames_out_of_order_repeated_and_split_are_gathered() {
        let packet = from_hex(include_str!("testdata/rfc9001_client_initial.hex"));
        let keys = InitialKeys::client(V1, initial_header(&packet).unwrap().dcid).unwrap();
        let mut hello = Vec::new();
        keys.open_initials(&packet, |p| hello = p[4..4 + 241].to_vec());
        let frame = |offset: usize, data: &[u8]| {
            let mut f = vec![0x06, 0x40 | (offset >> 8) as u8, offset as u8, 0x40 | (data.len() >> 8) as u8];
            f.push(data.len() as u8);
            f.extend_from_slice(data);
            f
        };
        let mut crypto = CryptoStream::default();
        // Second half first (with a PING and an ACK around it), then the first half twice.
        let mut first_payload = vec![0x01];
        first_payload.extend(frame(120, &hello[120..]));
        first_payload.extend([0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
        assert!(crypto.add_frames(&first_payload));
        assert_eq!(crypto.server_name(), Inspect::NeedMore);
        assert!(crypto.add_frames(&frame(0, &hello[..120])));
        assert!(crypto.add_frames(&frame(0, &hello[..120])));
        assert_eq!(crypto.server_name(), Inspect::Found(Some(&b"example.com"[..])));
    }

    #[test]
    fn other_datagrams_are_not_initials() {
        assert_eq!(initial_header(&[]), None);
        assert_eq!(initial_header(b"\x40short header"), None);
        // Version negotiation (version 0) and an unknown version.
        assert_eq!(initial_header(&[0xc0, 0, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]), None);
        assert_eq!(initial_header(&[0xc0, 0xff, 0, 0, 0x1d, 8, 1, 2, 3, 4, 5, 6, 7, 8]), None);
        // A v1 Handshake packet (type 2) is not an Initial.
        assert_eq!(initial_header(&[0xe0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8]), None);
        // A DCID shorter than a client's first may be.
        assert_eq!(initial_header(&[0xc0, 0, 0, 0, 1, 4, 1, 2, 3, 4]), None);
    }
}
