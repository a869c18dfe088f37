/**
 * BPF objects owned by this process: {@link io.bpf4j.BpfMap maps}, {@link io.bpf4j.BpfProgram programs},
 * {@link io.bpf4j.BpfLink links} and {@link io.bpf4j.BtfHandle BTF}, their info and fdinfo, the
 * kernel's enums by name, and one exception hierarchy rooted at {@link io.bpf4j.BpfException}
 * (operation, errno, hint; {@link io.bpf4j.VerifierException} with the verifier's log), whose
 * format errors quote text from the input through {@link io.bpf4j.Escape}.
 *
 * <p>Every file descriptor has one owner ({@link io.bpf4j.Fd}); objects are {@link AutoCloseable}.
 * "Not found" on a map is a return value, never an exception.
 *
 * <p>Depends on {@code io.bpf4j.internal.sys} only.
 *
 * <p>Requires Linux 5.10, the oldest kernel bpf4j is tested on; methods that need a newer kernel
 * say so ("Requires Linux 5.6" for batch operations, for example).
 */
package io.bpf4j;
