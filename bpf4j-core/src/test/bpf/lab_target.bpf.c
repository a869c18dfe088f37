// The program lab.bpf.c's freplace program replaces a function of (LoaderKernelTest).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* A global function: verified on its own, so an EXT program may replace it. */
__noinline int pick(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data > 1000 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_pick(struct xdp_md *ctx)
{
	return pick(ctx);
}
