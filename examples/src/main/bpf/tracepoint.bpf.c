// Tracepoint example: counts program executions by file name, from the sched/sched_process_exec
// tracepoint (fired after every successful execve), in a hash map that Java prints once a second.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define NAME_LEN 64

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, char[NAME_LEN]);
	__type(value, __u64);
} execs SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int count_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	/* The file name is a __data_loc field: its low 16 bits are its offset in the record. */
	unsigned int off = ctx->__data_loc_filename & 0xFFFF;
	char name[NAME_LEN] = {};
	__u64 one = 1, *n;

	bpf_probe_read_kernel_str(name, sizeof(name), (void *)ctx + off);
	n = bpf_map_lookup_elem(&execs, name);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&execs, name, &one, BPF_NOEXIST);
	return 0;
}
