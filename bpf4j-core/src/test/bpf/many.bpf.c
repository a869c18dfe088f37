// Thirty programs sharing maps, global data and subprograms: the parse and load benchmarks'
// object (bpf4j-bench LoaderBench, bench/object_load.c), also loaded by ObjectLoadTest.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 limit = 1500;
__u64 seen[30];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 256);
} by_len SEC(".maps");

static __noinline int account(__u32 slot, __u32 len)
{
	__u64 *v, one = 1;

	if (slot < 30)
		seen[slot] += len;
	v = bpf_map_lookup_elem(&by_len, &len);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&by_len, &len, &one, BPF_ANY);
	return len > limit;
}

__noinline int classify(__u32 len)
{
	return len < 64 ? 0 : len < 512 ? 1 : 2;
}

#define XDP_PROG(n)                                                     \
	SEC("xdp")                                                      \
	int xdp_##n(struct xdp_md *ctx)                                 \
	{                                                               \
		__u32 len = ctx->data_end - ctx->data;                  \
		if (account(n, len) || classify(len) == 2)              \
			return XDP_DROP;                                \
		return XDP_PASS;                                        \
	}

#define SOCK_PROG(n)                                                    \
	SEC("socket")                                                   \
	int sock_##n(struct __sk_buff *skb)                             \
	{                                                               \
		if (account(n, skb->len))                               \
			return 0;                                       \
		return classify(skb->len) + skb->len;                   \
	}

XDP_PROG(0) XDP_PROG(1) XDP_PROG(2) XDP_PROG(3) XDP_PROG(4)
XDP_PROG(5) XDP_PROG(6) XDP_PROG(7) XDP_PROG(8) XDP_PROG(9)
XDP_PROG(10) XDP_PROG(11) XDP_PROG(12) XDP_PROG(13) XDP_PROG(14)
SOCK_PROG(15) SOCK_PROG(16) SOCK_PROG(17) SOCK_PROG(18) SOCK_PROG(19)
SOCK_PROG(20) SOCK_PROG(21) SOCK_PROG(22) SOCK_PROG(23) SOCK_PROG(24)
SOCK_PROG(25) SOCK_PROG(26) SOCK_PROG(27) SOCK_PROG(28) SOCK_PROG(29)
