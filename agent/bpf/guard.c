// SPDX-License-Identifier: Apache-2.0
//
// The XDP guard on a site's WAN interfaces (see agent/src/dataplane/guard.rs).
//
// Only UDP datagrams to the agent's listen port are inspected, over IPv4 and IPv6; everything else
// passes untouched. Of those it drops, before they reach user space:
// - what is not a well-formed WireGuard message: the first four bytes are the type (1..4) and
//   three zero bytes; an initiation is 148 bytes, a response 92, a cookie reply 64, a data message
//   at least 32 (its 16-byte header and the 16-byte tag of an empty payload). WireGuard's spec
//   pads data to a multiple of 16, but boringtun does not, so no such rule is applied here;
// - responses, cookie replies and data messages whose receiver index (without its low 8 bits, as
//   the agent allocates them: one 24-bit index per peer) is not in `sessions`, which the agent
//   keeps in step with its peers;
// - handshake initiations from one source address above its token bucket in `initiation_buckets`.
// It counts every verdict by reason in `verdicts`, and per session index the packets and bytes it
// passed in `sessions`. Fragments and IPv6 extension headers are passed: the port is not known.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// Reasons, in the order of the `verdicts` array (the agent reads them by these numbers).
#define PASS_INITIATION 0
#define PASS_RESPONSE 1
#define PASS_COOKIE_REPLY 2
#define PASS_DATA 3
#define DROP_MALFORMED 4
#define DROP_UNKNOWN_INDEX 5
#define DROP_INITIATION_RATE 6
#define N_VERDICTS 7

#define MSG_INITIATION 1
#define MSG_RESPONSE 2
#define MSG_COOKIE_REPLY 3
#define MSG_DATA 4

struct config {
    // The agent's listen port, host order; 0: inspect nothing.
    __u32 port;
    __u32 reserved;
    // A handshake initiation costs `initiation_cost_ns` of a source's credit; the credit grows by
    // one per nanosecond up to `initiation_credit_max_ns` (the burst).
    __u64 initiation_cost_ns;
    __u64 initiation_credit_max_ns;
};

struct counter {
    __u64 packets;
    __u64 bytes;
};

struct bucket {
    __u64 credit_ns;
    __u64 last_ns;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct config);
} config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, N_VERDICTS);
    __type(key, __u32);
    __type(value, struct counter);
} verdicts SEC(".maps");

// Live session indexes (receiver index >> 8) and what passed for each.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, struct counter);
} sessions SEC(".maps");

// Keyed by the source address, IPv4 as IPv4-mapped IPv6.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, struct in6_addr);
    __type(value, struct bucket);
} initiation_buckets SEC(".maps");

static __always_inline int verdict(__u32 reason, __u64 len)
{
    struct counter *c = bpf_map_lookup_elem(&verdicts, &reason);
    if (c) {
        c->packets += 1;
        c->bytes += len;
    }
    return reason >= DROP_MALFORMED ? XDP_DROP : XDP_PASS;
}

// Whether the source at `src` may send one more initiation now. Not atomic across CPUs: two CPUs
// updating one bucket at once may each let one through, which bounds the error by the CPU count.
static __always_inline int initiation_allowed(const struct config *cfg, const struct in6_addr *src)
{
    __u64 now = bpf_ktime_get_ns();
    struct bucket *b = bpf_map_lookup_elem(&initiation_buckets, src);
    if (!b) {
        struct bucket fresh = {.credit_ns = cfg->initiation_credit_max_ns - cfg->initiation_cost_ns,
                               .last_ns = now};
        bpf_map_update_elem(&initiation_buckets, src, &fresh, BPF_ANY);
        return 1;
    }
    __u64 credit = b->credit_ns + (now - b->last_ns);
    if (credit > cfg->initiation_credit_max_ns)
        credit = cfg->initiation_credit_max_ns;
    b->last_ns = now;
    if (credit < cfg->initiation_cost_ns) {
        b->credit_ns = credit;
        return 0;
    }
    b->credit_ns = credit - cfg->initiation_cost_ns;
    return 1;
}

