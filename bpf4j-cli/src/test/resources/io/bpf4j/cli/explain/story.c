// The story's demo with libbpf, as its author wrote it: load tailcall_tcpconn.bpf.o; load
// tailcall_freplace.bpf.o with its freplace program aimed at stub_handler() of k_tcp_connect and
// its socks/events maps reused; put k_tailcall into progs[0]. Before Linux 6.2 the freplace
// program claims progs as BPF_PROG_TYPE_EXT and the put fails with EINVAL.
// Usage: story DIR (the directory holding both objects). Exit 0 when the put works, 1 when a step fails.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, int err)
{
	printf("%s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

int main(int argc, char **argv)
{
	char path[4096];
	if (argc != 2) {
		fprintf(stderr, "usage: story DIR\n");
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	snprintf(path, sizeof(path), "%s/tailcall_tcpconn.bpf.o", argv[1]);
	struct bpf_object *tc = bpf_object__open_file(path, NULL);
	if (!tc)
		return fail("open tailcall_tcpconn", errno);
	int err = bpf_object__load(tc);
	if (err)
		return fail("load tailcall_tcpconn", err);
	int target = bpf_program__fd(bpf_object__find_program_by_name(tc, "k_tcp_connect"));

	snprintf(path, sizeof(path), "%s/tailcall_freplace.bpf.o", argv[1]);
	struct bpf_object *fr = bpf_object__open_file(path, NULL);
	if (!fr)
		return fail("open tailcall_freplace", errno);
	bpf_map__reuse_fd(bpf_object__find_map_by_name(fr, "socks"), bpf_map__fd(bpf_object__find_map_by_name(tc, "socks")));
	bpf_map__reuse_fd(bpf_object__find_map_by_name(fr, "events"), bpf_map__fd(bpf_object__find_map_by_name(tc, "events")));
	err = bpf_program__set_attach_target(bpf_object__find_program_by_name(fr, "freplace_handler"), target, "stub_handler");
	if (err)
		return fail("set freplace target", err);
	err = bpf_object__load(fr);
	if (err)
		return fail("load tailcall_freplace", err);

	int progs = bpf_map__fd(bpf_object__find_map_by_name(fr, "progs"));
	int tail = bpf_program__fd(bpf_object__find_program_by_name(fr, "k_tailcall"));
	__u32 key = 0;
	if (bpf_map_update_elem(progs, &key, &tail, BPF_ANY))
		return fail("update", errno);
	printf("Put tailcall\n");
	bpf_object__close(fr);
	bpf_object__close(tc);
	return 0;
}
