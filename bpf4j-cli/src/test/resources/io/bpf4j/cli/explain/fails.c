// Failing BPF programs for `bpf4j explain`'s tests, written against libbpf's low-level API as a
// user would: each case makes one bpf() call fail for one cause. Before each case it writes
// "CASE <name>" to stderr (unbuffered), so the explanation that follows in the same stream is the
// case's. Usage: fails CASE... | all | threads | fork | ok N | spin SECONDS
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void mark(const char *name)
{
	dprintf(2, "CASE %s\n", name);
}

#define I(code, dst, src, off, imm) ((struct bpf_insn){code, dst, src, off, imm})
#define MOV64_IMM(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ALU64_IMM(op, d, i) I(BPF_ALU64 | op | BPF_K, d, 0, 0, i)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define CALL(f) I(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define LD_MAP_FD(d, fd) I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0)

static struct bpf_insn ret0[] = {MOV64_IMM(0, 0), EXIT()};
static struct bpf_insn pass[] = {MOV64_IMM(0, XDP_PASS), EXIT()};

static int prog(enum bpf_prog_type t, const char *name, struct bpf_insn *insns, int n, const char *license)
{
	return bpf_prog_load(t, name, license, insns, n, NULL);
}

static int array(int max)
{
	return bpf_map_create(BPF_MAP_TYPE_ARRAY, "arr", 4, 8, max, NULL);
}

static void array_index(void)
{
	int fd = array(4);
	unsigned k = 4;
	unsigned long long v = 0;
	mark("array-index");
	bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	close(fd);
}

static void array_noexist(void)
{
	int fd = array(4);
	unsigned k = 1;
	unsigned long long v = 0;
	mark("array-noexist");
	bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST);
	close(fd);
}

static void array_delete(void)
{
	int fd = array(4);
	unsigned k = 1;
	mark("array-delete");
	bpf_map_delete_elem(fd, &k);
	close(fd);
}

static void hash_full(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "h2", 4, 8, 2, NULL);
	unsigned long long v = 0;
	for (unsigned k = 1; k <= 2; k++)
		bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	unsigned k = 3;
	mark("hash-full");
	bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	close(fd);
}

static void frozen(void)
{
	int fd = array(4);
	unsigned k = 0;
	unsigned long long v = 0;
	bpf_map_freeze(fd);
	mark("frozen");
	bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	close(fd);
}

static void lru_noprealloc(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	mark("lru-noprealloc");
	bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, 4, &o);
}

static void map_name(void)
{
	mark("map-name");
	bpf_map_create(BPF_MAP_TYPE_ARRAY, "bad-name!", 4, 8, 1, NULL);
}

static void prog_array_owner(void)
{
	int pa = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "progs", 4, 4, 2, NULL);
	int sf = prog(BPF_PROG_TYPE_SOCKET_FILTER, "sf", ret0, 2, "GPL");
	int xdp = prog(BPF_PROG_TYPE_XDP, "xdp_pass", pass, 2, "GPL");
	unsigned k = 0;
	bpf_map_update_elem(pa, &k, &sf, BPF_ANY); /* the socket filter claims the array */
	k = 1;
	mark("prog-array-owner");
	bpf_map_update_elem(pa, &k, &xdp, BPF_ANY);
	close(xdp);
	close(sf);
	close(pa);
}

static void prog_array_flags(void)
{
	int pa = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "progs", 4, 4, 2, NULL);
	int sf = prog(BPF_PROG_TYPE_SOCKET_FILTER, "sf", ret0, 2, "GPL");
	unsigned k = 0;
	mark("prog-array-flags");
	bpf_map_update_elem(pa, &k, &sf, BPF_NOEXIST);
	close(sf);
	close(pa);
}

static void verifier(void)
{
	struct bpf_insn r0[] = {EXIT()}; /* r0 never written */
	mark("verifier");
	prog(BPF_PROG_TYPE_SOCKET_FILTER, "no_r0", r0, 1, "GPL");
}

static void helper(void)
{
	struct bpf_insn ovr[] = {MOV64_IMM(2, 0), CALL(58 /* bpf_override_return */), MOV64_IMM(0, XDP_PASS), EXIT()};
	mark("helper");
	prog(BPF_PROG_TYPE_XDP, "override", ovr, 4, "GPL");
}

static void gpl(void)
{
	struct bpf_insn insns[] = {MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 8), MOV64_IMM(3, 0),
				   CALL(113 /* bpf_probe_read_kernel */), MOV64_IMM(0, 0), EXIT()};
	mark("gpl");
	prog(BPF_PROG_TYPE_KPROBE, "read", insns, 7, "Proprietary");
}

static void log_small(void)
{
	static char log[200];
	struct bpf_insn many[64];
	for (int i = 0; i < 63; i++)
		many[i] = MOV64_IMM(0, i);
	many[63] = EXIT();
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_level = 2, .log_buf = log, .log_size = sizeof(log));
	mark("log-small");
	bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "chatty", "GPL", many, 64, &o);
}

