/**
 * bpf4j's library: bpf(2) through Java's FFM, without libbpf or native code of its own. Maps,
 * programs, links and their info; BTF, instructions and ELF objects (parsed without touching the
 * kernel); the loader; ring buffer and perf readers; feature probes; kallsyms; and the knowledge
 * base of why bpf(2) calls fail ({@code io.bpf4j.explain}), which also words the library's hints.
 *
 * <p>{@code io.bpf4j.internal.*} is for bpf4j's own modules only: raw system calls that return
 * {@code -errno}, the epoll wrapper the readers share, and the JSON writer of the command.
 */
module io.bpf4j {
    exports io.bpf4j;
    exports io.bpf4j.asm;
    exports io.bpf4j.btf;
    exports io.bpf4j.btf.core;
    exports io.bpf4j.elf;
    exports io.bpf4j.explain;
    exports io.bpf4j.explain.rules;
    exports io.bpf4j.features;
    exports io.bpf4j.kernel;
    exports io.bpf4j.link;
    exports io.bpf4j.loader;
    exports io.bpf4j.perf;
    exports io.bpf4j.ringbuf;

    uses io.bpf4j.BpfException.Explainer;
    provides io.bpf4j.BpfException.Explainer with io.bpf4j.explain.rules.LibraryHints;

    exports io.bpf4j.internal to io.bpf4j.tools, io.bpf4j.cli;
    exports io.bpf4j.internal.bytes to io.bpf4j.tools, io.bpf4j.lab, io.bpf4j.cli;
    exports io.bpf4j.internal.json to io.bpf4j.tools, io.bpf4j.lab, io.bpf4j.cli;
    exports io.bpf4j.internal.sys to io.bpf4j.tools, io.bpf4j.cli;
}
