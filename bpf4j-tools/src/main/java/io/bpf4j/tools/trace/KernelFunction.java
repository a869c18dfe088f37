package io.bpf4j.tools.trace;

/**
 * A kernel function that can be traced: its kallsyms name and address, and its module
 * (null for the core kernel).
 */
public record KernelFunction(String name, String module, long address) {
    /** The name without a compiler clone suffix: {@code foo} for {@code foo.isra.0}. */
    public String baseName() {
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** Made by the compiler from another function ({@code .isra}, {@code .part}, {@code .constprop}...). */
    public boolean isClone() {
        return name.indexOf('.') > 0;
    }

    @Override
    public String toString() {
        return module == null ? name : name + " [" + module + "]";
    }
}
