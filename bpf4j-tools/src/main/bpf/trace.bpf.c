// Kernel side of `bpf4j trace` (io.bpf4j.trace.Tracer): per-thread sessions over traced kernel
// functions, as retsnoop defines them. An entry function starts a session on its thread; every
// traced function called inside it is logged (entry and exit, timestamp, return value); the log
// goes to user space in one ring buffer record per session (or per MAX_EVENTS events), so a
// session user space will not print (successful, too short) costs no ring buffer traffic at all.
// Java rebuilds the call tree and classifies results; this side only decides "failed" to know
// when to take the kernel stack and whether to ship a finished session.
//
// Programs, one set per attach mode (user space loads only the set it uses):
//   kentry_ip / kexit_lifo      single kprobes without BPF cookies (before 5.15): the entry finds
//                               the function by address, the exit pops the thread's call stack
//                               (kretprobes fire in LIFO order per thread)
//   kentry_cookie / kexit_cookie single kprobes with the function id as BPF cookie (5.15+)
//   kmentry / kmexit            kprobe.multi with cookies (5.18+)
//   kmsession                   a kprobe session with cookies (6.10+): both ends in one program and
//                               one fprobe; what kmentry / kmexit do where the kernel has it
//   fentry_fn / fexitN          fentry/fexit, one clone per function, id in .rodata; the return
//                               value of a function with N arguments is ctx[N]. Also for BPF
//                               programs and their subprograms (attached with attach_prog_fd)
//   inj_kprobe / inj_tp / inj_rawtp  injected probes (-J), one clone per probe: an event in the
//                               session open on the thread they fire on, never a session of their own
//
// Optional, each switched on by user space in .rodata (the verifier drops what is off):
//   capture_args  (-A) arguments of each call: the registers are kept at entry, and what pointers
//                 point at is read at exit, only for calls on an error's path (every call with
//                 args_all), each call's shipped at once (REC_ARGS) ahead of the events that
//                 point at them, so a successful call costs a copy of six registers and no read
//   filters       (--filter-arg) an entry function's sessions start only when its expression holds
//   entry_stacks  (-K before 5.15) each call's return address, and (2) the stack at the session's
//                 entry, since a kretprobe's own stack is one frame there
//   lbr_on        (-B) the CPU's last branch records at the first failure (5.16+)
// x86-64 only: registers are read from struct pt_regs directly.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_DEPTH 32      /* frames of one session's call stack (retsnoop: 64) */
#define MAX_EVENTS 64     /* events buffered per session before a partial record is shipped */
#define MAX_FRAMES 64     /* kernel stack frames taken at the first failure */

/* Per-function flags, from kernel BTF: user space passes them with the function's id, in the
 * upper half of the BPF cookie (or of the ip_to_id value, or in fentry_flags), so no event needs a
 * map lookup to know them. */
#define FN_ENTRY     1    /* starts a session */
#define FN_CANT_FAIL 2    /* void, bool, unsigned, small ints */
#define FN_PTR       4    /* fails on NULL or an error pointer */
#define FN_INT32     8    /* 32-bit signed: sign-extend before the range check */
#define FN_SYSCALL   16   /* a syscall entry wrapper (__x64_sys_*): never nests on one thread */
#define FN_ARGS      32   /* capture its arguments: fn_args holds how */
#define FN_FILTER    64   /* an entry function whose sessions start only if filters[id] holds */

/* Record types (io.bpf4j.trace.Records). */
#define REC_SESSION 1
#define REC_STACK   2
#define REC_ARGS    3
#define REC_LBR     4

/* Session flags in the record header. */
#define S_FINAL     1     /* the entry function returned: the session is complete */
#define S_FAILED    2     /* the session's last error was not cleared by a later success */
#define S_OVERFLOW  4     /* calls deeper than MAX_DEPTH were not logged */
#define S_MISSED    8     /* some call's exit never fired (its kretprobe was missed) */

#define EV_EXIT     1
#define EV_FAILED   2
#define EV_PROBE    4     /* an injected probe fired (id: the probe's), at the session's current depth */
#define EV_ARGS     8     /* arguments captured: at (kind >> EV_ARGS_SHIFT) * 8 in this chunk's REC_ARGS */
#define EV_ARGS_SHIFT 4

/* The stack record's event index has this bit when it was taken at the session's entry. */
#define STACK_AT_ENTRY 0x80000000u

struct event {
	__u32 id;
	__u16 depth;
	__u16 kind;       /* 0 = entry, EV_EXIT [| EV_FAILED], EV_PROBE; | EV_ARGS and the args offset */
	__u64 ts;
	__u64 ret;        /* exit: the result; entry: the return address with entry_stacks, else 0;
	                   * probe: the kretprobe's result, or the kprobe's address */
};

struct rec_hdr {
	__u32 type;       /* REC_SESSION */
	__u32 tid;
	__u32 pid;
	__u32 nevents;    /* events following the header */
	__u64 start_ts;   /* entry time of the session (its id together with tid) */
	__u32 flags;
	__u32 chunk;      /* 0, 1, ... for partial records of a long session */
	char comm[16];
};

struct stack_rec {
	__u32 type;       /* REC_STACK */
	__u32 tid;
	__u64 start_ts;   /* the session it belongs to */
	__u32 event;      /* index (over all chunks) of the failing exit it was taken at */
	__s32 size;       /* bytes of ips, or a negative error from bpf_get_stack */
	__u64 ips[MAX_FRAMES];
};

