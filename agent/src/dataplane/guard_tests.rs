//! The guard in the kernel: loaded (so the verifier has passed it), then run through
//! `BPF_PROG_TEST_RUN` on crafted frames, each verdict and counter checked. Needs root (CAP_BPF);
//! skipped, saying so, without it.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;

const PORT: u16 = 51820;
/// A session index the node issued, and the receiver index of its third session.
const SESSION: u32 = 0x00ab_cdef;
const RECEIVER: u32 = (SESSION << 8) | 3;
const UNKNOWN_RECEIVER: u32 = 0x0012_3456 << 8;

fn loaded() -> Option<Guard> {
    if !crate::dataplane::wireguard::is_root() {
        println!("skipped: loading an XDP program needs root (CAP_BPF)");
        return None;
    }
    let mut guard = Guard::load().expect("the kernel's verifier accepts the guard");
    guard.configure(PORT, GuardOptions { initiation_rate: 2, initiation_burst: 3 }).unwrap();
    Some(guard)
}

/// An Ethernet frame carrying a UDP datagram from `src` to `dst_port` with `payload`.
fn udp(src: IpAddr, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
    let udp_len = (8 + payload.len()) as u16;
    match src {
        IpAddr::V4(src) => {
            f.extend_from_slice(&0x0800u16.to_be_bytes());
            f.extend_from_slice(&[0x45, 0]);
            f.extend_from_slice(&(20 + udp_len).to_be_bytes());
            f.extend_from_slice(&[0, 1, 0x40, 0, 64, 17, 0, 0]);
            f.extend_from_slice(&src.octets());
            f.extend_from_slice(&[10, 0, 0, 2]);
        }
        IpAddr::V6(src) => {
            f.extend_from_slice(&0x86ddu16.to_be_bytes());
            f.extend_from_slice(&[0x60, 0, 0, 0]);
            f.extend_from_slice(&udp_len.to_be_bytes());
            f.extend_from_slice(&[17, 64]);
            f.extend_from_slice(&src.octets());
            f.extend_from_slice(&Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2).octets());
        }
    }
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&dst_port.to_be_bytes());
    f.extend_from_slice(&udp_len.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// A WireGuard message of `kind` and `len` bytes with `receiver` where its kind keeps it.
fn message(kind: u8, len: usize, receiver: u32) -> Vec<u8> {
    let mut m = vec![0x5a; len];
    m[..4].copy_from_slice(&[kind, 0, 0, 0]);
    let at = match kind {
        2 => 8,
        _ => 4,
    };
    if kind != 1 && len >= at + 4 {
        m[at..at + 4].copy_from_slice(&receiver.to_le_bytes());
    }
    m
}

fn v4(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
}

fn v6(last: u16) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, last))
}

fn run(guard: &Guard, frame: &[u8]) -> u32 {
    guard.test_run(frame, 1).unwrap().0
}

#[test]
fn the_guard_passes_the_verifier_on_this_kernel() {
    let Some(guard) = loaded() else { return };
    assert_eq!(guard.counters().unwrap(), GuardCounters::default());
}

#[test]
fn well_formed_messages_for_issued_sessions_pass_and_are_counted() {
    let Some(mut guard) = loaded() else { return };
    guard.issue(SESSION).unwrap();
    let cases = [
        (v4(1), message(1, 148, 0)),
        (v6(1), message(1, 148, 0)),
        (v4(1), message(2, 92, RECEIVER)),
        (v6(1), message(3, 64, RECEIVER)),
        (v4(1), message(4, 32, RECEIVER)),
        // boringtun does not pad data to 16 bytes: any length from 32 on is well formed.
        (v6(1), message(4, 101, RECEIVER)),
        (v4(1), message(4, 1452, RECEIVER)),
    ];
    for (src, m) in &cases {
        assert_eq!(run(&guard, &udp(*src, PORT, m)), XDP_PASS, "{src}: type {} of {} bytes", m[0], m.len());
    }
    assert_eq!(
        guard.counters().unwrap(),
        GuardCounters {
            passed_initiations: (2, 296),
            passed_responses: (1, 92),
            passed_cookie_replies: (1, 64),
            passed_data: (3, 32 + 101 + 1452),
            ..GuardCounters::default()
        }
    );
    // Per session: everything but the initiations, which name no session of ours.
    let sessions = guard.session_counters().unwrap();
    assert_eq!(sessions.get(&SESSION), Some(&(5, 92 + 64 + 32 + 101 + 1452)));
}

