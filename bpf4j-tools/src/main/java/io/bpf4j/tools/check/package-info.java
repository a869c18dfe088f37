/**
 * The tail-call and freplace kernel issues, detected on the running kernel with XDP/tc programs
 * and {@code BPF_PROG_TEST_RUN}, each verdict from what the kernel did, with its fix commit.
 *
 * <p>Depends on the library.
 *
 * <p>Requires Linux 5.10; checks that need EXT or tracing programs say so where a kernel or its
 * policy refuses them.
 */
package io.bpf4j.tools.check;