#define LBR_MAX 32
struct lbr_rec {
	__u32 type;       /* REC_LBR */
	__u32 tid;
	__u64 start_ts;
	__s32 size;       /* bytes of entries, or a negative error from bpf_get_branch_snapshot */
	__u32 pad;
	struct perf_branch_entry entries[LBR_MAX];
};

struct session {
	struct rec_hdr hdr;
	struct event events[MAX_EVENTS];
	struct stack_rec stack;  /* taken at the first failure (or at entry: entry_stacks); shipped with a failed session */
	struct lbr_rec lbr;      /* -B: taken with the stack */
	__u64 ts[MAX_DEPTH];
	__u64 sp[MAX_DEPTH];     /* stack pointer at entry (the return address' slot), 0 if unknown */
	__u64 regs[MAX_DEPTH][6]; /* -A: each frame's argument registers at entry (kretprobes see only the result) */
	__u32 ids[MAX_DEPTH];
	__u32 fflags[MAX_DEPTH]; /* FN_* of each frame's function */
	__u32 depth;      /* may exceed MAX_DEPTH: deeper calls are counted, not logged */
	__u32 err_depth;
	__u32 total;      /* events so far, all chunks */
	__u32 args_off;   /* bytes of arguments shipped for this chunk so far */
	__u8 is_err;
	__u8 flushed;
};

/* Configuration, set by user space before load. */
const volatile __u8 emit_all = 0;            /* -S: ship successful sessions too */
const volatile __u64 min_duration_ns = 0;    /* -L */
const volatile __u32 deny_tgid = 0;          /* the tracer itself */
const volatile __u8 pid_allow_on = 0, pid_deny_on = 0, comm_allow_on = 0, comm_deny_on = 0;
const volatile __u32 fentry_id = 0;          /* which function an fentry/fexit clone is for */
const volatile __u32 fentry_flags = 0;       /* and its FN_* flags */
const volatile __u64 wakeup_bytes = 0;       /* wake the reader only with this much unread; 0: every record */
const volatile __u8 capture_args = 0;        /* -A */
const volatile __u8 args_all = 0;            /* -A: follow the pointers of every call, not only the error's path */
const volatile __u8 entry_stacks = 0;        /* 1: each call's return address; 2: and the stack at the session's entry */
const volatile __u8 lbr_on = 0;              /* -B */
const volatile __u32 fentry_nargs = 0;       /* arguments of the fentry clone's function (at most 6 are read) */
const volatile __u32 inj_id = 0;             /* which injected probe a clone is */
const volatile __u32 inj_flags = 0;          /* FN_ARGS: capture the probe's context */

/* Copied only when a thread is first seen: a thread's slot is reused by its next session. */
static const struct session empty_session = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} rb SEC(".maps");

/* Records the ring buffer could not take (io.bpf4j.ringbuf.RingBufDrops). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Other losses: 0 = no free session slot, 1 = calls deeper than MAX_DEPTH, 2 = exits without
 * their entry (a kprobe skipped under recursion protection), 3 = calls whose exit never came (a
 * kretprobe the kernel missed: all its instances were in use), found when the stack moved past them.
 * Not a loss: 4 = session slots in use (SLOTS_KEEP). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* For kprobes without cookies: the traced functions sorted by address, each with its id | FN_*
 * flags << 32. A binary search over an array costs no helper call (the verifier inlines array
 * lookups) and no hashing: cheaper per event than a hash map for any function count a trace uses. */
struct ip_ent {
	__u64 ip;
	__u64 fn;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);          /* resized by user space */
	__type(key, __u32);
	__type(value, struct ip_ent);
} ip_table SEC(".maps");

const volatile __u32 n_ips = 0;             /* entries of ip_table in use */

/* One slot per thread, kept between its sessions (depth 0: idle), so a session costs no 2.9 KB
 * copy and no hash insert and delete. Not an LRU hash: on 5.10 one lost the session of the blog
 * test's failing update (TraceCommandKernelTest), cause not found. So that threads which exit do
 * not fill the map, a session that ends while more than SLOTS_KEEP slots are in use gives its
 * slot back; a full map is still counted (stats[0], sessions without a slot). */
#define SLOTS_KEEP 512
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct session);
} sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} pid_allow SEC(".maps"), pid_deny SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, char[16]);
	__type(value, __u8);
} comm_allow SEC(".maps"), comm_deny SEC(".maps");

/* -A: what to read for each function's arguments (filled by user space from kernel BTF). */
#define MAX_ARGS 6
#define AK_NONE  0        /* the register only */
#define AK_BYTES 1        /* len bytes at the pointer */
#define AK_STR   2        /* a NUL-terminated string of at most len bytes */
#define AK_SIZED 3        /* AK_BYTES, at most the u32 at size_off in what arg size_arg points to (a map's key_size) */
#define AK_CTX   4        /* len bytes of the program's context (an injected probe's pt_regs or tracepoint record) */
struct arg_spec {
	__u16 total;      /* most bytes one call's capture takes (header included): at most AREA_HALF */
	__u8 nvals;       /* argument registers (or context words) recorded */
	__u8 pad;
	__u8 kind[MAX_ARGS];
	__u8 size_arg[MAX_ARGS];
	__u16 len[MAX_ARGS];
	__u16 size_off[MAX_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);          /* resized by user space: one per function and probe */
	__type(key, __u32);
	__type(value, struct arg_spec);
} fn_args SEC(".maps");

