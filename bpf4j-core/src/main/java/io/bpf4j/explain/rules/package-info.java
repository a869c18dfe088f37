/**
 * The knowledge base: one class per kernel check, each a command, the errnos it explains, a
 * predicate over an {@link io.bpf4j.explain.Observation} and a cause in the user's terms with a
 * fix and, where the check changed, the kernel commit and version. Read from kernel/bpf/*.c of
 * Linux 5.10, 6.1, 6.12 and 7.3; rule ids ({@code R-M14}) are stable.
 * {@link io.bpf4j.explain.rules.KnowledgeBase} orders them as the kernel runs its checks, and
 * {@link io.bpf4j.explain.rules.LibraryHints} puts the first fitting cause into the library's
 * {@link io.bpf4j.BpfException} hints.
 *
 * <p>Depends on {@code io.bpf4j.explain} and the library's root package.
 *
 * <p>Requires nothing of the kernel: rules read observations only (they name the Linux versions
 * where a check differs).
 */
package io.bpf4j.explain.rules;
