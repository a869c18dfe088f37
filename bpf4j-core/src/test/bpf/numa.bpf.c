// A map placed on a NUMA node, for ObjectSpecTest and MapsLoadTest: numa_node 1000 with
// BPF_F_NUMA_NODE. No machine has that node, so the kernel refuses the map (EINVAL) exactly when
// the node reaches BPF_MAP_CREATE.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 1000);
} far SEC(".maps");

SEC("socket")
int count(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&far, &k);

	if (v)
		*v += 1;
	return 0;
}
