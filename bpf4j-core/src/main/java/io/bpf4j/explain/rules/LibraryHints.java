package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.BpfException;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Gatherer;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.Probe;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Processes;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The knowledge base behind {@link BpfException}'s hints: a failure of bpf4j's own library is
 * gathered like a traced process's (this process's fds and memory) and the first fitting rule's
 * cause and fix become the hint. Registered as the {@link BpfException.Explainer} service.
 */
public final class LibraryHints implements BpfException.Explainer {
    /** Gathering makes bpf(2) calls of its own; a failure among them must not be explained again. */
    private static final ThreadLocal<Boolean> BUSY = ThreadLocal.withInitial(() -> false);

    public LibraryHints() {}

    @Override
    public String explain(BpfCommand cmd, int errno, MemorySegment attr) {
        if (BUSY.get()) return null;
        // Copy first: the attr is a per-thread scratch buffer that the next bpf(2) call reuses.
        byte[] bytes = attr.toArray(JAVA_BYTE);
        BUSY.set(true);
        try {
            BpfCall call = new BpfCall(cmd.value(), false, attr.address(), bytes, bytes.length);
            Observation o = Gatherer.self(Probe.kernel(errno == Errno.E2BIG)).gather(call, errno, Processes.gettid()).build();
            Optional<Cause> c = KnowledgeBase.cause(o);
            return c.map(Cause::oneLine).orElse(null);
        } finally {
            BUSY.set(false);
        }
    }
}
