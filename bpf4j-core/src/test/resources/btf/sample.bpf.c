// Source of seed-sample.btf (io/bpf4j/btf/BtfFuzzTestInputs/parseAndDump/), the seed of
// BtfFuzzTest: a small program whose BTF has structs, unions, bitfields, enums, function
// prototypes, variables, datasecs and decl tags.
// Regenerate: clang -target bpf -g -O2 -c sample.bpf.c -o /tmp/sample.o &&
//             llvm-objcopy --dump-section .BTF=seed-sample.btf /tmp/sample.o
typedef unsigned int u32;
typedef unsigned long long u64;

enum color { RED, GREEN = 5, BLUE = -1 };
enum wide { WIDE = 0x100000000ULL };

struct flags {
	u32 a : 3, b : 7, c : 22;
	union {
		u64 raw;
		struct { u32 lo, hi; };
	};
	enum color color;
	enum wide wide;
	const volatile char name[12];
};

struct event {
	struct event *next;
	struct flags f;
	int (*cb)(struct event *, void *);
	float ratio;
};

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define SEC(x) __attribute__((section(x), used))

struct event global_event SEC(".data") __tag("global");
const volatile u32 config SEC(".rodata") = 7;
char LICENSE[] SEC("license") = "GPL";

static __attribute__((noinline)) int helper(struct event *e __tag("arg"), int n)
{
	return e->f.b + n + e->f.color + (int)e->f.hi;
}

struct __sk_buff;

SEC("socket")
int prog(struct __sk_buff *skb)
{
	struct event *e = &global_event;
	return helper(e, config) + (int)sizeof(e->ratio);
}