static __always_inline int inspect(struct xdp_md *ctx, const struct config *cfg, void *payload,
                                   __u32 udp_len, const struct in6_addr *src)
{
    void *data_end = (void *)(long)ctx->data_end;
    // The UDP header's length, not the frame's: a GSO train that reaches XDP in one frame has the
    // length of all its segments in it, and only data messages are ever sent in trains.
    if (udp_len < sizeof(struct udphdr))
        return verdict(DROP_MALFORMED, 0);
    __u32 len = udp_len - sizeof(struct udphdr);
    __u8 *p = payload;
    if ((void *)(p + 8) > data_end)
        return verdict(DROP_MALFORMED, len);
    if (p[1] | p[2] | p[3])
        return verdict(DROP_MALFORMED, len);
    __u32 index_at;
    __u32 pass;
    switch (p[0]) {
    case MSG_INITIATION:
        if (len != 148)
            return verdict(DROP_MALFORMED, len);
        if (!initiation_allowed(cfg, src))
            return verdict(DROP_INITIATION_RATE, len);
        return verdict(PASS_INITIATION, len);
    case MSG_RESPONSE:
        if (len != 92)
            return verdict(DROP_MALFORMED, len);
        index_at = 8;
        pass = PASS_RESPONSE;
        break;
    case MSG_COOKIE_REPLY:
        if (len != 64)
            return verdict(DROP_MALFORMED, len);
        index_at = 4;
        pass = PASS_COOKIE_REPLY;
        break;
    case MSG_DATA:
        if (len < 32)
            return verdict(DROP_MALFORMED, len);
        index_at = 4;
        pass = PASS_DATA;
        break;
    default:
        return verdict(DROP_MALFORMED, len);
    }
    if ((void *)(p + 12) > data_end)
        return verdict(DROP_MALFORMED, len);
    __u32 receiver = (__u32)p[index_at] | ((__u32)p[index_at + 1] << 8) | ((__u32)p[index_at + 2] << 16) |
                     ((__u32)p[index_at + 3] << 24);
    __u32 session = receiver >> 8;
    struct counter *c = bpf_map_lookup_elem(&sessions, &session);
    if (!c)
        return verdict(DROP_UNKNOWN_INDEX, len);
    c->packets += 1;
    c->bytes += len;
    return verdict(pass, len);
}

SEC("xdp")
int patronus_guard(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 zero = 0;
    const struct config *cfg = bpf_map_lookup_elem(&config, &zero);
    if (!cfg || cfg->port == 0)
        return XDP_PASS;

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;
    void *l3 = eth + 1;
    __u16 proto = eth->h_proto;
    if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
        // One VLAN tag: 2 bytes of TCI, then the inner EtherType.
        if (l3 + 4 > data_end)
            return XDP_PASS;
        proto = *(__u16 *)(l3 + 2);
        l3 += 4;
    }

    struct in6_addr src = {};
    struct udphdr *udp;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = l3;
        if ((void *)(ip + 1) > data_end)
            return XDP_PASS;
        if (ip->protocol != IPPROTO_UDP)
            return XDP_PASS;
        // A fragment: only the first carries the port, and none the whole message.
        if (ip->frag_off & bpf_htons(0x3fff))
            return XDP_PASS;
        __u32 ihl = ip->ihl * 4;
        if (ihl < sizeof(*ip))
            return XDP_PASS;
        udp = l3 + ihl;
        src.in6_u.u6_addr16[5] = 0xffff;
        src.in6_u.u6_addr32[3] = ip->saddr;
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = l3;
        if ((void *)(ip6 + 1) > data_end)
            return XDP_PASS;
        if (ip6->nexthdr != IPPROTO_UDP)
            return XDP_PASS;
        udp = (void *)(ip6 + 1);
        src = ip6->saddr;
    } else {
        return XDP_PASS;
    }
    if ((void *)(udp + 1) > data_end)
        return XDP_PASS;
    if (udp->dest != bpf_htons((__u16)cfg->port))
        return XDP_PASS;
    return inspect(ctx, cfg, udp + 1, bpf_ntohs(udp->len), &src);
}

char LICENSE[] SEC("license") = "GPL";
