/**
 * {@code bpf4j top}: the samples of {@code io.bpf4j.tools.top} as a live terminal view that
 * redraws in place (termios through FFM, plain ANSI escapes), or one sample as text or JSON.
 *
 * <p>Depends on {@code io.bpf4j.tools.top}, the library and {@code io.bpf4j.cli.support}.
 *
 * <p>Requires Linux 5.8 and CAP_SYS_ADMIN.
 */
package io.bpf4j.cli.top;
