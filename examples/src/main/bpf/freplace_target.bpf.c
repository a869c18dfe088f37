// freplace example, the program whose function is replaced: an XDP program that asks a global
// function for its verdict. The kernel verifies a global function on its own, which is what lets
// an EXT program take its place at run time.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* The policy until something replaces it: every frame passes. */
__noinline int verdict(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	return verdict(ctx);
}
