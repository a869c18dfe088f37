// Programs the tracer's lab tests trace (TraceFeaturesKernelTest), each run by BPF_PROG_TEST_RUN:
//   tt_entry   XDP, tail-calls jmp[0] (tt_target); XDP_DROP if the tail call does not happen
//   tt_target  XDP, returns target_sub(packet length): XDP_TX for a 64-byte packet
//   tt_printk  XDP, one bpf_printk (the bpf_trace:bpf_trace_printk tracepoint), XDP_PASS
// target_sub is global so that its signature stays as written (BTF names its argument v).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

__noinline int target_sub(int v)
{
	return v == 64 ? XDP_TX : XDP_PASS;
}

SEC("xdp")
int tt_target(struct xdp_md *ctx)
{
	return target_sub(ctx->data_end - ctx->data);
}

SEC("xdp")
int tt_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_DROP;
}

SEC("xdp")
int tt_printk(struct xdp_md *ctx)
{
	bpf_printk("bpf4j probe %d", 42);
	return XDP_PASS;
}
