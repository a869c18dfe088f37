#include "bpf4j_test.h"

SEC("xdp") int bpf4j_xdp_const(struct xdp_md *ctx)
{
	return 2; /* XDP_PASS */
}

char LICENSE[] SEC("license") = "GPL";
