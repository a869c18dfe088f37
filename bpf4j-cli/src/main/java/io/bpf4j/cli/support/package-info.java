/**
 * What every command shares: one-line failure messages and the version.
 *
 * <p>Depends on the library's exceptions only.
 *
 * <p>Requires nothing of the kernel.
 */
package io.bpf4j.cli.support;
