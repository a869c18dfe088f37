// freplace example, the replacement: an EXT program loaded for freplace_target's filter() and
// its global function verdict(). Attached, it drops frames shorter than min_len and counts
// every call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Set from Java before loading. */
const volatile __u32 min_len = 128;

/* Calls of the replacement. */
__u64 calls;

SEC("freplace/verdict")
int short_frames_dropped(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&calls, 1);
	return ctx->data_end - ctx->data < min_len ? XDP_DROP : XDP_PASS;
}