/* One call's captured arguments, shipped as a REC_ARGS record right away, before the event that
 * points at them. Their offset among the arguments of the event's chunk is what the event
 * carries; user space puts a chunk's captures together. A chunk holds at most AREA_HALF bytes of
 * them (a capture that might not fit ships the chunk first), so an offset fits the event's kind.
 * Built in a per-CPU scratch, as argv is: a capture is made and shipped in one run, and kprobe
 * programs do not nest on a CPU. fexit programs can, when an interrupt calls a traced function;
 * the capture interrupted so is then overwritten, as it would be in an area per thread (the
 * interrupt runs on the same thread). Reads land at most MAX_ARG_READ past AREA_HALF, inside data[]. */
#define AREA_HALF 4096
#define MAX_ARG_READ 4096
struct args_rec {
	__u32 type;       /* REC_ARGS */
	__u32 tid;
	__u64 start_ts;
	__u32 chunk;      /* the chunk of events (rec_hdr.chunk) these arguments belong to */
	__u16 size;       /* bytes of data */
	__u16 offset;     /* where data goes among the chunk's arguments */
	__u8 data[AREA_HALF + MAX_ARG_READ + 64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct args_rec);
} args_scratch SEC(".maps");

/* Each call's capture starts with this header, then nvals values, then per read argument a
 * struct arg_data and its bytes rounded up to 8. */
struct call_args {
	__u16 size;       /* bytes of this call's capture, header included */
	__u8 nvals;
	__u8 nread;
	__u32 pad;
	__u64 vals[MAX_ARGS];
};

struct arg_data {
	__s16 len;        /* bytes read (strings: with their NUL), or a negative error */
	__u8 arg;
	__u8 kind;
	__u32 pad;
};

/* Never read: these put the two layouts above into the object's BTF, where the Java side's
 * layout test (TraceObjectTest) finds them. */
const volatile struct call_args call_args_layout = {};
const volatile struct arg_data arg_data_layout = {};

/* --filter-arg: up to MAX_ATOMS comparisons over argument paths, combined by a truth table user
 * space computes from the expression (bit i of the index: atom i held). */
#define MAX_ATOMS 8
#define MAX_STEPS 4
#define OP_EQ 0
#define OP_NE 1
#define OP_LT 2
#define OP_GT 3
#define OP_LE 4
#define OP_GE 5
#define OP_AND 6          /* (value & operand) != 0 */
struct filter_atom {
	__u8 arg;         /* the argument register */
	__u8 nsteps;      /* 0: the register itself; else reads: steps-1 pointers, then the field */
	__u8 size;        /* bytes of the final value: 1, 2, 4 or 8 */
	__u8 op;
	__u8 is_signed;
	__u8 pad[3];
	__u32 off[MAX_STEPS];
	__u64 operand;
};

struct filter {
	__u32 natoms;
	__u32 pad;
	__u64 table[4];
	struct filter_atom atoms[MAX_ATOMS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);          /* resized by user space: one per function */
	__type(key, __u32);
	__type(value, struct filter);
} filters SEC(".maps");

/* -B: the branch records taken first thing in an exit handler, before its own branches overwrite them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lbr_rec);
} lbr_scratch SEC(".maps");

/* The argument registers of the call being entered (for the filter) or captured (copied from its
 * frame at its exit), or an injected probe's context address, for the filter and the capture
 * below: they are global functions, verified once each instead of once per path through the
 * programs that call them, and take only scalars. */
struct argv {
	__u64 v[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct argv);
} argv SEC(".maps");

static __always_inline __u64 *argv_slot(void)
{
	__u32 zero = 0;
	struct argv *a = bpf_map_lookup_elem(&argv, &zero);

	return a ? a->v : NULL;
}

/* A kprobe's six argument registers (x86-64: di, si, dx, cx, r8, r9) into dst. */
static __always_inline void pt_args(struct pt_regs *r, __u64 *dst)
{
	dst[0] = r->di;
	dst[1] = r->si;
	dst[2] = r->dx;
	dst[3] = r->cx;
	dst[4] = r->r8;
	dst[5] = r->r9;
}

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &which);
	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline void count_drop(void)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&drops, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline bool task_allowed(__u64 pid_tgid, struct rec_hdr *h)
{
	__u32 tgid = pid_tgid >> 32;

	if (deny_tgid && tgid == deny_tgid)
		return false;
	if (pid_allow_on && !bpf_map_lookup_elem(&pid_allow, &tgid))
		return false;
	if (pid_deny_on && bpf_map_lookup_elem(&pid_deny, &tgid))
		return false;
	if (comm_allow_on && !bpf_map_lookup_elem(&comm_allow, h->comm))
		return false;
	if (comm_deny_on && bpf_map_lookup_elem(&comm_deny, h->comm))
		return false;
	return true;
}

/* Waking the reader is an interrupt to another CPU and a context switch, per record: costlier
 * than the record. The reader polls on a timeout anyway (TraceCommand: 100 ms), so it is woken
 * only when this record makes the unread data cross wakeup_bytes: once per pile-up, not once per
 * record while the reader is behind (it is awake then, or will be at its timeout). */
