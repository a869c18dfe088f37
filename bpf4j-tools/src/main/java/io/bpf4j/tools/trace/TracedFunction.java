package io.bpf4j.tools.trace;

/**
 * A function the tracer attached to, or an injected probe. {@code id} is its index in the
 * tracer's function table (and the BPF cookie / map key the programs know it by).
 *
 * @param args       number of arguments from BTF, -1 without BTF (fexit reads the result after them)
 * @param uniqueName no other traceable function has this name
 * @param kind       a kernel function, a BPF program function, or an injected probe (-J)
 * @param argLayout  how -A captures and prints its arguments; null when they are not captured
 * @param bpf        the BPF program function it is ({@link Kind#BPF_PROGRAM}), else null
 */
public record TracedFunction(int id, KernelFunction function, boolean entry, ReturnKind returns, int args, boolean uniqueName,
                             Kind kind, ArgLayout argLayout, BpfTargets.Func bpf) {
    /** What a row of the function table is: a kernel function, a BPF program function or an injected probe. */
    public enum Kind {
        FUNCTION, BPF_PROGRAM, PROBE
    }

    public TracedFunction(int id, KernelFunction function, boolean entry, ReturnKind returns, int args, boolean uniqueName) {
        this(id, function, entry, returns, args, uniqueName, Kind.FUNCTION, null, null);
    }

    public String name() {
        return function.name();
    }

    public boolean probe() {
        return kind == Kind.PROBE;
    }

    /** The same function, its arguments captured with {@code layout} (null: not captured). */
    public TracedFunction withArgs(ArgLayout layout) {
        return new TracedFunction(id, function, entry, returns, args, uniqueName, kind, layout, bpf);
    }

    /** FN_* flags for trace.bpf.c, passed in the upper half of the function's BPF cookie (Tracer.cookie). */
    int bpfFlags() {
        return (entry ? 1 : 0) | returns.bpfFlags() | (argLayout != null ? Tracer.FN_ARGS : 0);
    }
}