#[test]
fn malformed_messages_are_dropped_and_counted() {
    let Some(mut guard) = loaded() else { return };
    guard.issue(SESSION).unwrap();
    let mut reserved = message(4, 64, RECEIVER);
    reserved[2] = 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("three bytes", vec![4, 0, 0]),
        ("type 0", message(0, 148, RECEIVER)),
        ("type 5", message(5, 64, RECEIVER)),
        ("type 255", message(255, 64, RECEIVER)),
        ("a reserved byte set", reserved),
        ("initiation of 147", message(1, 147, 0)),
        ("initiation of 149", message(1, 149, 0)),
        ("response of 91", message(2, 91, RECEIVER)),
        ("response of 93", message(2, 93, RECEIVER)),
        ("cookie reply of 63", message(3, 63, RECEIVER)),
        ("cookie reply of 65", message(3, 65, RECEIVER)),
        ("data of 31", message(4, 31, RECEIVER)),
        ("data of 16", message(4, 16, RECEIVER)),
        ("junk", vec![0xff; 200]),
    ];
    let mut bytes = 0;
    for (what, m) in &cases {
        assert_eq!(run(&guard, &udp(v4(7), PORT, m)), XDP_DROP, "{what}");
        bytes += m.len() as u64;
    }
    assert_eq!(
        guard.counters().unwrap(),
        GuardCounters { dropped_malformed: (cases.len() as u64, bytes), ..GuardCounters::default() }
    );
    assert_eq!(guard.session_counters().unwrap().get(&SESSION), Some(&(0, 0)));
}

#[test]
fn messages_for_sessions_not_issued_are_dropped_and_counted() {
    let Some(mut guard) = loaded() else { return };
    guard.issue(SESSION).unwrap();
    // The same session index with other low bits (another session of the same peer) passes.
    assert_eq!(run(&guard, &udp(v4(3), PORT, &message(4, 48, SESSION << 8))), XDP_PASS);
    for m in [message(2, 92, UNKNOWN_RECEIVER), message(3, 64, UNKNOWN_RECEIVER), message(4, 48, UNKNOWN_RECEIVER)] {
        assert_eq!(run(&guard, &udp(v6(3), PORT, &m)), XDP_DROP, "type {}", m[0]);
    }
    // Retired: its datagrams are unknown from now on.
    guard.retire(SESSION).unwrap();
    guard.retire(SESSION).unwrap();
    assert_eq!(run(&guard, &udp(v4(3), PORT, &message(4, 48, RECEIVER))), XDP_DROP);
    assert_eq!(
        guard.counters().unwrap(),
        GuardCounters {
            passed_data: (1, 48),
            dropped_unknown_index: (4, 92 + 64 + 48 + 48),
            ..GuardCounters::default()
        }
    );
    assert!(guard.session_counters().unwrap().is_empty());
}

#[test]
fn initiations_above_the_rate_of_one_source_are_dropped_and_others_pass() {
    let Some(guard) = loaded() else { return };
    let init = message(1, 148, 0);
    // A burst of 3 from one source passes, then it must wait half a second (2 a second) per one.
    for src in [v4(9), v6(9)] {
        let verdicts: Vec<u32> = (0..6).map(|_| run(&guard, &udp(src, PORT, &init))).collect();
        assert_eq!(verdicts, [XDP_PASS, XDP_PASS, XDP_PASS, XDP_DROP, XDP_DROP, XDP_DROP], "{src}");
    }
    // Another source has its own bucket.
    assert_eq!(run(&guard, &udp(v4(10), PORT, &init)), XDP_PASS);
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(run(&guard, &udp(v4(9), PORT, &init)), XDP_PASS, "refilled after half a second");
    assert_eq!(run(&guard, &udp(v4(9), PORT, &init)), XDP_DROP);
    assert_eq!(
        guard.counters().unwrap(),
        GuardCounters {
            passed_initiations: (8, 8 * 148),
            dropped_initiation_rate: (7, 7 * 148),
            ..GuardCounters::default()
        }
    );
}

#[test]
fn what_is_not_for_the_listen_port_passes_uninspected() {
    let Some(guard) = loaded() else { return };
    let junk = vec![0xffu8; 100];
    assert_eq!(run(&guard, &udp(v4(5), PORT + 1, &junk)), XDP_PASS, "another port");
    assert_eq!(run(&guard, &udp(v6(5), 53, &junk)), XDP_PASS, "another port over IPv6");
    let mut tcp = udp(v4(5), PORT, &junk);
    tcp[23] = 6;
    assert_eq!(run(&guard, &tcp), XDP_PASS, "TCP to the port");
    let mut fragment = udp(v4(5), PORT, &junk);
    fragment[20] = 0x20; // more fragments
    assert_eq!(run(&guard, &fragment), XDP_PASS, "a first fragment");
    let mut arp = udp(v4(5), PORT, &junk);
    arp[12..14].copy_from_slice(&0x0806u16.to_be_bytes());
    assert_eq!(run(&guard, &arp), XDP_PASS, "ARP");
    assert_eq!(run(&guard, &[0u8; 14]), XDP_PASS, "a bare Ethernet header");
    assert_eq!(guard.counters().unwrap(), GuardCounters::default());
}

#[test]
fn without_a_port_nothing_is_inspected() {
    let Some(mut guard) = loaded() else { return };
    guard.configure(0, GuardOptions::default()).unwrap();
    assert_eq!(run(&guard, &udp(v4(5), PORT, &[0xff; 100])), XDP_PASS);
    assert_eq!(guard.counters().unwrap(), GuardCounters::default());
}
