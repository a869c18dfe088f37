// The cost workload of `bpf4j explain`: one ARRAY map, then N (default 10000) successful
// BPF_MAP_LOOKUP_ELEM calls on it. Prints the loop's time as "loop_ns <n>" on stderr, so the
// tracers' start-up is not in the number. Raw bpf(2), as strace sees any program's calls.
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 16;
	int fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0) {
		perror("map create");
		return 1;
	}
	unsigned key = 3;
	unsigned long long value;
	/* Let a tracer that just started settle (a JVM compiles its start-up code on other threads). */
	if (getenv("WL_DELAY_MS"))
		usleep(atoi(getenv("WL_DELAY_MS")) * 1000);
	long long t0 = now_ns();
	for (int i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.map_fd = fd;
		a.key = (unsigned long)&key;
		a.value = (unsigned long)&value;
		if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0) {
			perror("lookup");
			return 1;
		}
	}
	fprintf(stderr, "loop_ns %lld\n", now_ns() - t0);
	return 0;
}
