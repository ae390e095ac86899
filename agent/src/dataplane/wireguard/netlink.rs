//! rtnetlink without an async runtime: a `NETLINK_ROUTE` socket (`netlink-sys`) and the message
//! types of `netlink-packet-route`, the crates `rtnetlink` is built on. `rtnetlink` itself wants
//! a tokio (or smol) reactor, and `Dataplane::apply` is a plain function called from the control
//! loop's task; a blocking socket here costs one thread nothing and keeps the shell synchronous.
//!
//! Requests go out in batches, many per `send`, each with its own sequence number and asking for
//! an acknowledgement, so one batch of 1,000 routes costs a few system calls to send and tells
//! which of its requests failed, with the kernel's reason (extended acks).

use std::io;
use std::net::IpAddr;
use std::time::Duration;

use netlink_packet_core::{
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CREATE, NLM_F_DUMP,
    NLM_F_REPLACE, NLM_F_REQUEST,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::tc::{TcAttribute, TcMessage, TcStats2};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

use crate::dataplane::node::routes::Prefix;

/// Requests per `send`, and their bytes at most. The kernel handles a send's requests before it
/// returns and queues an acknowledgement for each, about a kilobyte of socket buffer apiece
/// (the buffer's accounting, not the message's 36 bytes); this keeps them inside the receive
/// buffer, which drops what does not fit.
const CHUNK: usize = 128;
const CHUNK_BYTES: usize = 32 * 1024;
/// `NLMSGERR_ATTR_MSG`: the kernel's explanation in an extended acknowledgement.
const NLMSGERR_ATTR_MSG: u16 = 1;
const NLMSG_HDRLEN: usize = 16;

/// A route socket in the network namespace of the thread that opened it.
pub struct Netlink {
    socket: Socket,
    seq: u32,
    tx: Vec<u8>,
    rx: Vec<u8>,
}

impl std::fmt::Debug for Netlink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Netlink").field("seq", &self.seq).finish_non_exhaustive()
    }
}

/// One request and its flags besides `NLM_F_REQUEST | NLM_F_ACK`.
pub type Request = (RouteNetlinkMessage, u16);

