/**
 * How loaded BPF objects are wired together: programs, maps, prog-array slots (tail calls),
 * extensions and the functions they replace, links and what they attach to, as a graph built
 * from bpf(2) info, fdinfo and, where /proc/kcore is readable, kernel memory; written as an
 * indented tree, DOT, SVG (through graphviz) or one self-contained HTML page.
 *
 * <p>Depends on the library and {@code io.bpf4j.tools.kmem}.
 *
 * <p>Requires Linux 5.10 and root (or CAP_SYS_ADMIN to open objects by id).
 */
package io.bpf4j.tools.graph;
