/**
 * What every command shares: the conventions applied to the whole picocli tree (help, version,
 * one-line errors and their exit codes, options given before a subcommand, help text layout),
 * the option converters (durations, sizes, counts), the capability check, and the version.
 *
 * <p>Depends on picocli and the library's exceptions.
 *
 * <p>Requires nothing of the kernel.
 */
package io.bpf4j.cli.support;
