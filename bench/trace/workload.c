// Syscall-heavy workload for the `bpf4j trace` overhead benchmark (bench/trace/run): per
// repetition, N BPF_MAP_LOOKUP_ELEM calls on fd -1 (each fails with EBADF) then N lookups on a
// 1-entry array map (each succeeds). Prints the median ns per failing and per successful call.
// An optional third argument pauses that many microseconds after each call (to pace the rate).
// `workload rate R T` instead makes failing lookups only, paced to R calls per second for T
// seconds on an absolute schedule (a late start is caught up, never lost), and prints
// "CALLS SECONDS ACHIEVED_RATE": the rate benchmark (bench/trace/ceiling) counts sessions
// against CALLS and offers only rates the workload really achieved.
// The calls are checked, so a traced run that changed the results would show.
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int failing_lookup(void)
{
	union bpf_attr a;
	__u32 key = 0;
	__u64 val;

	memset(&a, 0, sizeof(a));
	a.map_fd = -1;
	a.key = (__u64)(unsigned long)&key;
	a.value = (__u64)(unsigned long)&val;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) != -1 || errno != EBADF) {
		fprintf(stderr, "lookup on fd -1 did not fail with EBADF\n");
		return -1;
	}
	return 0;
}

/* R failing calls per second for T seconds. Call i is due at t0 + i/R: every call already due
 * is made at once, then the thread sleeps (absolute time) until the next one is due, so the
 * average rate holds even where a sleep lasts longer than the interval (QEMU TCG). */
static int paced(double rate, double seconds)
{
	long total = (long)(rate * seconds), i = 0;
	double t0 = now_ns(), t;

	if (rate <= 0 || seconds <= 0) {
		fprintf(stderr, "rate and seconds must be positive\n");
		return 2;
	}
	while (i < total) {
		t = now_ns();
		long due = (long)((t - t0) * rate / 1e9) + 1;
		if (due > total)
			due = total;
		for (; i < due; i++)
			if (failing_lookup())
				return 1;
		if (i < total) {
			double next = t0 + i * 1e9 / rate;
			struct timespec ts = {(time_t)(next / 1e9), (long)((long long)next % 1000000000LL)};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
	}
	t = (now_ns() - t0) / 1e9;
	printf("%ld %.3f %.0f\n", total, t, total / t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 3 && !strcmp(argv[1], "rate"))
		return paced(atof(argv[2]), atof(argv[3]));

	int n = argc > 1 ? atoi(argv[1]) : 20000, reps = argc > 2 ? atoi(argv[2]) : 5;
	long pause_us = argc > 3 ? atol(argv[3]) : 0; /* between calls: paces the event rate */
	struct timespec pause = {pause_us / 1000000, (pause_us % 1000000) * 1000};
	struct rlimit inf = {RLIM_INFINITY, RLIM_INFINITY};
	union bpf_attr a;
	double fail[64], ok[64];
	__u32 key = 0;
	__u64 val;
	int fd, r, i;

	setrlimit(RLIMIT_MEMLOCK, &inf); /* 5.10 charges maps to memlock */
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0 || reps < 1 || reps > 64) {
		perror("map create");
		return 1;
	}
	for (r = 0; r < reps; r++) {
		double t0 = now_ns(), t1, t2;
		for (i = 0; i < n; i++) {
			if (failing_lookup())
				return 1;
			if (pause_us)
				nanosleep(&pause, NULL);
		}
		t1 = now_ns();
		for (i = 0; i < n; i++) {
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = (__u64)(unsigned long)&key;
			a.value = (__u64)(unsigned long)&val;
			if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a)) {
				perror("lookup");
				return 1;
			}
			if (pause_us)
				nanosleep(&pause, NULL);
		}
		t2 = now_ns();
		fail[r] = (t1 - t0) / n;
		ok[r] = (t2 - t1) / n;
	}
	qsort(fail, reps, sizeof(double), cmp);
	qsort(ok, reps, sizeof(double), cmp);
	printf("%.0f %.0f\n", fail[reps / 2], ok[reps / 2]);
	return 0;
}
