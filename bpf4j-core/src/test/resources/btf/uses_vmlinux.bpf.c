// Compiled by BtfCDumpTest against the vmlinux.h bpf4j dumps: CO-RE reads of kernel structs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int on_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 start = BPF_CORE_READ(task, start_time);
	const char *comm0 = task->comm;
	struct bpf_map *map = (struct bpf_map *)&counts;
	__u32 max = BPF_CORE_READ(map, max_entries);
	enum bpf_map_type type = BPF_CORE_READ(map, map_type);
	__u64 v = start + max + type + comm0[0] + bpf_core_field_size(struct task_struct, pid);
	bpf_map_update_elem(&counts, &tgid, &v, BPF_ANY);
	return 0;
}
