// Ring buffer example: one record per system call entry (raw tracepoint sys_enter), filtered by
// process and syscall number, sent to user space through a BPF_MAP_TYPE_RINGBUF.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* The record Java reads: 32 bytes, little-endian. */
struct event {
	__u32 pid;     /* tgid */
	__u32 tid;
	__s64 nr;      /* syscall number */
	char comm[16]; /* the calling thread's name */
};

/* Filters, set from Java before loading: the process (0: every one), the syscall (-1: every one). */
const volatile __u32 target_tgid;
const volatile __s64 target_nr = -1;

/* Records the buffer had no room for. */
__u64 dropped;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("raw_tp/sys_enter")
int on_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__s64 nr = ctx->args[1]; /* sys_enter(struct pt_regs *regs, long id) */
	struct event *e;

	if (target_tgid && id >> 32 != target_tgid)
		return 0;
	if (target_nr >= 0 && nr != target_nr)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->nr = nr;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
