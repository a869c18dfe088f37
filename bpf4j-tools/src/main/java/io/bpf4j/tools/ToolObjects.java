package io.bpf4j.tools;

import io.bpf4j.loader.ObjectSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The BPF objects the tools are built from ({@code bpf4j-tools/src/main/bpf}, compiled by
 * {@code bpf/build-objects}), read from this module's own resources.
 */
public final class ToolObjects {
    private ToolObjects() {}

    /** The tracer's object. */
    public static final String TRACE = "trace.bpf.o";
    /** explain's raw tracepoints on syscall entry and exit. */
    public static final String EXPLAIN = "explain.bpf.o";
    /** The story's first object: two kprobe programs and the maps the second object reuses. */
    public static final String TAILCALL_TCPCONN = "tailcall_tcpconn.bpf.o";
    /** The story's second object: a kprobe tail-call target and the freplace program. */
    public static final String TAILCALL_FREPLACE = "tailcall_freplace.bpf.o";

    /** Parses one of the objects above. */
    public static ObjectSpec spec(String file) {
        String path = "/io/bpf4j/tools/bpf/" + file;
        try (InputStream in = ToolObjects.class.getResourceAsStream(path)) {
            return ObjectSpec.read(in, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
