//! The few system calls no crate wraps the way the dataplane needs: creating a TUN queue,
//! `poll`, batched UDP receive and send, and entering a network namespace (tests).
#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;

/// `struct ifreq` as TUNSETIFF reads it: the name, the flags, and the rest of the union.
#[repr(C)]
struct IfReqFlags {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _pad: [u8; 22],
}

/// Opens one queue of the TUN device `name` (created if missing), without packet information
/// headers. With `multi_queue`, further calls with the same name add queues to the device. With
/// `vnet_hdr`, every packet carries a `virtio_net_hdr` and the kernel may hand over TCP
/// super-packets (TSO) and leave checksums to us; the caller must handle both.
pub fn open_tun(name: &str, multi_queue: bool, vnet_hdr: bool) -> io::Result<(File, String)> {
    if name.len() >= libc::IFNAMSIZ || name.as_bytes().contains(&0) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "TUN name too long"));
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open("/dev/net/tun")?;
    let mut req = IfReqFlags { name: [0; libc::IFNAMSIZ], flags: 0, _pad: [0; 22] };
    req.name[..name.len()].copy_from_slice(name.as_bytes());
    let mut flags = libc::IFF_TUN | libc::IFF_NO_PI;
    if multi_queue {
        flags |= libc::IFF_MULTI_QUEUE;
    }
    if vnet_hdr {
        flags |= libc::IFF_VNET_HDR;
    }
    req.flags = flags as libc::c_short;
    // SAFETY: `file` is an open /dev/net/tun descriptor and `req` is a properly laid out,
    // initialised ifreq that lives for the duration of the call; TUNSETIFF reads and writes it.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF as _, &mut req) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    if vnet_hdr {
        let offloads = libc::TUN_F_CSUM | libc::TUN_F_TSO4;
        // SAFETY: TUNSETOFFLOAD takes the offload flags by value.
        let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETOFFLOAD as _, offloads as libc::c_ulong) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    let len = req.name.iter().position(|&b| b == 0).unwrap_or(req.name.len());
    let actual = String::from_utf8_lossy(&req.name[..len]).into_owned();
    Ok((file, actual))
}

/// Waits until `fd` is readable or `timeout_ms` passes. Returns whether it is readable.
pub fn poll_readable(fd: RawFd, timeout_ms: i32) -> io::Result<bool> {
    let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd, count 1.
    let rc = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if rc < 0 {
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::Interrupted {
            return Ok(false);
        }
        return Err(err);
    }
    Ok(rc > 0 && pfd.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0)
}

/// Reads one packet from a non-blocking descriptor; `Ok(None)` when nothing is waiting.
pub fn read_nonblocking(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<usize>> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        let err = io::Error::last_os_error();
        return match err.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
            _ => Err(err),
        };
    }
    Ok(Some(n as usize))
}

/// Writes one packet; errors are the caller's to count.
pub fn write(fd: RawFd, packet: &[u8]) -> io::Result<usize> {
    // SAFETY: `packet` is valid for reads of its length.
    let n = unsafe { libc::write(fd, packet.as_ptr().cast(), packet.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// Storage for a socket address that any family fits in.
fn to_storage(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes(a.ip().octets()) },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr { s6_addr: a.ip().octets() },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

fn from_storage(storage: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match i32::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in.
            let sin: &libc::sockaddr_in = unsafe { &*(storage as *const libc::sockaddr_storage).cast() };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Some(SocketAddr::V4(SocketAddrV4::new(ip, u16::from_be(sin.sin_port))))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let sin6: &libc::sockaddr_in6 = unsafe { &*(storage as *const libc::sockaddr_storage).cast() };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            let port = u16::from_be(sin6.sin6_port);
            Some(SocketAddr::V6(SocketAddrV6::new(ip, port, sin6.sin6_flowinfo, sin6.sin6_scope_id)))
        }
        _ => None,
    }
}

/// Room for the control message that carries a GRO segment size.
const CMSG_SPACE: usize = 64;

/// Buffers for receiving up to `N` datagrams (or GRO trains of them) with one `recvmmsg`.
pub struct RecvBatch {
    bufs: Vec<Vec<u8>>,
    addrs: Vec<libc::sockaddr_storage>,
    iovs: Vec<libc::iovec>,
    hdrs: Vec<libc::mmsghdr>,
    cmsgs: Vec<[u8; CMSG_SPACE]>,
}

// SAFETY: the raw pointers inside point into the batch's own heap buffers, which move with it.
unsafe impl Send for RecvBatch {}

/// One received datagram, or a train of equal-sized datagrams coalesced by UDP GRO.
pub struct Received<'a> {
    pub data: &'a [u8],
    pub src: SocketAddr,
    /// Size of each datagram in `data` (the last may be shorter); `data.len()` without GRO.
    pub segment: usize,
}