static void tailcall_owner(void)
{
	int pa = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 2, NULL);
	int sf = prog(BPF_PROG_TYPE_SOCKET_FILTER, "sf", ret0, 2, "GPL");
	unsigned k = 0;
	bpf_map_update_elem(pa, &k, &sf, BPF_ANY);
	struct bpf_insn tc[] = {LD_MAP_FD(2, pa), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), MOV64_IMM(0, XDP_PASS), EXIT()};
	mark("tailcall-owner");
	prog(BPF_PROG_TYPE_XDP, "jumper", tc, 6, "GPL");
	close(sf);
	close(pa);
}

static void pin_tmp(void)
{
	int fd = array(1);
	mark("pin");
	bpf_obj_pin(fd, "/tmp/bpf4j-explain-pin");
	close(fd);
}

static void get_missing(void)
{
	mark("get-missing");
	bpf_obj_get("/sys/fs/bpf/bpf4j-explain-missing");
}

static void btf_magic(void)
{
	struct btf_header h = {.magic = 0x1234, .version = 1, .hdr_len = sizeof(h)};
	char blob[64] = {0};
	memcpy(blob, &h, sizeof(h));
	mark("btf-magic");
	bpf_btf_load(blob, sizeof(blob), NULL);
}

static void test_run(void)
{
	int kp = prog(BPF_PROG_TYPE_KPROBE, "kp", ret0, 2, "GPL");
	char data[64] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = sizeof(data), .repeat = 1);
	mark("test-run");
	bpf_prog_test_run_opts(kp, &o);
	close(kp);
}

static void raw_tp(void)
{
	int rt = prog(BPF_PROG_TYPE_RAW_TRACEPOINT, "rt", ret0, 2, "GPL");
	mark("raw-tp");
	bpf_raw_tracepoint_open("no_such_tracepoint", rt);
	close(rt);
}

static void xdp_busy(void)
{
	int xdp = prog(BPF_PROG_TYPE_XDP, "xdp_pass", pass, 2, "GPL");
	int lo = if_nametoindex("lo");
	int l1 = bpf_link_create(xdp, lo, BPF_XDP, NULL);
	mark("xdp-busy");
	bpf_link_create(xdp, lo, BPF_XDP, NULL);
	if (l1 >= 0)
		close(l1);
	close(xdp);
}

/* Two threads and the main thread, each with its own failure. */
static void *worker(void *arg)
{
	(void)arg;
	array_index();
	return NULL;
}

static void threads(void)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	frozen();
}

/* A forked child fails; the parent waits for it and passes its status on. */
static int forked(void)
{
	pid_t c = fork();
	if (c == 0) {
		hash_full();
		_exit(7);
	}
	int st = 0;
	waitpid(c, &st, 0);
	array_delete();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* Failing updates for a while, without marks: a COMMAND to interrupt or to kill explain under. */
static void spin(int seconds)
{
	int fd = array(4);
	unsigned k = 9;
	unsigned long long v = 0;
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end)
		bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	close(fd);
}

/* Only successful calls: lookups in range. */
static void ok(int n)
{
	int fd = array(16);
	unsigned k = 3;
	unsigned long long v;
	for (int i = 0; i < n; i++)
		if (bpf_map_lookup_elem(fd, &k, &v)) {
			perror("lookup");
			exit(2);
		}
	close(fd);
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{"array-index", array_index}, {"array-noexist", array_noexist}, {"array-delete", array_delete},
	{"hash-full", hash_full}, {"frozen", frozen}, {"lru-noprealloc", lru_noprealloc}, {"map-name", map_name},
	{"prog-array-owner", prog_array_owner}, {"prog-array-flags", prog_array_flags}, {"verifier", verifier},
	{"helper", helper}, {"gpl", gpl}, {"log-small", log_small}, {"tailcall-owner", tailcall_owner}, {"pin", pin_tmp},
	{"get-missing", get_missing}, {"btf-magic", btf_magic}, {"test-run", test_run}, {"raw-tp", raw_tp},
	{"xdp-busy", xdp_busy},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "threads")) {
			threads();
		} else if (!strcmp(argv[i], "fork")) {
			return forked();
		} else if (!strcmp(argv[i], "spin")) {
			spin(i + 1 < argc ? atoi(argv[++i]) : 10);
		} else if (!strcmp(argv[i], "ok")) {
			ok(i + 1 < argc ? atoi(argv[++i]) : 1000);
		} else {
			int found = 0;
			for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
				if (!strcmp(argv[i], "all") || !strcmp(argv[i], cases[c].name)) {
					cases[c].run();
					found = 1;
				}
			}
			if (!found) {
				fprintf(stderr, "fails: no case %s\n", argv[i]);
				return 2;
			}
		}
	}
	printf("fails: done\n");
	return 0;
}
