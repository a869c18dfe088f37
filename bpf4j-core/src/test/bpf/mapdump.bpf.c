// Maps of every kind `bpf4j inspect map dump` formats, with BTF keys and values that use every
// C construct bpftool's BTF dumper prints (structs, unions, arrays, char arrays, enums,
// bitfields, typedefs, qualifiers, pointers, bool, 128-bit integers, nested anonymous types).
// BtfValueFormatterTest formats values by this object's BTF; MapDumpBpftoolTest loads it, fills
// the maps and compares `bpf4j inspect map dump` with `bpftool map dump`.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

enum color { RED, GREEN = 5, BLUE = -1 };
enum wide { NARROW = 1, WIDE = 0x100000000ULL };

typedef __u32 flow_id_t;

struct addr {
	__u8 octets[4];
	__u16 port;
};

union word {
	__u32 u;
	__u8 b[4];
};

struct flow_key {
	struct addr src;
	struct addr dst;
	__u8 proto;
	__u8 dir : 1;
	__u8 spare : 7;
};

struct stats {
	flow_id_t id;
	char comm[16];
	char tag[4];
	enum color color;
	enum wide wide;
	bool seen;
	signed char delta;
	short s16;
	long long s64;
	__u64 packets;
	unsigned int flags : 3;
	int level : 5;
	enum color packed_color : 4;
	__u32 counts[3];
	__u16 matrix[2][2];
	union word w;
	struct {
		__u32 a;
		__u32 b;
	} pair;
	struct {
		__u16 x;
		__u16 y;
	};
	const volatile __u32 cv;
	struct stats *next;
	unsigned __int128 big;
};

struct small {
	__u64 packets;
	__u32 bytes;
	enum color color;
};

struct triple {
	__u32 a, b, c;
};

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow_key);
	__type(value, struct stats);
	__uint(max_entries, 16);
} d_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct stats);
	__uint(max_entries, 3);
} d_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, struct small);
	__uint(max_entries, 8);
} d_pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct triple);
	__uint(max_entries, 2);
} d_pcpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, struct small);
	__uint(max_entries, 8);
} d_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4);
	__type(value, __u32);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} d_lpm SEC(".maps");

/* A hash without BTF: bpftool prints it in hex. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, 4);
	__uint(value_size, 20);
	__uint(max_entries, 4);
} d_hex SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct small);
	__uint(max_entries, 2);
};

struct inner d_inner_a SEC(".maps"), d_inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} d_outer SEC(".maps") = {
	.values = { [0] = &d_inner_a, [2] = &d_inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} d_outer_hash SEC(".maps");

int d_tail_0(struct __sk_buff *skb);
int d_tail_2(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} d_progs SEC(".maps") = {
	.values = { [0] = (void *)&d_tail_0, [2] = (void *)&d_tail_2 },
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} d_ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} d_perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 4);
} d_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 4);
} d_stack SEC(".maps");

/* .data: a DATASEC value. */
__u64 d_counter = 5;
char d_greeting[8] = "hi";

SEC("socket")
int d_tail_0(struct __sk_buff *skb)
{
	return 10;
}

SEC("socket")
int d_tail_2(struct __sk_buff *skb)
{
	return 12;
}

/* One record committed and one discarded, for the ring buffer's pending counts. */
SEC("socket")
int d_produce(struct __sk_buff *skb)
{
	__u64 v = 42;
	__u64 *r;

	bpf_ringbuf_output(&d_ringbuf, &v, sizeof(v), 0);
	r = bpf_ringbuf_reserve(&d_ringbuf, sizeof(*r), 0);
	if (r)
		bpf_ringbuf_discard(r, 0);
	return 0;
}

/* Uses the maps, so that a loader that only creates referenced maps still creates them. */
SEC("socket")
int d_entry(struct __sk_buff *skb)
{
	struct flow_key fk = {};
	__u32 k = 0;
	struct stats *s = bpf_map_lookup_elem(&d_hash, &fk);

	if (s)
		s->packets++;
	s = bpf_map_lookup_elem(&d_array, &k);
	if (s)
		s->packets++;
	d_counter++;
	bpf_tail_call(skb, &d_progs, 0);
	return 99;
}
