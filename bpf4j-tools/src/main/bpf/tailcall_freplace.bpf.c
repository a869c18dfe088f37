// Object two of 'bpf4j scenario tailcall-in-freplace' (the freplace.c of the original demo): an
// freplace program for stub_handler() that tail-calls through 'progs', and the kprobe program
// meant for slot 0. 'socks' and 'events' are replaced by object one's maps at load time.
#include "tailcall_in_freplace.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1);
} progs SEC(".maps");

/* Never attached: only reached by the tail call, in the kprobe's context. */
SEC("kprobe/tailcall")
int k_tailcall(struct pt_regs *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&socks, &key);

	if (v && *v)
		emit(ctx, (struct sock *)*v, PROBE_TYPE_FREPLACE);
	return 0;
}

/* Loading this claims 'progs' (its owner type) because it uses it: the bug's first half. */
SEC("freplace/stub_handler")
int freplace_handler(struct pt_regs *ctx)
{
	bpf_tail_call_static(ctx, &progs, 0);
	return 0;
}