static __always_inline __u64 rb_flags(__u64 size)
{
	if (!wakeup_bytes)
		return 0;
	__u64 avail = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	return avail < wakeup_bytes && avail + size >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Ships the buffered events (their arguments went ahead of them); a ring buffer that is full
 * counts one drop per record lost. */
static __always_inline void flush(struct session *s)
{
	__u32 n = s->hdr.nevents;

	s->args_off = 0;
	if (n > MAX_EVENTS)
		n = MAX_EVENTS;
	__u64 size = sizeof(struct rec_hdr) + n * sizeof(struct event);

	if (bpf_ringbuf_output(&rb, &s->hdr, size, rb_flags(size)))
		count_drop();
	s->hdr.nevents = 0;
	s->hdr.chunk++;
	s->flushed = 1;
}

/* Callers that attach arguments to an event make room first (room_for_event), so that the event
 * lands in the chunk its arguments ship with. */
static __always_inline void room_for_event(struct session *s)
{
	if (s->hdr.nevents >= MAX_EVENTS)
		flush(s);
}

static __always_inline void log_event(struct session *s, __u32 id, __u32 depth, __u16 kind, __u64 ts, __u64 ret)
{
	__u32 n = s->hdr.nevents;

	if (n >= MAX_EVENTS) {
		flush(s);
		n = 0;
	}
	struct event *e = &s->events[n & (MAX_EVENTS - 1)];
	e->id = id;
	e->depth = depth;
	e->kind = kind;
	e->ts = ts;
	e->ret = ret;
	s->hdr.nevents = n + 1;
	s->total++;
}

/* Reads `len` bytes (a string if str) at `src`, a kernel or a user address. */
static __always_inline long read_mem(void *dst, __u32 len, __u64 src, bool str)
{
	/* x86-64: user addresses are below the canonical hole; bpf_probe_read_kernel refuses them. */
	if (src < 0x0000800000000000ULL)
		return str ? bpf_probe_read_user_str(dst, len, (void *)src) : bpf_probe_read_user(dst, len, (void *)src);
	return str ? bpf_probe_read_kernel_str(dst, len, (void *)src) : bpf_probe_read_kernel(dst, len, (void *)src);
}

/* Captures the arguments of call id (a function or a probe) from the registers in argv and ships
 * them as the arguments at `offset` in chunk `chunk` of thread tid's session start_ts. Returns
 * the bytes shipped (a multiple of 8), 0 if none. A global function: see struct argv. */
__noinline int trace_capture(__u32 id, __u32 tid, __u64 start_ts, __u32 chunk, __u32 offset)
{
	struct arg_spec *sp = bpf_map_lookup_elem(&fn_args, &id);
	__u64 *vals = argv_slot();
	__u32 zero = 0;
	struct args_rec *a = bpf_map_lookup_elem(&args_scratch, &zero);

	if (!sp || !vals || !a)
		return 0;
	struct call_args *c = (void *)a->data;
	__u32 nvals = sp->nvals;

	if (nvals > MAX_ARGS)
		nvals = MAX_ARGS;
	c->nvals = nvals;
	c->nread = 0;
	c->pad = 0;
#pragma unroll
	for (int i = 0; i < MAX_ARGS; i++)
		c->vals[i] = vals[i];
	/* The running size lives in the record, not in a register: every path through one argument
	 * then reaches the next with the same verifier state, which keeps verification linear in
	 * the number of arguments instead of exponential. */
	c->size = sizeof(struct call_args);
#pragma unroll
	for (int i = 0; i < MAX_ARGS; i++) {
		__u8 kind = sp->kind[i];
		if (kind == AK_NONE || i >= c->nvals)
			continue;
		__u32 len = sp->len[i];
		if (kind == AK_SIZED) {
			__u32 n = 0;
			__u8 j = sp->size_arg[i];

			if (j < MAX_ARGS && !bpf_probe_read_kernel(&n, sizeof(n), (void *)(vals[j & 7] + sp->size_off[i])) && n < len)
				len = n;
		}
		if (len > MAX_ARG_READ)
			len = MAX_ARG_READ;
		__u32 pos = c->size & (AREA_HALF - 1);
		struct arg_data *d = (void *)(a->data + pos);
		void *dst = a->data + pos + sizeof(*d);
		long r = read_mem(dst, len, vals[i], kind == AK_STR); /* AK_CTX: vals[0] is the context's address */
		if (r == 0 && kind != AK_STR)
			r = len;
		d->len = r;
		d->arg = i;
		d->kind = kind;
		d->pad = 0;
		c->size += sizeof(*d) + (r > 0 ? ((r + 7) & ~7) : 0);
		c->nread++;
	}
	__u32 size = c->size;
	/* User space's arg_spec.total bounds it; a capture that grew past it is not shipped. */
	if (size > AREA_HALF)
		return 0;
	a->type = REC_ARGS;
	a->tid = tid;
	a->start_ts = start_ts;
	a->chunk = chunk;
	a->size = size;
	a->offset = offset;
	/* Bounded for the verifier on the register that reaches the helper: clang would otherwise
	 * pass an unchecked copy of size, and drop a mask it can prove changes nothing. */
	__u32 n = size;
	asm volatile("" : "+r"(n));
	n &= AREA_HALF * 2 - 1;
	if (bpf_ringbuf_output(&rb, a, offsetof(struct args_rec, data) + n, BPF_RB_NO_WAKEUP)) {
		count_drop();
		return 0;
	}
	return size;
}

/* -A: captures the arguments of call id (registers in argv) for the event s logs next, making
 * room for that event first so that it lands in the chunk its arguments belong to. Returns the
 * event kind bits that point at them, 0 if nothing was captured. */
static __always_inline __u16 capture(struct session *s, __u32 id)
{
	struct arg_spec *sp = bpf_map_lookup_elem(&fn_args, &id);

	if (!sp || sp->total > AREA_HALF)
		return 0;
	room_for_event(s);
	if (s->args_off + sp->total > AREA_HALF)
		flush(s);
	__u32 off = s->args_off;
	int n = trace_capture(id, s->hdr.tid, s->hdr.start_ts, s->hdr.chunk, off);
	if (n <= 0)
		return 0;
	s->args_off = off + n;
	return EV_ARGS | (__u16)((off >> 3) << EV_ARGS_SHIFT);
}

/* --filter-arg: 1 if the arguments (in argv) of the entry being made pass function id's filter,
 * or it has none. A global function: see struct argv. */
__noinline int trace_filter(__u32 id)
{
	struct filter *f = bpf_map_lookup_elem(&filters, &id);
	__u64 *vals = argv_slot();
	__u32 bits = 0;

	if (!f || !vals)
		return 1;
	for (int i = 0; i < MAX_ATOMS; i++) {
		if (i >= f->natoms)
			break;
		struct filter_atom *at = &f->atoms[i];
		__u64 v = vals[at->arg & 7];
		__u32 size = at->size;
		__u32 steps = at->nsteps;
		bool ok = true;

		if (size > 8)
			size = 8;
		for (int k = 0; k < MAX_STEPS; k++) {
			if (k >= steps)
				break;
			void *addr = (void *)(v + at->off[k]);

			/* Always 8 bytes, cut to the field's size below: one constant size keeps the
			 * verifier's work small (a field at the very end of a mapped page would read as
			 * unreadable: the comparison is then false). */
			v = 0;
			if (bpf_probe_read_kernel(&v, 8, addr)) {
				ok = false;
				break;
			}
		}
		if (!ok)
			continue;
		if (size < 8) {
			__u32 sh = 64 - size * 8;
			v = at->is_signed ? (__u64)((__s64)(v << sh) >> sh) : (v << sh) >> sh;
		}
		__u64 w = at->operand;
		bool r;
		switch (at->op) {
		case OP_EQ: r = v == w; break;
		case OP_NE: r = v != w; break;
		case OP_LT: r = at->is_signed ? (__s64)v < (__s64)w : v < w; break;
		case OP_GT: r = at->is_signed ? (__s64)v > (__s64)w : v > w; break;
		case OP_LE: r = at->is_signed ? (__s64)v <= (__s64)w : v <= w; break;
		case OP_GE: r = at->is_signed ? (__s64)v >= (__s64)w : v >= w; break;
		default: r = (v & w) != 0; break;
		}
		if (r)
			bits |= 1u << i;
	}
	return (f->table[(bits >> 6) & 3] >> (bits & 63)) & 1;
}

/* Kernel task and IRQ stacks are THREAD_SIZE (16 KiB) blocks aligned to their size: two stack
 * pointers in one block are on the same stack, and the lower one is the deeper frame. A pointer of
 * 0 (fentry has none) is on no stack: such frames are never judged by their position. */
#define STACK_SHIFT 14
#define NO_ID ((__u32)~0)

static __always_inline bool same_stack(__u64 a, __u64 b)
{
	return a && b && (a >> STACK_SHIFT) == (b >> STACK_SHIFT);
}

/* Pops the frames below stack pointer `limit`, and one at `limit` if it is function `id`: those
 * calls have returned without their exit firing (a kretprobe has a fixed number of instances, and
 * a call that finds them all taken is not seen returning). Counted and flagged, never silent.
 * A frame at `limit` of another function is live: a tail call (f jumps to f.part.0) enters the
 * callee with the caller's stack pointer. Returns the new depth. */
static __always_inline __u32 unwind(struct session *s, __u64 limit, __u32 id)
{
	__u32 d = s->depth;

	for (int i = 0; i < MAX_DEPTH; i++) {
		if (d == 0 || d > MAX_DEPTH)
			break;
		__u64 fsp = s->sp[(d - 1) & (MAX_DEPTH - 1)];
		if (!same_stack(fsp, limit) || fsp > limit ||
		    (fsp == limit && s->ids[(d - 1) & (MAX_DEPTH - 1)] != id))
			break;
		d--;
		count(3);
		s->hdr.flags |= S_MISSED;
	}
	s->depth = d;
	return d;
}

/* The entry function returned (or was found to have returned unseen): ship the session if it is
 * one user space will print. The thread's slot stays, idle (depth 0), for its next session,
 * unless more than SLOTS_KEEP are in use: then it is deleted (returns true; s is gone). */
static __always_inline bool end_session(struct session *s, __u32 tid, __u64 now)
{
	bool ship = s->flushed || emit_all || s->is_err;

	if (ship && min_duration_ns && now - s->hdr.start_ts < min_duration_ns && !s->flushed)
		ship = false;
	if (ship) {
		/* The stack first: user space completes the session when its events arrive. */
		if (s->is_err) {
			/* Only the frames taken: a 5.10 kretprobe stack is one frame, not 64. */
			__s32 sz = s->stack.size;

			if (sz < 0)
				sz = 0;
			if (sz > (__s32)sizeof(s->stack.ips))
				sz = sizeof(s->stack.ips);
			if (bpf_ringbuf_output(&rb, &s->stack, offsetof(struct stack_rec, ips) + sz, BPF_RB_NO_WAKEUP))
				count_drop();
			if (lbr_on) {
				sz = s->lbr.size;
				if (sz < 0)
					sz = 0;
				if (sz > (__s32)sizeof(s->lbr.entries))
					sz = sizeof(s->lbr.entries);
				if (bpf_ringbuf_output(&rb, &s->lbr, offsetof(struct lbr_rec, entries) + sz, BPF_RB_NO_WAKEUP))
					count_drop();
			}
		}
		s->hdr.flags |= S_FINAL | (s->is_err ? S_FAILED : 0);
		flush(s);
	}
	s->depth = 0;
	__u32 k = 4;
	__u64 *used = bpf_map_lookup_elem(&stats, &k);
	if (used && *used > SLOTS_KEEP && !bpf_map_delete_elem(&sessions, &tid)) {
		__sync_fetch_and_add(used, -1);
		return true;
	}
	return false;
}

/* fn: the function's id | FN_* flags << 32. sp: the stack pointer at entry (it points at the
 * return address), 0 where unknown. regs: ctx is a struct pt_regs (a kprobe's), whose argument
 * registers -A keeps straight from it; otherwise (fentry) they are in argv when FN_ARGS says so.
 * argv holds them for FN_FILTER either way. Returns 1 when the call was not pushed on the
 * thread's stack (no session, filtered out, no slot), so its exit has nothing to do: a kprobe
 * session then skips it. */
static __always_inline int on_entry(void *ctx, __u64 fn, __u64 sp, const bool regs)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	__u32 id = (__u32)fn, flags = fn >> 32;
	struct session *s;
	__u64 now;

	s = bpf_map_lookup_elem(&sessions, &tid);
	now = bpf_ktime_get_ns();
	if (s && s->depth) {
		if (flags & FN_SYSCALL) {
			/* A syscall cannot be entered inside a syscall on one thread: every open frame
			 * returned unseen. (From 5.13 each syscall runs at a random stack offset, so the
			 * stack pointer rule below cannot tell this re-entry from a nested call.) */
			__u32 d = s->depth;

			if (d > MAX_DEPTH)
				d = MAX_DEPTH;
			__u32 k = 3;
			__u64 *c = bpf_map_lookup_elem(&stats, &k);
			if (c)
				__sync_fetch_and_add(c, d);
			s->hdr.flags |= S_MISSED;
			s->depth = 0;
			if (end_session(s, tid, now))
				s = NULL;
		} else if (unwind(s, sp, id) == 0) {
			/* A live frame is a caller of this function, so it sits above sp (or at sp, for
			 * a tail call): frames below sp, or this same function at sp, are calls that
			 * returned unseen. If that was all of them, the session is over. */
			if (end_session(s, tid, now))
				s = NULL;
		}
	}
	if (!s || s->depth == 0) {
		if (!(flags & FN_ENTRY))
			return 1;
		if ((flags & FN_FILTER) && !trace_filter(id))
			return 1;
		if (!s) {
			if (bpf_map_update_elem(&sessions, &tid, &empty_session, BPF_NOEXIST)) {
				count(0);
				return 1;
			}
			count(4);
			s = bpf_map_lookup_elem(&sessions, &tid);
			if (!s)
				return 1;
		}
		bpf_get_current_comm(s->hdr.comm, sizeof(s->hdr.comm));
		if (!task_allowed(pid_tgid, &s->hdr))
			return 1;
		/* The slot's previous session left its fields behind: reset the ones a session reads. */
		s->hdr.type = REC_SESSION;
		s->hdr.tid = tid;
		s->hdr.pid = pid_tgid >> 32;
		s->hdr.nevents = 0;
		s->hdr.start_ts = now;
		s->hdr.flags = 0;
		s->hdr.chunk = 0;
		s->err_depth = 0;
		s->total = 0;
		s->args_off = 0;
		s->is_err = 0;
		s->flushed = 0;
		if (entry_stacks >= 2) {
			/* The kretprobe stacks of this kernel are one frame: keep the entry's instead. */
			s->stack.type = REC_STACK;
			s->stack.tid = tid;
			s->stack.start_ts = now;
			s->stack.event = STACK_AT_ENTRY;
			s->stack.size = bpf_get_stack(ctx, s->stack.ips, sizeof(s->stack.ips), 0);
		}
	}
	__u32 d = s->depth;
	s->depth = d + 1;
	if (d >= MAX_DEPTH) {
		s->hdr.flags |= S_OVERFLOW;
		count(1);
		return 0;
	}
	s->ids[d] = id;
	s->fflags[d] = flags;
	s->ts[d] = now;
	s->sp[d] = sp;
	if (capture_args && (flags & FN_ARGS)) {
		/* Only the registers: what they point at is read at exit, if the call is shown. Every
		 * traced call pays this, so a kprobe's are copied once, not through argv. */
		if (regs) {
			pt_args(ctx, s->regs[d]);
		} else {
			__u64 *v = argv_slot();

			if (v) {
#pragma unroll
				for (int i = 0; i < MAX_ARGS; i++)
					s->regs[d][i] = v[i];
			}
		}
	}
	__u64 ra = 0;
	if (entry_stacks && sp)
		bpf_probe_read_kernel(&ra, sizeof(ra), (void *)sp);
	log_event(s, id, d, 0, now, ra);
	return 0;
}

