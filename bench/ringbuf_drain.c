// C reference for RingBufBench.drainZeroCopy: a 64 MiB ring buffer filled with 2^18 records of
// 128 bytes by one BPF_PROG_TEST_RUN of an XDP program (bpf_ringbuf_output, the same
// instructions as the Java benchmark), then drained with libbpf's ring_buffer__consume, the
// callback reading one word per record. Only the drain is timed. Prints "<mean> ns/op", one op
// being one record.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RECORDS (1 << 18)
#define RECORD_SIZE 128

static unsigned long long sink;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	sink += *(unsigned long long *)data;
	return 0;
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5.0;
	int map = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "bench_rb", 0, 0, 64 << 20, NULL);
	if (map < 0) {
		perror("bpf_map_create");
		return 1;
	}
	struct bpf_insn insns[2 * RECORD_SIZE / 8 + 10];
	int n = 0;
	for (int i = 0; i < RECORD_SIZE / 8; i++) {
		insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, i);
		insns[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -RECORD_SIZE + 8 * i, 0);
	}
	insns[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map);
	insns[n++] = INSN(0, 0, 0, 0, 0);
	insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	insns[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -RECORD_SIZE);
	insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, RECORD_SIZE);
	insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	insns[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
	insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2);
	insns[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_rb_fill", "GPL", insns, n, NULL);
	if (prog < 0) {
		perror("bpf_prog_load");
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(map, on_record, NULL, NULL);
	if (!rb) {
		perror("ring_buffer__new");
		return 1;
	}
	char packet[64] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet), .repeat = RECORDS);
	double drained_ns = 0, warm_until = now_ns() + 2e9, stop = 0;
	long records = 0;
	int warm = 1;
	for (;;) {
		if (bpf_prog_test_run_opts(prog, &run)) {
			perror("bpf_prog_test_run_opts");
			return 1;
		}
		double t0 = now_ns();
		int got = ring_buffer__consume(rb);
		double t1 = now_ns();
		if (got != RECORDS) {
			fprintf(stderr, "drained %d records, expected %d\n", got, RECORDS);
			return 1;
		}
		if (warm) {
			warm = t1 < warm_until;
			stop = t1 + seconds * 1e9; // wall time, fills included
			continue;
		}
		drained_ns += t1 - t0;
		records += got;
		if (t1 >= stop)
			break;
	}
	printf("%.3f ns/op\n", drained_ns / records);
	ring_buffer__free(rb);
	return sink == 12345;
}
