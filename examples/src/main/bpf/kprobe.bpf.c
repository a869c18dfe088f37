// kprobe example: counts calls of a kernel function. The program has no target in its section
// name; Java attaches it to the function named on the command line. Each call adds one to the
// single slot of an array map, which Java reads once a second.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* The process (tgid) whose calls count; 0 counts every process. Set from Java before loading. */
const volatile __u32 target_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} calls SEC(".maps");

SEC("kprobe")
int count_calls(void *ctx)
{
	__u32 key = 0;
	__u64 *n;

	if (target_tgid && bpf_get_current_pid_tgid() >> 32 != target_tgid)
		return 0;
	n = bpf_map_lookup_elem(&calls, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