impl RecvBatch {
    pub fn new(count: usize, buf_size: usize) -> RecvBatch {
        RecvBatch {
            bufs: (0..count).map(|_| vec![0u8; buf_size]).collect(),
            // SAFETY: plain old data; zero is valid.
            addrs: (0..count).map(|_| unsafe { std::mem::zeroed() }).collect(),
            iovs: Vec::with_capacity(count),
            // SAFETY: plain old data; zero is valid.
            hdrs: (0..count).map(|_| unsafe { std::mem::zeroed() }).collect(),
            cmsgs: vec![[0u8; CMSG_SPACE]; count],
        }
    }

    /// Receives what is waiting (without blocking) and calls `each` per datagram train.
    /// Returns the number of trains received.
    pub fn recv(&mut self, fd: RawFd, mut each: impl FnMut(Received<'_>)) -> io::Result<usize> {
        let count = self.bufs.len();
        self.iovs.clear();
        for b in &mut self.bufs {
            self.iovs.push(libc::iovec { iov_base: b.as_mut_ptr().cast(), iov_len: b.len() });
        }
        for i in 0..count {
            let h = &mut self.hdrs[i].msg_hdr;
            h.msg_name = (&mut self.addrs[i] as *mut libc::sockaddr_storage).cast();
            h.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            h.msg_iov = &mut self.iovs[i];
            h.msg_iovlen = 1;
            h.msg_control = self.cmsgs[i].as_mut_ptr().cast();
            h.msg_controllen = CMSG_SPACE as _;
            h.msg_flags = 0;
            self.hdrs[i].msg_len = 0;
        }
        // SAFETY: every header points at live buffers of the stated sizes owned by `self`.
        let n =
            unsafe { libc::recvmmsg(fd, self.hdrs.as_mut_ptr(), count as _, libc::MSG_DONTWAIT, std::ptr::null_mut()) };
        if n < 0 {
            let err = io::Error::last_os_error();
            return match err.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(0),
                _ => Err(err),
            };
        }
        let n = n as usize;
        for i in 0..n {
            let len = self.hdrs[i].msg_len as usize;
            let Some(src) = from_storage(&self.addrs[i]) else { continue };
            let segment = gro_segment(&self.hdrs[i].msg_hdr).unwrap_or(len);
            each(Received { data: &self.bufs[i][..len], src, segment: segment.max(1) });
        }
        Ok(n)
    }
}

fn gro_segment(hdr: &libc::msghdr) -> Option<usize> {
    // SAFETY: the header's control buffer was filled by the kernel in recvmmsg; the CMSG macros
    // walk it within msg_controllen.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(hdr);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_UDP && (*cmsg).cmsg_type == libc::UDP_GRO {
                let data = libc::CMSG_DATA(cmsg).cast::<libc::c_int>();
                return Some(std::ptr::read_unaligned(data) as usize);
            }
            cmsg = libc::CMSG_NXTHDR(hdr, cmsg);
        }
    }
    None
}