impl Netlink {
    pub fn open() -> io::Result<Netlink> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        socket.bind_auto()?;
        socket.connect(&SocketAddr::new(0, 0))?;
        // Acknowledgements without a copy of the request, with the kernel's reason on failure.
        socket.set_cap_ack(true)?;
        let _ = socket.set_ext_ack(true);
        // The kernel answers before `send` returns; a missing answer must not hang the agent.
        socket2::SockRef::from(&socket).set_read_timeout(Some(Duration::from_secs(5)))?;
        // Room for a chunk's acknowledgements (the kernel caps this at net.core.rmem_max).
        let _ = socket.set_rx_buf_sz(1 << 20);
        Ok(Netlink { socket, seq: 0, tx: Vec::with_capacity(CHUNK_BYTES + 1024), rx: Vec::with_capacity(64 * 1024) })
    }

    /// Sends `requests` and returns the outcome of each, in order. `Err` when the socket itself
    /// failed, and then any of them may have been carried out.
    pub fn batch(&mut self, requests: Vec<Request>) -> io::Result<Vec<io::Result<()>>> {
        let mut outcomes = Vec::with_capacity(requests.len());
        let mut chunk_first = 0usize;
        self.tx.clear();
        for (message, flags) in requests {
            let mut m = NetlinkMessage::from(message);
            m.header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
            m.header.sequence_number = self.next_seq();
            m.finalize();
            let len = m.buffer_len();
            let start = self.tx.len();
            self.tx.resize(start + len, 0);
            m.serialize(&mut self.tx[start..]);
            outcomes.push(None);
            if outcomes.len() - chunk_first >= CHUNK || self.tx.len() >= CHUNK_BYTES {
                self.exchange(&mut outcomes[chunk_first..], |_| {})?;
                chunk_first = outcomes.len();
            }
        }
        self.exchange(&mut outcomes[chunk_first..], |_| {})?;
        Ok(outcomes.into_iter().map(|o| o.unwrap_or_else(|| Err(io::Error::other("no acknowledgement")))).collect())
    }

    /// Sends one request and returns what the kernel answered before acknowledging it.
    pub fn request(&mut self, message: RouteNetlinkMessage, flags: u16) -> io::Result<Vec<RouteNetlinkMessage>> {
        let mut m = NetlinkMessage::from(message);
        m.header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        m.header.sequence_number = self.next_seq();
        m.finalize();
        self.tx.clear();
        self.tx.resize(m.buffer_len(), 0);
        m.serialize(&mut self.tx);
        let mut outcome = [None];
        let mut replies = Vec::new();
        self.exchange(&mut outcome, |r| replies.push(r))?;
        let [outcome] = outcome;
        outcome.unwrap_or_else(|| Err(io::Error::other("no acknowledgement")))?;
        Ok(replies)
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Sends what `tx` holds, whose requests are the last `outcomes.len()` sequence numbers, and
    /// reads until each is acknowledged; other messages go to `reply`.
    fn exchange(
        &mut self,
        outcomes: &mut [Option<io::Result<()>>],
        mut reply: impl FnMut(RouteNetlinkMessage),
    ) -> io::Result<()> {
        if self.tx.is_empty() {
            return Ok(());
        }
        let sent = self.socket.send(&self.tx, 0)?;
        if sent != self.tx.len() {
            return Err(io::Error::other("netlink request cut short"));
        }
        self.tx.clear();
        let first = self.seq.wrapping_sub(outcomes.len() as u32).wrapping_add(1);
        let mut pending = outcomes.len();
        while pending > 0 {
            let n = loop {
                // `recv` fills the spare capacity of the cleared buffer.
                self.rx.clear();
                match self.socket.recv(&mut self.rx, 0) {
                    Ok(n) => break n.min(self.rx.len()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            let mut offset = 0;
            while offset + NLMSG_HDRLEN <= n {
                let buffer = NetlinkBuffer::new_checked(&self.rx[offset..n]).map_err(io::Error::other)?;
                let len = buffer.length() as usize;
                let seq = buffer.sequence_number();
                let message = &self.rx[offset..offset + len];
                offset += len.div_ceil(4) * 4;
                let index = seq.wrapping_sub(first) as usize;
                let Some(slot) = outcomes.get_mut(index) else {
                    continue; // an answer to an earlier request that gave up
                };
                let parsed = NetlinkMessage::<RouteNetlinkMessage>::deserialize(message).map_err(io::Error::other)?;
                match parsed.payload {
                    NetlinkPayload::Error(e) => {
                        if slot.is_none() {
                            pending -= 1;
                        }
                        *slot = Some(match e.code {
                            None => Ok(()),
                            Some(_) => Err(explained(e.to_io(), &parsed.header, &e.header)),
                        });
                    }
                    NetlinkPayload::InnerMessage(m) => reply(m),
                    // A dump ends with DONE (carrying its error code), without an acknowledgement.
                    NetlinkPayload::Done(d) => {
                        if slot.is_none() {
                            pending -= 1;
                        }
                        *slot = Some(match d.code {
                            0 => Ok(()),
                            code => Err(io::Error::from_raw_os_error(-code)),
                        });
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

/// The kernel's reason from an extended acknowledgement, added to the error.
fn explained(error: io::Error, header: &NetlinkHeader, payload: &[u8]) -> io::Error {
    if header.flags & NLM_F_ACK_TLVS == 0 || payload.len() < NLMSG_HDRLEN {
        return error;
    }
    // With NETLINK_CAP_ACK the request comes back as its header only; the TLVs follow it.
    let mut tlvs = &payload[NLMSG_HDRLEN..];
    while tlvs.len() >= 4 {
        let len = usize::from(u16::from_ne_bytes([tlvs[0], tlvs[1]]));
        let kind = u16::from_ne_bytes([tlvs[2], tlvs[3]]);
        if len < 4 || len > tlvs.len() {
            break;
        }
        if kind == NLMSGERR_ATTR_MSG {
            let text = String::from_utf8_lossy(&tlvs[4..len]);
            return io::Error::new(error.kind(), format!("{error}: {}", text.trim_end_matches('\0')));
        }
        tlvs = &tlvs[len.div_ceil(4) * 4..];
    }
    error
}

fn family(ip: IpAddr) -> AddressFamily {
    if ip.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    }
}

/// The index of interface `name`.
pub fn link_index(nl: &mut Netlink, name: &str) -> io::Result<u32> {
    let mut m = LinkMessage::default();
    m.attributes.push(LinkAttribute::IfName(name.to_owned()));
    nl.request(RouteNetlinkMessage::GetLink(m), 0)?
        .into_iter()
        .find_map(|r| match r {
            RouteNetlinkMessage::NewLink(l) => Some(l.header.index),
            _ => None,
        })
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no interface {name}")))
}

/// Sets the MTU of interface `index` and brings it up (`ip link set dev .. mtu .. up`).
pub fn set_up(index: u32, mtu: u32) -> Request {
    let mut m = LinkMessage::default();
    m.header.index = index;
    m.header.flags = LinkFlags::Up;
    m.header.change_mask = LinkFlags::Up;
    m.attributes.push(LinkAttribute::Mtu(mtu));
    (RouteNetlinkMessage::NewLink(m), 0)
}

fn address(index: u32, addr: IpAddr, prefix_len: u8) -> AddressMessage {
    let mut m = AddressMessage::default();
    m.header.family = family(addr);
    m.header.prefix_len = prefix_len;
    m.header.index = index;
    m.attributes.push(AddressAttribute::Local(addr));
    m.attributes.push(AddressAttribute::Address(addr));
    m
}

/// `ip addr replace ADDR/LEN dev ..`
pub fn add_address(index: u32, addr: IpAddr, prefix_len: u8) -> Request {
    (RouteNetlinkMessage::NewAddress(address(index, addr, prefix_len)), NLM_F_CREATE | NLM_F_REPLACE)
}

/// `ip addr del ADDR/LEN dev ..`
pub fn del_address(index: u32, addr: IpAddr, prefix_len: u8) -> Request {
    (RouteNetlinkMessage::DelAddress(address(index, addr, prefix_len)), 0)
}

fn route(index: u32, prefix: &Prefix) -> RouteMessage {
    let mut m = RouteMessage::default();
    m.header.address_family = family(prefix.addr());
    m.header.destination_prefix_length = prefix.prefix_len();
    m.header.table = RouteHeader::RT_TABLE_MAIN;
    m.attributes.push(RouteAttribute::Destination(RouteAddress::from(prefix.addr())));
    m.attributes.push(RouteAttribute::Oif(index));
    m
}

/// `ip route replace PREFIX dev ..` (a route through the device, marked `proto static`).
pub fn add_route(index: u32, prefix: &Prefix) -> Request {
    let mut m = route(index, prefix);
    m.header.protocol = RouteProtocol::Static;
    m.header.scope = RouteScope::Link;
    m.header.kind = RouteType::Unicast;
    (RouteNetlinkMessage::NewRoute(m), NLM_F_CREATE | NLM_F_REPLACE)
}

/// `ip route del PREFIX dev ..`: only the route through this device.
pub fn del_route(index: u32, prefix: &Prefix) -> Request {
    let mut m = route(index, prefix);
    m.header.scope = RouteScope::NoWhere;
    (RouteNetlinkMessage::DelRoute(m), 0)
}

/// Counters of one tc class (`tc -s class show`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassStats {
    pub bytes: u64,
    pub packets: u64,
    pub drops: u64,
    pub backlog_bytes: u64,
    pub backlog_packets: u64,
}

/// The classes on interface `index`: (major, minor) of each class id, with its counters.
pub fn tc_classes(nl: &mut Netlink, index: u32) -> io::Result<Vec<((u16, u16), ClassStats)>> {
    let m = TcMessage::with_index(index as i32);
    let replies = nl.request(RouteNetlinkMessage::GetTrafficClass(m), NLM_F_DUMP)?;
    Ok(replies
        .into_iter()
        .filter_map(|r| match r {
            RouteNetlinkMessage::NewTrafficClass(c) if c.header.index == index as i32 => Some(c),
            _ => None,
        })
        .map(|c| {
            let mut stats = ClassStats::default();
            for a in &c.attributes {
                match a {
                    TcAttribute::Stats2(list) => {
                        for s in list {
                            match s {
                                TcStats2::Basic(b) => {
                                    stats.bytes = b.bytes;
                                    stats.packets = u64::from(b.packets);
                                }
                                TcStats2::Queue(q) => {
                                    stats.drops = u64::from(q.drops);
                                    stats.backlog_bytes = u64::from(q.backlog);
                                    stats.backlog_packets = u64::from(q.qlen);
                                }
                                _ => {}
                            }
                        }
                    }
                    // Older kernels: only the compatibility block.
                    TcAttribute::Stats(s) if stats == ClassStats::default() => {
                        stats = ClassStats {
                            bytes: s.bytes,
                            packets: u64::from(s.packets),
                            drops: u64::from(s.drops),
                            backlog_bytes: u64::from(s.backlog),
                            backlog_packets: u64::from(s.qlen),
                        };
                    }
                    _ => {}
                }
            }
            ((c.header.handle.major, c.header.handle.minor), stats)
        })
        .collect())
}
