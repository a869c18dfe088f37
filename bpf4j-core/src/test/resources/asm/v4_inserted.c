#include "bpf4j_test.h"

/* v4 forms the verifier keeps or rewrites: a program's own gotol stays as it is, and a
 * sign-extending load through an untrusted BTF pointer (task->parent) becomes
 * BPF_PROBE_MEMSX, which bpf_insn_prepare_dump() does not undo (Linux 6.6). */

struct task_struct {
	int pid;
	struct task_struct *parent;
} __attribute__((preserve_access_index));

static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)158;

long bpf4j_ppid;

SEC("kprobe/do_nanosleep") int bpf4j_v4_inserted(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	long r;

	bpf4j_ppid = t->parent->pid;
	asm volatile (
		"%[r] = 1;"
		"if %[x] == 0 goto +1;"
		".8byte 0x0000000100000006;" /* gotol pc+1 */
		"%[r] = 2;"
		: [r] "=&r"(r) : [x] "r"(bpf4j_ppid));
	return r;
}

char LICENSE[] SEC("license") = "GPL";