/// Datagrams queued for one `sendmmsg`, each with its outer TOS; consecutive equal-sized ones to
/// the same destination with the same TOS are sent as one UDP GSO train when `gso` is on (the
/// segments of a train share one IP header template, so a train never mixes marks).
pub struct SendBatch {
    data: Vec<u8>,
    trains: Vec<Train>,
    gso: bool,
    /// Most bytes in one GSO train.
    max_train: usize,
    max_trains: usize,
    // Kept between flushes so that sending allocates nothing once warm.
    addrs: Vec<(libc::sockaddr_storage, libc::socklen_t)>,
    iovs: Vec<libc::iovec>,
    cmsgs: Vec<[u8; CMSG_SPACE]>,
    hdrs: Vec<libc::mmsghdr>,
}

/// Datagrams to one destination with one TOS: one datagram, or a GSO train of equal segments
/// (the last may be shorter).
#[derive(Debug, Clone, Copy)]
struct Train {
    dst: SocketAddr,
    start: usize,
    len: usize,
    segment: usize,
    tos: u8,
}

// SAFETY: the raw pointers in `iovs` and `hdrs` are rewritten before every use and point only
// into the batch's own buffers, which move with it.
unsafe impl Send for SendBatch {}

/// Writes one control message with `data` at the start of `buf`; returns the space it takes
/// (`CMSG_SPACE`). Written unaligned: the kernel copies the control buffer before reading it.
fn put_cmsg(buf: &mut [u8], level: libc::c_int, kind: libc::c_int, data: &[u8]) -> usize {
    // SAFETY: CMSG_SPACE and CMSG_LEN only compute sizes.
    let (space, len, header) = unsafe {
        (libc::CMSG_SPACE(data.len() as u32) as usize, libc::CMSG_LEN(data.len() as u32) as usize, libc::CMSG_LEN(0))
    };
    let header = header as usize;
    // SAFETY: cmsghdr is plain old data; all-zero is a valid value.
    let mut hdr: libc::cmsghdr = unsafe { std::mem::zeroed() };
    hdr.cmsg_len = len as _;
    hdr.cmsg_level = level;
    hdr.cmsg_type = kind;
    assert!(space <= buf.len(), "control message buffer too small");
    // SAFETY: `buf` holds at least `space` >= size_of::<cmsghdr>() bytes; the write is unaligned.
    unsafe { std::ptr::write_unaligned(buf.as_mut_ptr().cast::<libc::cmsghdr>(), hdr) };
    buf[header..header + data.len()].copy_from_slice(data);
    buf[header + data.len()..space].fill(0);
    space
}

/// The control message that sets the TOS of a datagram to `dst`: `IP_TOS` for IPv4 (also as an
/// IPv4-mapped address on a dual-stack socket, which the kernel sends through its IPv4 path),
/// `IPV6_TCLASS` for IPv6.
fn tos_cmsg(dst: &SocketAddr) -> (libc::c_int, libc::c_int) {
    match dst {
        SocketAddr::V6(a) if a.ip().to_ipv4_mapped().is_none() => (libc::IPPROTO_IPV6, libc::IPV6_TCLASS),
        _ => (libc::IPPROTO_IP, libc::IP_TOS),
    }
}

/// Most segments the kernel takes in one UDP GSO send.
const MAX_GSO_SEGMENTS: usize = 64;
/// Most bytes in one UDP GSO send (below the 64 KiB of an IP datagram, with headers).
pub const MAX_TRAIN_BYTES: usize = 65000;

