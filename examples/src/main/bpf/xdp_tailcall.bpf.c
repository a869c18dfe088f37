// XDP tail call example: an entry program counts every frame and tail-calls, through a program
// array, into a handler chosen by the frame's EtherType. Java fills the array. A frame that is
// not IP, or whose slot is empty, stays in the entry program and is counted as "other".
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP   0x0800
#define ETH_P_IPV6 0x86DD

/* Slots of the program array. */
enum { SLOT_IPV4, SLOT_IPV6, NSLOTS };
/* Counters: frames seen by the entry program, handled by each handler, left in the entry program. */
enum { ENTRY, IPV4, IPV6, OTHER, NCOUNTERS };

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__type(value, __u32);
} handlers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, NCOUNTERS);
} counters SEC(".maps");

static __always_inline void count(__u32 counter)
{
	__u64 *n = bpf_map_lookup_elem(&counters, &counter);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	count(ENTRY);
	if ((void *)(eth + 1) <= end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP))
			bpf_tail_call(ctx, &handlers, SLOT_IPV4);
		else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			bpf_tail_call(ctx, &handlers, SLOT_IPV6);
	}
	/* Reached only when no tail call happened. */
	count(OTHER);
	return XDP_PASS;
}

SEC("xdp")
int handle_ipv4(struct xdp_md *ctx)
{
	count(IPV4);
	return XDP_PASS;
}

SEC("xdp")
int handle_ipv6(struct xdp_md *ctx)
{
	count(IPV6);
	return XDP_PASS;
}
