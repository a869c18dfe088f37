#include "bpf4j_test.h"

/* Instructions the verifier inserts into a v3 program: BPF_ZEXT_REG after a 32-bit cmpxchg
 * whose result is read as 64 bits (every architecture, Linux 5.12), and the internal per-CPU
 * mov of an inlined bpf_get_smp_processor_id() (JITed x86-64, Linux 6.10). */

__u32 bpf4j_word;
__u64 bpf4j_old;

SEC("xdp") int bpf4j_inserted(struct xdp_md *ctx)
{
	bpf4j_old = __sync_val_compare_and_swap(&bpf4j_word, 0, ctx->rx_queue_index);
	return bpf_get_smp_processor_id() & 3;
}

char LICENSE[] SEC("license") = "GPL";
