// CO-RE relocations against the running kernel's BTF, checked with a raw tracepoint program
// run by BPF_PROG_TEST_RUN (current is the test's thread there).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct result {
	__u64 tgid;
	__u64 pid;
	__u64 tgid_offset;
	__u64 tgid_size;
	__u64 has_tgid;
	__u64 has_missing;
	__u64 task_size;
	__u64 task_exists;
	__u64 missing_type_exists;
	__u64 enum_exists;
	__u64 enum_value;
	__u64 enum_missing;
	__u64 signed_tgid;
	__u64 flavor_pid;
	__u64 type_id_target;
	__u64 matches;
	__u64 bf_offset;
	__u64 bf_size;
	__u64 bf_lshift;
	__u64 bf_rshift;
	__u64 bf_value;
};

struct result res;

/* A flavor: the loader matches it with the kernel's task_struct, by name without ___flavor. */
struct task_struct___mine {
	int pid;
	int tgid;
	int field_not_in_any_kernel;
} __attribute__((preserve_access_index));

struct type_not_in_any_kernel {
	int x;
} __attribute__((preserve_access_index));

enum bpf4j_missing_enum { BPF4J_MISSING_VALUE = 1 };

SEC("raw_tp/sys_enter")
int core_read(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct task_struct___mine *m = (void *)t;

	res.tgid = BPF_CORE_READ(t, tgid);
	res.pid = BPF_CORE_READ(t, pid);
	res.tgid_offset = bpf_core_field_offset(t->tgid);
	res.tgid_size = bpf_core_field_size(t->tgid);
	res.has_tgid = bpf_core_field_exists(t->tgid);
	res.has_missing = bpf_core_field_exists(m->field_not_in_any_kernel);
	res.task_size = bpf_core_type_size(struct task_struct);
	res.task_exists = bpf_core_type_exists(struct task_struct);
	res.missing_type_exists = bpf_core_type_exists(struct type_not_in_any_kernel);
	res.enum_exists = bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
	res.enum_value = bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
	res.enum_missing = bpf_core_enum_value_exists(enum bpf4j_missing_enum, BPF4J_MISSING_VALUE);
	res.signed_tgid = __builtin_preserve_field_info(t->tgid, BPF_FIELD_SIGNED);
	res.bf_offset = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_BYTE_OFFSET);
	res.bf_size = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_BYTE_SIZE);
	res.bf_lshift = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_LSHIFT_U64);
	res.bf_rshift = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_RSHIFT_U64);
	res.bf_value = BPF_CORE_READ_BITFIELD_PROBED(t, sched_reset_on_fork) + 10;
	res.flavor_pid = BPF_CORE_READ(m, pid);
	res.type_id_target = bpf_core_type_id_kernel(struct task_struct);
	return 0;
}

/* Reads a field no kernel has: the load must fail and name this relocation. */
SEC("raw_tp/sys_enter")
int core_missing(void *ctx)
{
	struct task_struct___mine *m = (void *)bpf_get_current_task();

	res.tgid = BPF_CORE_READ(m, field_not_in_any_kernel);
	return 0;
}
