/**
 * {@code bpf4j shell}: JShell with the library on the class path and kernel memory ready.
 *
 * <p>Depends on {@code io.bpf4j.tools.kmem}.
 *
 * <p>Requires {@code /proc/kcore} readable, unless {@code --no-kernel} is given.
 */
package io.bpf4j.cli.shell;
