// A kfunc call (Linux 6.2+: bpf_cast_to_kern_ctx is allowed to every program type), for
// ObjectSpecTest and ObjectLoadTest: the loader puts the kfunc's BTF id into the call.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* XDP_PASS for a 64-byte packet, read through the kernel's struct xdp_buff; XDP_DROP otherwise. */
SEC("xdp")
int kern_ctx(struct xdp_md *ctx)
{
	struct xdp_buff *x = bpf_cast_to_kern_ctx(ctx);

	return x->data_end - x->data == 64 ? XDP_PASS : XDP_DROP;
}
