package io.bpf4j.tools.trace;

/**
 * A function the tracer attached to. {@code id} is its index in the tracer's function table
 * (and the BPF cookie / map key the programs know it by).
 *
 * @param args number of arguments from BTF, -1 without BTF (fexit reads the result after them)
 * @param uniqueName no other traceable function has this name
 */
public record TracedFunction(int id, KernelFunction function, boolean entry, ReturnKind returns, int args, boolean uniqueName) {
    public String name() {
        return function.name();
    }

    /** FN_* flags for trace.bpf.c, passed in the upper half of the function's BPF cookie (Tracer.cookie). */
    int bpfFlags() {
        return (entry ? 1 : 0) | returns.bpfFlags();
    }
}
