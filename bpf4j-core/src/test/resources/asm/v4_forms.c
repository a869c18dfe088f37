#include "bpf4j_test.h"

/* Only compiled with -mcpu=v4: signed div/mod, movsx, sign-extending loads, bswap. */
__s8 bpf4j_b = -3;
__s16 bpf4j_h = -300;
__s32 bpf4j_w = -70000;
__s64 bpf4j_out[8];

SEC("xdp") int bpf4j_v4(struct xdp_md *ctx)
{
	__s64 x = (__s32)ctx->rx_queue_index;
	__s32 y = (__s32)ctx->ingress_ifindex;

	bpf4j_out[0] = x / (y | 1);
	bpf4j_out[1] = x % 7;
	bpf4j_out[2] = (__s8)x + (__s16)y;
	bpf4j_out[3] = bpf4j_b + bpf4j_h + bpf4j_w;
	bpf4j_out[4] = __builtin_bswap64(x) ^ __builtin_bswap32(y) ^ __builtin_bswap16(y);
	bpf4j_out[5] = (__s32)y / -3;
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
