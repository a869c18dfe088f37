/* Shared by tailcall_tcpconn.bpf.c and tailcall_freplace.bpf.c: the maps both objects name (the
 * freplace object's copies are replaced by the tcpconn object's at load time) and the event
 * record, which io.bpf4j.scenario.TcpEvent decodes. */
#ifndef __TAILCALL_IN_FREPLACE_H
#define __TAILCALL_IN_FREPLACE_H

/* PT_REGS_PARM* need the target's register names; the scenario runs on x86-64 kernels. */
#ifndef __TARGET_ARCH_x86
#define __TARGET_ARCH_x86
#endif

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

enum probing_type {
	PROBE_TYPE_DEFAULT = 0,
	PROBE_TYPE_FENTRY,
	PROBE_TYPE_FEXIT,
	PROBE_TYPE_FREPLACE,
};

/* 16 bytes, addresses and dport in network order, sport in host order (as the socket keeps them). */
struct event {
	__be32 saddr;
	__be32 daddr;
	__u16 sport;
	__be16 dport;
	__u8 probe_type;
	__u8 retval;
	__u16 pad;
} __attribute__((packed));

/* Hands the socket from a kprobe to the program it reaches by tail call (same CPU, no preemption). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static __always_inline void emit(void *ctx, struct sock *sk, __u8 type)
{
	struct event ev = {};

	ev.saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	ev.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	ev.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	ev.dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	ev.probe_type = type;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
}

#endif
