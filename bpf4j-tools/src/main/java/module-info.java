/**
 * Tools built on the library, each with its BPF objects: the retsnoop-style tracer, the
 * tail-call checks, explain (why bpf() calls of a command fail) and the story's scenario, and kernel
 * memory read through /proc/kcore.
 */
module io.bpf4j.tools {
    requires transitive io.bpf4j;

    exports io.bpf4j.tools;
    exports io.bpf4j.tools.check;
    exports io.bpf4j.tools.explain;
    exports io.bpf4j.tools.graph;
    exports io.bpf4j.tools.kmem;
    exports io.bpf4j.tools.mapdump;
    exports io.bpf4j.tools.scenario;
    exports io.bpf4j.tools.top;
    exports io.bpf4j.tools.trace;
}
