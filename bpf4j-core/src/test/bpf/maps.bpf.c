// Every BTF map attribute the loader reads: sizes or types, flags, pinning, map-in-map with
// initial inner maps, and a prog array with initial programs (ObjectSpecTest, ObjectLoadTest).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
};

struct inner inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [3] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(key_size, 8);
	__uint(value_size, 16);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf SEC(".maps");

int tail_0(struct __sk_buff *skb);
int tail_2(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&tail_0, [2] = (void *)&tail_2 },
};

SEC("socket")
int tail_0(struct __sk_buff *skb)
{
	return 10;
}

SEC("socket")
int tail_2(struct __sk_buff *skb)
{
	return 12;
}

/* Jumps to slot ctx->mark-ish: slot from the packet length; falls through with 99. */
SEC("socket")
int entry(struct __sk_buff *skb)
{
	__u32 k = 0;
	void *m = bpf_map_lookup_elem(&outer, &k);

	if (m) {
		__u64 *v = bpf_map_lookup_elem(m, &k);
		if (v)
			*v += 1;
	}
	bpf_tail_call(skb, &jumps, skb->len == 36 ? 2 : skb->len == 35 ? 1 : 0);
	return 99;
}
