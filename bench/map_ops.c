// C reference for MapBench.updateThenLookup: libbpf's bpf_map_update_elem + bpf_map_lookup_elem
// on a hash map (u32 key, u64 value, 1024 entries), keys cycling. Prints "<mean> ns/op",
// one op being one update plus one lookup, as in the Java benchmark.
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5.0;
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_hash", 4, 8, 1024, NULL);
	if (fd < 0) {
		perror("bpf_map_create");
		return 1;
	}
	unsigned int key = 0;
	unsigned long long value = 0, out = 0, sink = 0;
	long n = 0;
	for (double end = now_ns() + 2e9; now_ns() < end;) {
		key = (key + 1) & 1023;
		value++;
		bpf_map_update_elem(fd, &key, &value, BPF_ANY);
		bpf_map_lookup_elem(fd, &key, &out);
		sink += out;
	}
	double start = now_ns(), stop = start + seconds * 1e9, t;
	do {
		for (int i = 0; i < 1000; i++) {
			key = (key + 1) & 1023;
			value++;
			if (bpf_map_update_elem(fd, &key, &value, BPF_ANY) || bpf_map_lookup_elem(fd, &key, &out)) {
				perror("map op");
				return 1;
			}
			sink += out;
		}
		n += 1000;
	} while ((t = now_ns()) < stop);
	printf("%.3f ns/op\n", (t - start) / n);
	return sink == 0;
}
