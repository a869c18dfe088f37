// Global data, BTF maps and bpf-to-bpf calls, run with BPF_PROG_TEST_RUN by ObjectLoadTest.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* .rodata: set from Java before load. */
const volatile __u32 verdict = XDP_PASS;
const volatile __u64 magic = 0;
/* .data */
__u64 packets = 100;
/* .bss */
__u64 bytes;
__u32 last_len;
/* named sections */
__u64 custom_counter SEC(".data.custom") = 7;
const volatile __u32 custom_const SEC(".rodata.custom") = 3;
static __u32 static_hits;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} lens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 8);
	__uint(max_entries, 4);
} slots SEC(".maps");

/* A static subprogram: clang calls it with an offset relative to the section. */
static __noinline __u64 add_len(__u32 len)
{
	__u64 *v, one = 1;

	v = bpf_map_lookup_elem(&lens, &len);
	if (v) {
		__sync_fetch_and_add(v, 1);
		return *v;
	}
	bpf_map_update_elem(&lens, &len, &one, BPF_ANY);
	return 1;
}

/* A global subprogram: verified on its own (BTF func linkage global), relocated by symbol. */
__noinline int count_slot(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&slots, &idx);

	if (!v)
		return -1;
	*v += 1;
	return (int)*v;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	packets++;
	bytes += len;
	last_len = len;
	custom_counter += custom_const;
	static_hits++;
	add_len(len);
	count_slot(0);
	if (magic == 0x1234)
		return XDP_DROP;
	return verdict;
}

SEC("socket")
int sock_len(struct __sk_buff *skb)
{
	count_slot(1);
	add_len(skb->len + 1000);
	return skb->len > 64 ? 64 : skb->len;
}

SEC("kprobe/do_nanosleep")
int kprobe_nanosleep(void *ctx)
{
	count_slot(2);
	return 0;
}
