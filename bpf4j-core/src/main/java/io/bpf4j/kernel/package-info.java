/**
 * What the kernel publishes about itself outside bpf(2): {@code /proc/kallsyms}, with JITed BPF
 * programs' symbols split into tag and name.
 *
 * <p>Depends on {@code io.bpf4j} for its exceptions.
 *
 * <p>Requires Linux 5.10; addresses are visible only to root (kptr_restrict).
 */
package io.bpf4j.kernel;
