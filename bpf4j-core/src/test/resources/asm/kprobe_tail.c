#include "bpf4j_test.h"

struct {
	__uint(type, MAP_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} bpf4j_jmp SEC(".maps");

SEC("kprobe/do_nanosleep") int bpf4j_kprobe(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();

	if ((id >> 32) == 1)
		return 0;
	bpf_tail_call(ctx, &bpf4j_jmp, bpf_get_smp_processor_id() & 3);
	bpf_tail_call(ctx, &bpf4j_jmp, 0);
	return bpf_get_prandom_u32() & 1;
}

char LICENSE[] SEC("license") = "GPL";
