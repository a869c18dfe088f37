// Object one of 'bpf4j scenario tailcall-in-freplace' (the tcp-connecting.c of the original demo):
// two kprobes that report a TCP socket and then call stub_handler(), the function the freplace
// object replaces with a tail call.
#include "tailcall_in_freplace.h"

char LICENSE[] SEC("license") = "GPL";

/* Global and __noinline: the verifier only lets freplace replace global functions ("Cannot
 * replace static functions"). The empty asm is a side effect clang cannot see through, so the
 * callers' calls survive -O2 even though the body does nothing. */
__noinline int stub_handler(struct pt_regs *ctx)
{
	asm volatile("" : : "r"(ctx) : "memory");
	return 0;
}

static __always_inline int handle(struct pt_regs *ctx, struct sock *sk)
{
	__u32 key = 0;
	__u64 v = (__u64)sk;

	emit(ctx, sk, PROBE_TYPE_DEFAULT);
	bpf_map_update_elem(&socks, &key, &v, BPF_ANY);
	return stub_handler(ctx);
}

SEC("kprobe/tcp_connect")
int k_tcp_connect(struct pt_regs *ctx)
{
	return handle(ctx, (struct sock *)PT_REGS_PARM1(ctx));
}

/* The listener's side: the child socket of a completed handshake is the second argument. */
SEC("kprobe/inet_csk_complete_hashdance")
int k_icsk_complete_hashdance(struct pt_regs *ctx)
{
	return handle(ctx, (struct sock *)PT_REGS_PARM2(ctx));
}
