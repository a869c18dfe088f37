// One object with every attach kind the loader handles, each reading current->tgid with CO-RE
// (task_struct's layout differs between 5.10 and 7.x). LoaderKernelTest runs it in the lab.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

enum { FENTRY, FEXIT, KPROBE, KRETPROBE, RAW_TP, FREPLACE, NSLOTS };

const volatile __u32 target_tgid;
__u64 counts[NSLOTS];
__u64 tgids[NSLOTS];
__u64 fexit_arg, fexit_ret;

static __always_inline __u32 current_tgid(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, tgid);
}

static __always_inline void hit(int slot)
{
	__sync_fetch_and_add(&counts[slot], 1);
	tgids[slot] = current_tgid();
}

/* bpf_fentry_test1(int a) { return a + 1; }: the kernel calls it on every test run of a tracing program. */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(on_entry, int a)
{
	hit(FENTRY);
	return 0;
}

SEC("fexit/bpf_fentry_test1")
int BPF_PROG(on_exit, int a, int ret)
{
	hit(FEXIT);
	fexit_arg = a;
	fexit_ret = ret;
	return 0;
}

SEC("kprobe/bpf_fentry_test1")
int on_kprobe(void *ctx)
{
	hit(KPROBE);
	return 0;
}

SEC("kretprobe/bpf_fentry_test1")
int on_kretprobe(void *ctx)
{
	hit(KRETPROBE);
	return 0;
}

SEC("raw_tp/sys_enter")
int on_sys_enter(void *ctx)
{
	if (current_tgid() != target_tgid)
		return 0;
	hit(RAW_TP);
	return 0;
}

/* Replaces pick() of lab_target.bpf.c's xdp_pick. */
SEC("freplace/pick")
int new_pick(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&counts[FREPLACE], 1);
	return XDP_TX;
}
