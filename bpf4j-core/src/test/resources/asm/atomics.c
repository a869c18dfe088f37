#include "bpf4j_test.h"

__u64 bpf4j_a64;
__u32 bpf4j_a32;
__u64 bpf4j_out[8];

SEC("xdp") int bpf4j_atomics(struct xdp_md *ctx)
{
	__u64 x = ctx->rx_queue_index;

	__sync_fetch_and_add(&bpf4j_a64, x);
	bpf4j_out[0] = __sync_fetch_and_add(&bpf4j_a64, 2);
	bpf4j_out[1] = __sync_fetch_and_or(&bpf4j_a64, x);
	bpf4j_out[2] = __sync_fetch_and_and(&bpf4j_a64, 0xff);
	bpf4j_out[3] = __sync_fetch_and_xor(&bpf4j_a32, 5);
	bpf4j_out[4] = __sync_lock_test_and_set(&bpf4j_a64, x);
	bpf4j_out[5] = __sync_val_compare_and_swap(&bpf4j_a32, 1, (__u32)x);
	__sync_fetch_and_or(&bpf4j_a32, 8);
	__sync_fetch_and_and(&bpf4j_a32, 9);
	__sync_fetch_and_xor(&bpf4j_a64, 10);
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
