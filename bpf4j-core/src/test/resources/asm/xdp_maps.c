#include "bpf4j_test.h"

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} bpf4j_counts SEC(".maps");

struct {
	__uint(type, MAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} bpf4j_seen SEC(".maps");

int bpf4j_glob = 7;
__u64 bpf4j_zero;
const volatile __u32 bpf4j_limit = 100;

static NOINLINE int bpf4j_scale(int x)
{
	return x * 3 + 1;
}

static int bpf4j_step(__u32 i, void *ctx)
{
	__u64 *acc = ctx;
	*acc += i;
	return 0;
}

SEC("xdp") int bpf4j_xdp_maps(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 now = bpf_ktime_get_ns();
	__u64 *v = bpf_map_lookup_elem(&bpf4j_counts, &k);
	__u64 acc = 0;

	if (v)
		__sync_fetch_and_add(v, 1);
	k = ctx->ingress_ifindex;
	if (!bpf_map_lookup_elem(&bpf4j_seen, &k))
		bpf_map_update_elem(&bpf4j_seen, &k, &now, 0);
	bpf_loop(4, bpf4j_step, &acc, 0);
	bpf4j_zero += acc;
	if (ctx->data_end - ctx->data > bpf4j_limit)
		return bpf4j_scale(bpf4j_glob) & 3;
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
