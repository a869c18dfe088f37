// C reference for LoaderBench.parseObjectWith30Programs: libbpf's bpf_object__open_mem on the
// same object (ELF, BTF, BTF.ext, maps and programs into memory, nothing loaded). Prints "<mean> us/op".
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	char *buf = malloc(*len);
	if (fread(buf, 1, *len, f) != *len) {
		perror("read");
		exit(1);
	}
	fclose(f);
	return buf;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [SECONDS]\n", argv[0]);
		return 2;
	}
	double seconds = argc > 2 ? atof(argv[2]) : 5.0;
	size_t len;
	char *buf = slurp(argv[1], &len);
	libbpf_set_print(silent);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "many");
	for (double end = now_us() + 2e6; now_us() < end;) {
		struct bpf_object *o = bpf_object__open_mem(buf, len, &opts);
		if (!o) {
			perror("bpf_object__open_mem");
			return 1;
		}
		bpf_object__close(o);
	}
	long n = 0;
	double start = now_us(), stop = start + seconds * 1e6, t;
	do {
		struct bpf_object *o = bpf_object__open_mem(buf, len, &opts);
		bpf_object__close(o);
		n++;
	} while ((t = now_us()) < stop);
	printf("%.3f us/op\n", (t - start) / n);
	return 0;
}
