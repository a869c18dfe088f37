/**
 * Why a bpf(2) call failed: the decoded call ({@link io.bpf4j.explain.BpfCall},
 * {@link io.bpf4j.explain.AttrLayouts}), what was observed at the failure
 * ({@link io.bpf4j.explain.Observation}: the objects its fds named, the memory its pointers
 * pointed at, the verifier's log, kernel and process facts) and the rule interface
 * ({@link io.bpf4j.explain.Rule}). The rules themselves are in {@code io.bpf4j.explain.rules};
 * they read observations only and never touch a kernel, so each is tested with observations
 * written by hand. {@link io.bpf4j.explain.Gatherer} builds observations for a process: this
 * one (the library's hints) or one a tracer stopped right after its failed call
 * ({@code bpf4j explain}).
 *
 * <p>{@link io.bpf4j.explain.KnownChanges} lists the kernel commits that changed behaviour the
 * rules and {@code bpf4j check} cite.
 *
 * <p>Depends on the library's root package ({@code io.bpf4j}), {@code io.bpf4j.btf} and
 * {@code io.bpf4j.internal.sys}.
 *
 * <p>Requires Linux 5.6 for snapshots of another process's objects (pidfd_getfd); decoding a
 * call requires nothing.
 */
package io.bpf4j.explain;