static __always_inline bool failed(__u32 flags, __u64 ret)
{
	if (flags & FN_CANT_FAIL)
		return false;
	if (flags & FN_PTR)
		return ret == 0 || ret >= (__u64)-4095;
	if (flags & FN_INT32) {
		__s64 v = (__s32)ret;
		return v < 0 && v >= -4095;
	}
	return ret >= (__u64)-4095;
}

/* -B, first thing in an exit handler: the CPU's branch records into this CPU's scratch. */
static __always_inline void snapshot_lbr(void)
{
	__u32 zero = 0;
	struct lbr_rec *l;

	if (!lbr_on)
		return;
	l = bpf_map_lookup_elem(&lbr_scratch, &zero);
	if (l)
		l->size = bpf_get_branch_snapshot(l->entries, sizeof(l->entries), 0);
}

/* id: the low half of the BPF cookie; ~0 means "the function on top of the thread's stack"
 * (kretprobes without cookies).
 * sp: the stack pointer after the return (the entry's + 8), 0 where unknown. */
static __always_inline int on_exit(void *ctx, __u32 id, __u64 ret, __u64 sp)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct session *s = bpf_map_lookup_elem(&sessions, &tid);
	__u64 now = bpf_ktime_get_ns();

	if (!s || s->depth == 0)
		return 0;
	/* Frames deeper than the returning one are calls whose exits were missed. */
	__u64 entry_sp = sp ? sp - 8 : 0;
	__u32 d = unwind(s, entry_sp, NO_ID);
	if (d == 0) {
		/* Unreachable for a real stack (the root is above any returning call); be safe. */
		end_session(s, tid, now);
		return 0;
	}
	d--;
	/* Hidden from clang, which would otherwise fold the check below into unwind's loop bound,
	 * a relation 5.10's verifier cannot follow. */
	asm volatile("" : "+r"(d));
	if (d >= MAX_DEPTH) {
		s->depth = d;
		return 0;
	}
	__u32 top = s->ids[d];
	__u32 fl = s->fflags[d];
	__u64 top_sp = s->sp[d];
	if ((id != (__u32)~0 && id != top) || (same_stack(top_sp, entry_sp) && top_sp != entry_sp)) {
		/* This function's entry was not seen inside the session (its kprobe was skipped, or it
		 * was entered before the session began): leave the stack alone. */
		count(2);
		return 0;
	}
	s->depth = d;
	bool fail = failed(fl, ret);
	__u16 kind = EV_EXIT | (fail ? EV_FAILED : 0);

	/* -A: a call is on the error's path if it failed, or cannot fail and returns while the
	 * session is failed (the rule below that keeps is_err). Only such calls are in an error
	 * stack, so only theirs are read, unless every call may be shown (args_all). */
	if (capture_args && (fl & FN_ARGS) && (args_all || fail || (s->is_err && (fl & FN_CANT_FAIL)))) {
		/* Only the registers were kept at entry; what they point at is read now. */
		__u64 *v = argv_slot();

		if (v) {
#pragma unroll
			for (int i = 0; i < MAX_ARGS; i++)
				v[i] = s->regs[d][i];
			kind |= capture(s, top);
		}
	}
	log_event(s, top, d, kind, now, ret);
	if (fail && !s->is_err) {
		/* The first failure is the deepest point of this error: its stack is the one to show. */
		s->is_err = 1;
		s->err_depth = d;
		if (!entry_stacks) {
			s->stack.type = REC_STACK;
			s->stack.tid = tid;
			s->stack.start_ts = s->hdr.start_ts;
			s->stack.event = s->total - 1;
			s->stack.size = bpf_get_stack(ctx, s->stack.ips, sizeof(s->stack.ips), 0);
		} else if (entry_stacks == 1) {
			/* No stack, only the calls' return addresses: say so to user space. */
			s->stack.type = REC_STACK;
			s->stack.tid = tid;
			s->stack.start_ts = s->hdr.start_ts;
			s->stack.event = STACK_AT_ENTRY;
			s->stack.size = 0;
		}
		if (lbr_on) {
			__u32 zero = 0;
			struct lbr_rec *l = bpf_map_lookup_elem(&lbr_scratch, &zero);

			s->lbr.type = REC_LBR;
			s->lbr.tid = tid;
			s->lbr.start_ts = s->hdr.start_ts;
			s->lbr.size = -2; /* ENOENT: no snapshot */
			if (l) {
				__s32 sz = l->size;

				s->lbr.size = sz;
				if (sz > 0)
					__builtin_memcpy(s->lbr.entries, l->entries, sizeof(s->lbr.entries));
			}
		}
	} else if (!fail && !(fl & FN_CANT_FAIL)) {
		/* A function that could fail succeeded: whatever failed below it was handled. */
		s->is_err = 0;
	}
	if (d == 0)
		end_session(s, tid, now);
	return 0;
}