impl SendBatch {
    pub fn new(max_trains: usize, gso: bool) -> SendBatch {
        SendBatch {
            data: Vec::with_capacity(max_trains * 2048),
            trains: Vec::with_capacity(max_trains),
            gso,
            max_train: MAX_TRAIN_BYTES,
            max_trains,
            addrs: Vec::with_capacity(max_trains),
            iovs: Vec::with_capacity(max_trains),
            cmsgs: vec![[0u8; CMSG_SPACE]; max_trains],
            hdrs: Vec::with_capacity(max_trains),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.trains.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.trains.len() >= self.max_trains
    }

    pub fn gso(&self) -> bool {
        self.gso
    }

    /// Drops everything queued.
    pub fn clear(&mut self) {
        self.trains.clear();
        self.data.clear();
    }

    pub fn set_gso(&mut self, gso: bool) {
        self.gso = gso;
    }

    /// Trains stay within `bytes` (a datagram larger than that goes alone).
    pub fn set_max_train(&mut self, bytes: usize) {
        self.max_train = bytes.min(MAX_TRAIN_BYTES);
    }

    /// Queues one datagram with `tos` as its outer TOS byte (IPv4) or traffic class (IPv6).
    pub fn push(&mut self, dst: SocketAddr, tos: u8, datagram: &[u8]) {
        let start = self.data.len();
        self.data.extend_from_slice(datagram);
        if self.gso {
            if let Some(last) = self.trains.last_mut() {
                // Join the previous train when it goes to the same place with the same mark, its
                // segments have this size, and its last segment was full (only the last may be
                // short). Only data messages travel in trains: a receiver that sees a train in one
                // frame (the XDP guard on a veth, say) reads one header and the train's length,
                // which is a well-formed length for data and for no handshake message.
                if last.dst == dst
                    && datagram.first() == Some(&4)
                    && self.data.get(last.start) == Some(&4)
                    && last.tos == tos
                    && datagram.len() <= last.segment
                    && last.len % last.segment == 0
                    && last.len / last.segment < MAX_GSO_SEGMENTS
                    && last.len + datagram.len() <= self.max_train
                {
                    last.len += datagram.len();
                    return;
                }
            }
        }
        self.trains.push(Train { dst, start, len: datagram.len(), segment: datagram.len(), tos });
    }

    /// Sends everything queued with `sendmmsg` and empties the batch. Returns datagrams that the
    /// kernel refused, for counters; a full socket buffer drops, as a router would.
    pub fn flush(&mut self, fd: RawFd) -> usize {
        if self.trains.is_empty() {
            return 0;
        }
        let count = self.trains.len();
        let (addrs, iovs, cmsgs, hdrs) = (&mut self.addrs, &mut self.iovs, &mut self.cmsgs, &mut self.hdrs);
        addrs.clear();
        iovs.clear();
        hdrs.clear();
        if cmsgs.len() < count {
            cmsgs.resize(count, [0u8; CMSG_SPACE]);
        }
        // SAFETY: plain old data; zero is valid.
        hdrs.extend((0..count).map(|_| unsafe { std::mem::zeroed::<libc::mmsghdr>() }));
        for t in &self.trains {
            addrs.push(to_storage(&t.dst));
            iovs.push(libc::iovec { iov_base: self.data[t.start..].as_ptr() as *mut libc::c_void, iov_len: t.len });
        }
        for i in 0..count {
            let t = self.trains[i];
            let h = &mut hdrs[i].msg_hdr;
            h.msg_name = (&mut addrs[i].0 as *mut libc::sockaddr_storage).cast();
            h.msg_namelen = addrs[i].1;
            h.msg_iov = &mut iovs[i];
            h.msg_iovlen = 1;
            // A GSO segment size and a TOS, each only when needed: unmarked single datagrams,
            // the common case, carry no control message at all.
            let control = &mut cmsgs[i];
            let mut used = 0;
            if t.len > t.segment {
                used +=
                    put_cmsg(&mut control[used..], libc::SOL_UDP, libc::UDP_SEGMENT, &(t.segment as u16).to_ne_bytes());
            }
            if t.tos != 0 {
                let (level, kind) = tos_cmsg(&t.dst);
                used += put_cmsg(&mut control[used..], level, kind, &libc::c_int::from(t.tos).to_ne_bytes());
            }
            if used > 0 {
                h.msg_control = control.as_mut_ptr().cast();
                h.msg_controllen = used as _;
            }
        }
        let mut sent = 0usize;
        let mut refused = 0usize;
        while sent < count {
            // SAFETY: headers point at `addrs`, `iovs`, `cmsgs` and `self.data`, all alive and
            // unmoved until the call returns.
            let n = unsafe { libc::sendmmsg(fd, hdrs[sent..].as_mut_ptr(), (count - sent) as u32, libc::MSG_DONTWAIT) };
            if n <= 0 {
                let err = io::Error::last_os_error();
                if err.raw_os_error() == Some(libc::EIO) && self.gso {
                    // The device cannot segment (no checksum offload): stop using GSO.
                    self.gso = false;
                }
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // Skip the datagram the kernel refused (unreachable, buffer full) and go on.
                let t = self.trains[sent];
                refused += t.len.div_ceil(t.segment);
                sent += 1;
                continue;
            }
            sent += n as usize;
        }
        self.trains.clear();
        self.data.clear();
        refused
    }
}

/// Moves the calling thread into the network namespace open at `ns` (tests).
#[cfg(test)]
pub fn enter_netns(ns: &File) -> io::Result<()> {
    // SAFETY: `ns` is an open namespace file; setns affects only the calling thread.
    let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether the process runs as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Turns UDP GRO on for a socket: the kernel then hands over trains of datagrams from one source
/// in one receive. Returns whether the kernel accepted it.
pub fn set_udp_gro(fd: RawFd) -> bool {
    let on: libc::c_int = 1;
    // SAFETY: a valid int option value and its size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_UDP,
            libc::UDP_GRO,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    rc == 0
}

/// Whether interface `name` is up with a carrier (IFF_UP and IFF_RUNNING), asked through the
/// socket `fd` so that the answer comes from the socket's network namespace. `None` when the
/// interface does not exist.
pub fn interface_running(fd: RawFd, name: &str) -> Option<bool> {
    if name.len() >= libc::IFNAMSIZ {
        return None;
    }
    let mut req = IfReqFlags { name: [0; libc::IFNAMSIZ], flags: 0, _pad: [0; 22] };
    req.name[..name.len()].copy_from_slice(name.as_bytes());
    // SAFETY: `req` is an initialised ifreq; SIOCGIFFLAGS writes only its flags.
    let rc = unsafe { libc::ioctl(fd, libc::SIOCGIFFLAGS as _, &mut req) };
    if rc < 0 {
        return None;
    }
    let flags = i32::from(req.flags);
    Some(flags & libc::IFF_UP != 0 && flags & libc::IFF_RUNNING != 0)
}

/// Sets a socket buffer past `net.core.[rw]mem_max` (needs CAP_NET_ADMIN): bursts of a fast
/// sender must not overflow the queue between two `recvmmsg` calls. Returns whether it worked.
pub fn force_buffer_sizes(fd: RawFd, bytes: i32) -> bool {
    let mut ok = true;
    for opt in [libc::SO_RCVBUFFORCE, libc::SO_SNDBUFFORCE] {
        // SAFETY: a valid int option value and its size.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                opt,
                (&bytes as *const i32).cast(),
                std::mem::size_of::<i32>() as libc::socklen_t,
            )
        };
        ok &= rc == 0;
    }
    ok
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::print_stdout)]
    use super::*;
    use std::net::UdpSocket;
    use std::time::Duration;

    #[repr(C, align(8))]
    struct Control([u8; 128]);

    fn set_int(fd: RawFd, level: libc::c_int, opt: libc::c_int) {
        let on: libc::c_int = 1;
        // SAFETY: a valid int option value and its size.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                level,
                opt,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as _,
            )
        };
        assert_eq!(rc, 0, "setsockopt: {}", io::Error::last_os_error());
    }

    /// One datagram and the TOS (IPv4) or traffic class (IPv6) it arrived with.
    fn recv_with_tos(sock: &UdpSocket) -> (Vec<u8>, Option<u8>) {
        let mut buf = vec![0u8; 2048];
        let mut control = Control([0; 128]);
        let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
        // SAFETY: plain old data; zero is valid.
        let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
        hdr.msg_iov = &mut iov;
        hdr.msg_iovlen = 1;
        hdr.msg_control = control.0.as_mut_ptr().cast();
        hdr.msg_controllen = control.0.len() as _;
        // SAFETY: the header points at live buffers of the stated sizes.
        let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut hdr, 0) };
        assert!(n >= 0, "recvmsg: {}", io::Error::last_os_error());
        buf.truncate(n as usize);
        let mut tos = None;
        // SAFETY: the kernel filled the (aligned) control buffer; the macros walk it within
        // msg_controllen.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(&hdr);
            while !cmsg.is_null() {
                let (level, kind) = ((*cmsg).cmsg_level, (*cmsg).cmsg_type);
                if level == libc::IPPROTO_IP && kind == libc::IP_TOS {
                    tos = Some(*libc::CMSG_DATA(cmsg));
                } else if level == libc::IPPROTO_IPV6 && kind == libc::IPV6_TCLASS {
                    tos = Some(std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>()) as u8);
                }
                cmsg = libc::CMSG_NXTHDR(&hdr, cmsg);
            }
        }
        (buf, tos)
    }

    /// Over loopback: IPv4 from an IPv4 socket, IPv4 from a dual-stack socket (as a mapped
    /// address), IPv6. Every datagram arrives with its own mark, although equal-sized ones to one
    /// destination go out as GSO trains.
    #[test]
    fn each_datagram_leaves_with_its_tos_and_gso_trains_split_where_the_tos_changes() {
        let marks = [46u8 << 2, 46 << 2, 46 << 2, 0, 0, 34 << 2, 46 << 2];
        let v4_rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        set_int(v4_rx.as_raw_fd(), libc::IPPROTO_IP, libc::IP_RECVTOS);
        let v4_dst = v4_rx.local_addr().unwrap();
        let v4_sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let dual = socket2::Socket::new(socket2::Domain::IPV6, socket2::Type::DGRAM, None).unwrap();
        dual.set_only_v6(false).unwrap();
        dual.bind(&SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)).into()).unwrap();
        let mapped = SocketAddr::from((Ipv4Addr::LOCALHOST.to_ipv6_mapped(), v4_dst.port()));
        let mut cases =
            vec![("IPv4", v4_sender.as_raw_fd(), v4_dst, &v4_rx), ("IPv4 mapped", dual.as_raw_fd(), mapped, &v4_rx)];
        let v6_rx = UdpSocket::bind("[::1]:0");
        match &v6_rx {
            Ok(rx) => {
                set_int(rx.as_raw_fd(), libc::IPPROTO_IPV6, libc::IPV6_RECVTCLASS);
                cases.push(("IPv6", dual.as_raw_fd(), rx.local_addr().unwrap(), rx));
            }
            Err(e) => println!("IPv6 case skipped: no ::1 here ({e})"),
        }
        for (name, fd, dst, rx) in cases {
            rx.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut batch = SendBatch::new(16, true);
            for (i, tos) in marks.iter().enumerate() {
                batch.push(dst, *tos, &data_message(i as u8));
            }
            assert_eq!(batch.trains.len(), 4, "{name}: trains split where the mark changes");
            assert_eq!(batch.flush(fd), 0, "{name}: refused");
            assert!(batch.gso(), "{name}: GSO was given up");
            for (i, tos) in marks.iter().enumerate() {
                let (data, got) = recv_with_tos(rx);
                assert_eq!(data, data_message(i as u8).to_vec(), "{name}: datagram {i}");
                assert_eq!(got, Some(*tos), "{name}: datagram {i}");
            }
        }
    }

    /// 100 bytes of WireGuard data message (type 4) marked with `n`.
    fn data_message(n: u8) -> [u8; 100] {
        let mut d = [n; 100];
        d[0] = 4;
        d
    }

    #[test]
    fn only_data_messages_travel_in_gso_trains() {
        let dst: SocketAddr = "192.0.2.1:51820".parse().unwrap();
        let mut batch = SendBatch::new(16, true);
        for kind in [1u8, 1, 2, 2, 3, 3] {
            let len = match kind {
                1 => 148,
                2 => 92,
                _ => 64,
            };
            let mut m = vec![0u8; len];
            m[0] = kind;
            batch.push(dst, 0, &m);
        }
        assert_eq!(batch.trains.len(), 6, "each handshake message alone");
        // A data message does not join a handshake message, nor a handshake message data.
        batch.push(dst, 0, &data_message(1));
        batch.push(dst, 0, &data_message(2));
        batch.push(dst, 0, &[1u8; 100]);
        assert_eq!(batch.trains.len(), 8, "two data messages in one train");
    }
}
