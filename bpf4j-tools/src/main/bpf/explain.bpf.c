// The kernel side of 'bpf4j explain': a raw tracepoint on every syscall's exit, cut short unless
// the syscall is bpf() and the task belongs to a traced process. A failed call goes to the ring
// buffer with its arguments and attr (read here: the thread is still in the syscall, so its own
// code has not touched the attr since; fields the kernel writes back, such as log_true_size,
// show the kernel's value), and its thread gets a signal that stops it under explain's ptrace
// before it runs another user instruction, so the tracer sees its objects and memory as they
// were at the failure. A successful call costs this program's early checks and a counter.
// x86-64 keeps a syscall's argument registers, so no program on sys_enter is needed.
//
// Raw tracepoints (4.17), bpf_send_signal_thread (5.5) and the ring buffer (5.8): every kernel
// explain supports, including hosts without kprobes.

/* PT_REGS_PARM*_CORE_SYSCALL need the target's register names; explain's syscall numbers are x86-64's. */
#ifndef __TARGET_ARCH_x86
#define __TARGET_ARCH_x86
#endif

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define ATTR_COPY 168 /* sizeof(union bpf_attr) of Linux 7.3 */
#define SIGSTOP_ 19
#define SIGURG_ 23

/* Set by the loader. */
const volatile long nr_bpf = 321;      /* __NR_bpf */
const volatile __u32 report_all = 0;   /* every call to the ring buffer, not only failures (--all) */
const volatile __u32 stop_failed = 1;  /* signal the thread of a failed call */

/* One call, as the tracer reads it (io.bpf4j.tools.explain.CallEvent): 232 bytes. */
struct event {
	__u64 ts;
	__u64 attr;
	__u64 arg4;
	__u64 arg5;
	__s64 ret;
	__u32 tgid;
	__u32 tid;
	__u32 cmd;
	__u32 size;
	__u32 signal;  /* the signal sent to stop the thread: SIGURG, SIGSTOP, or 0 for none */
	__u32 copied;  /* bytes of attr_copy read from the caller */
	__u8 attr_copy[ATTR_COPY];
};

/* Processes being traced; the tracer adds each child before it runs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Calls seen, calls failed, events lost to a full ring buffer (their threads were not stopped). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &i);

	if (c)
		(*c)++;
}

static __always_inline int traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&tgids, &tgid) != 0;
}

SEC("raw_tp/sys_exit")
int explain_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	__u64 id;
	__u32 tgid, sig = 0, cmd, end_of_walk;
	struct event *out;
	long ret;

	if (BPF_CORE_READ(regs, orig_ax) != nr_bpf)
		return 0;
	id = bpf_get_current_pid_tgid();
	tgid = id >> 32;
	if (!traced(tgid))
		return 0;
	ret = ctx->args[1];
	cmd = (__u32)PT_REGS_PARM1_CORE_SYSCALL(regs);
	count(0);
	if (ret < 0)
		count(1);
	/* ENOENT ends every key and id walk: counted, shown with --all, but no failure to stop for. */
	end_of_walk = ret == -2 /* ENOENT */ && (cmd == 4 /* MAP_GET_NEXT_KEY */ || cmd == 11 || cmd == 12 || cmd == 23
						  || cmd == 31 /* PROG, MAP, BTF, LINK_GET_NEXT_ID */);
	if (!((ret < 0 && !end_of_walk) || report_all))
		return 0;
	out = bpf_ringbuf_reserve(&events, sizeof(*out), 0);
	if (!out) {
		/* No record, so no stop: the tracer would take the signal for a real one. */
		count(2);
		return 0;
	}
	out->ts = bpf_ktime_get_ns();
	out->cmd = cmd;
	out->attr = PT_REGS_PARM2_CORE_SYSCALL(regs);
	out->size = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
	out->arg4 = PT_REGS_PARM4_CORE_SYSCALL(regs);
	out->arg5 = PT_REGS_PARM5_CORE_SYSCALL(regs);
	out->ret = ret;
	out->tgid = tgid;
	out->tid = (__u32)id;
	/* A fixed size (5.10's verifier takes no bounded variable one here): an attr shorter than this at the
	 * end of a mapping is not copied (copied 0), and the tracer reads it from the stopped thread instead. */
	out->copied = bpf_probe_read_user(out->attr_copy, ATTR_COPY, (void *)out->attr) == 0 ? ATTR_COPY : 0;
	if (ret < 0 && !end_of_walk && stop_failed) {
		/* SIGURG is ignored by default, so a tracer that dies leaves nothing stopped;
		 * a thread that blocks it would not stop, and gets SIGSTOP instead. */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		__u64 blocked = BPF_CORE_READ(t, blocked.sig[0]);

		sig = (blocked & (1ULL << (SIGURG_ - 1))) ? SIGSTOP_ : SIGURG_;
		/* Delivered before the thread returns to user space; refused for init (pid 1). */
		if (bpf_send_signal_thread(sig))
			sig = 0;
	}
	out->signal = sig;
	bpf_ringbuf_submit(out, 0);
	return 0;
}
