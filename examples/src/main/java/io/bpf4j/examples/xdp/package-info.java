/**
 * XDP with a tail call: an entry program counts every frame and tail-calls, through a
 * {@code BPF_MAP_TYPE_PROG_ARRAY} that Java fills with {@link io.bpf4j.ProgArray}, into an IPv4
 * or an IPv6 handler. Runs on an interface or on frames fed by {@code BPF_PROG_TEST_RUN}. The
 * BPF side is {@code examples/src/main/bpf/xdp_tailcall.bpf.c}.
 *
 * <p>Depends on {@code io.bpf4j} and {@code io.bpf4j.loader}.
 *
 * <p>Requires Linux 5.9 (XDP links; test runs alone need 4.12).
 */
package io.bpf4j.examples.xdp;