/* An injected probe fired: an event in the thread's open session, one level below its current
 * call. vals / ctx: what its arguments are read from, ret: the value shown beside it. */
static __always_inline int on_probe(__u64 ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct session *s = bpf_map_lookup_elem(&sessions, &tid);

	if (!s || s->depth == 0 || s->depth > MAX_DEPTH)
		return 0;
	__u16 kind = EV_PROBE;
	if (capture_args && (inj_flags & FN_ARGS))
		kind |= capture(s, inj_id);
	log_event(s, inj_id, s->depth, kind, bpf_ktime_get_ns(), ret);
	return 0;
}

/* The six argument registers into argv, for --filter-arg (-A keeps them straight from ctx). */
static __always_inline void regs_args(struct pt_regs *ctx, __u64 fn)
{
	__u64 *v;

	if (!((fn >> 32) & FN_FILTER))
		return;
	v = argv_slot();
	if (v)
		pt_args(ctx, v);
}

SEC("kprobe")
int kentry_ip(struct pt_regs *ctx)
{
	/* The kprobe reports the address after its int3 (also when it runs on ftrace), and IBT
	 * kernels place it after the function's endbr64: the function is the last one at or below
	 * ip - 1, at ip - 1 or ip - 5. 2^20 functions at most. */
	__u64 ip = ctx->ip - 1;
	__u32 lo = 0, hi = n_ips;
	struct ip_ent *found = NULL;

	for (int i = 0; i < 20 && lo < hi; i++) {
		__u32 mid = lo + (hi - lo) / 2;
		struct ip_ent *e = bpf_map_lookup_elem(&ip_table, &mid);

		if (!e)
			return 0;
		if (e->ip <= ip) {
			found = e;
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (!found || (found->ip != ip && found->ip != ip - 4))
		return 0;
	__u64 fn = found->fn;
	regs_args(ctx, fn);
	on_entry(ctx, fn, ctx->sp, true);
	return 0;
}

SEC("kretprobe")
int kexit_lifo(struct pt_regs *ctx)
{
	return on_exit(ctx, ~0, ctx->ax, ctx->sp);
}

SEC("kprobe")
int kentry_cookie(struct pt_regs *ctx)
{
	__u64 fn = bpf_get_attach_cookie(ctx);

	regs_args(ctx, fn);
	on_entry(ctx, fn, ctx->sp, true);
	return 0;
}

SEC("kretprobe")
int kexit_cookie(struct pt_regs *ctx)
{
	snapshot_lbr();
	return on_exit(ctx, bpf_get_attach_cookie(ctx), ctx->ax, ctx->sp);
}

SEC("kprobe.multi")
int kmentry(struct pt_regs *ctx)
{
	__u64 fn = bpf_get_attach_cookie(ctx);

	regs_args(ctx, fn);
	on_entry(ctx, fn, ctx->sp, true);
	return 0;
}

SEC("kretprobe.multi")
int kmexit(struct pt_regs *ctx)
{
	snapshot_lbr();
	return on_exit(ctx, bpf_get_attach_cookie(ctx), ctx->ax, ctx->sp);
}

/* Takes the context from 8fe4dc4f6456 ("bpf: change prototype of bpf_session_{cookie,is_return}"),
 * which makes the verifier check that it is one; earlier kernels' kfunc has no argument and
 * leaves R1 unread. */
extern bool bpf_session_is_return(void *ctx) __ksym;

/* One program at entry and exit through one fprobe per function (6.10+, 535a3692ba72), where
 * kmentry / kmexit take two; an entry that returns 1 has its exit skipped. */
SEC("kprobe.session")
int kmsession(struct pt_regs *ctx)
{
	__u64 fn = bpf_get_attach_cookie(ctx);

	if (bpf_session_is_return(ctx)) {
		snapshot_lbr();
		on_exit(ctx, fn, ctx->ax, ctx->sp);
		return 0;
	}
	regs_args(ctx, fn);
	return on_entry(ctx, fn, ctx->sp, true) ? 1 : 0;
}

/* An fentry/fexit context is the traced function's arguments as u64s; they are read with a
 * helper at constant offsets, so a function with fewer arguments is never read past its own
 * (the verifier checks direct reads against the function's BTF). */
SEC("fentry")
int fentry_fn(__u64 *ctx)
{
	__u64 fn = fentry_id | (__u64)fentry_flags << 32;

	if (fentry_flags & (FN_ARGS | FN_FILTER)) {
		__u64 *v = argv_slot();

		if (v) {
#pragma unroll
			for (int i = 0; i < MAX_ARGS; i++)
				if (i < fentry_nargs)
					bpf_probe_read_kernel(&v[i], sizeof(v[i]), &ctx[i]);
		}
	}
	on_entry(ctx, fn, 0, false);
	return 0;
}

/* The result is read with a helper: read directly it would be typed by BTF (a pointer the
 * verifier forbids the error-range arithmetic on). */
#define FEXIT(n)							\
	SEC("fexit") int fexit##n(__u64 *ctx)				\
	{								\
		__u64 ret = 0;						\
		snapshot_lbr();						\
		bpf_probe_read_kernel(&ret, sizeof(ret), &ctx[n]);	\
		return on_exit(ctx, fentry_id, ret, 0);			\
	}
FEXIT(0)
FEXIT(1)
FEXIT(2)
FEXIT(3)
FEXIT(4)
FEXIT(5)
FEXIT(6)

/* Injected probes (-J). A kprobe's and a kretprobe's arguments are their pt_regs, a tracepoint's
 * its record: read (AK_CTX) from the context's address, which argv holds as a plain number (a
 * privileged program may store a pointer in a map); a raw tracepoint's are its u64 arguments.
 * A kretprobe shows its result, a kprobe its address. */
static __always_inline void ctx_arg(void *ctx)
{
	__u64 *v;

	if (!(inj_flags & FN_ARGS))
		return;
	v = argv_slot();
	if (v)
		*(void **)v = ctx;
}

SEC("kprobe")
int inj_kprobe(struct pt_regs *ctx)
{
	ctx_arg(ctx);
	return on_probe(ctx->ip);
}

SEC("kretprobe")
int inj_kretprobe(struct pt_regs *ctx)
{
	ctx_arg(ctx);
	return on_probe(ctx->ax);
}

SEC("tracepoint")
int inj_tp(void *ctx)
{
	ctx_arg(ctx);
	return on_probe(0);
}

SEC("raw_tracepoint")
int inj_rawtp(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 *v;

	if (inj_flags & FN_ARGS) {
		v = argv_slot();
		if (v) {
			v[0] = ctx->args[0];
			v[1] = ctx->args[1];
			v[2] = ctx->args[2];
			v[3] = ctx->args[3];
			v[4] = ctx->args[4];
			v[5] = ctx->args[5];
		}
	}
	return on_probe(0);
}
