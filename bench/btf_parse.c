// C reference for BtfBench.parseVmlinuxAndFindBpfMap: libbpf reads /sys/kernel/btf/vmlinux
// and finds struct bpf_map, in a timed loop. Prints "<mean> us/op" like JMH's unit.
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int once(const char *path)
{
	struct btf *btf = btf__parse(path, NULL);
	if (!btf) {
		perror("btf__parse");
		exit(1);
	}
	int id = btf__find_by_name_kind(btf, "bpf_map", BTF_KIND_STRUCT);
	btf__free(btf);
	if (id <= 0) {
		fprintf(stderr, "struct bpf_map not found\n");
		exit(1);
	}
	return id;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/sys/kernel/btf/vmlinux";
	double seconds = argc > 2 ? atof(argv[2]) : 5.0;
	long sink = 0, n = 0;

	// Warm caches for as long as JMH warms the JVM's, then measure for `seconds`.
	for (double end = now_us() + 2e6; now_us() < end;)
		sink += once(path);
	double start = now_us(), stop = start + seconds * 1e6, t;
	do {
		sink += once(path);
		n++;
	} while ((t = now_us()) < stop);
	printf("%.3f us/op\n", (t - start) / n);
	return sink == 0;
}
