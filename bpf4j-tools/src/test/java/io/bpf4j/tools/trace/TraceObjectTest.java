package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.loader.BpfObject;
import io.bpf4j.loader.ObjectSpec;
import io.bpf4j.ProgramSpec;
import io.bpf4j.tools.ToolObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * trace.bpf.o against what the Java side assumes of it: the record and table layouts the
 * assembler, ArgLayout and ArgFilter write and read (from the object's own BTF), and the
 * verifier of this machine's kernel accepting every program it can load here with every
 * option switched on. (Tracing programs are loaded in the lab: TraceKernelTest.)
 */
class TraceObjectTest {
    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static Btf btf() {
        return ToolObjects.spec(ToolObjects.TRACE).btf();
    }

    static BtfType.Struct struct(Btf btf, String name) {
        return (BtfType.Struct) btf.findByName(name, BtfKind.STRUCT).orElseThrow(() -> new AssertionError("no struct " + name));
    }

    static long off(Btf btf, String struct, String path) {
        return btf.memberByPath(struct(btf, struct), path).orElseThrow(() -> new AssertionError(struct + "." + path)).byteOffset();
    }

    @Test
    void recordAndTableLayoutsAreWhatJavaReadsAndWrites() {
        Btf b = btf();
        assertEquals(ArgLayout.SPEC_SIZE, b.sizeOf(struct(b, "arg_spec")));
        assertEquals(0, off(b, "arg_spec", "total"));
        assertEquals(2, off(b, "arg_spec", "nvals"));
        assertEquals(4, off(b, "arg_spec", "kind"));
        assertEquals(10, off(b, "arg_spec", "size_arg"));
        assertEquals(16, off(b, "arg_spec", "len"));
        assertEquals(28, off(b, "arg_spec", "size_off"));
        assertEquals(ArgLayout.CALL_HDR, b.sizeOf(struct(b, "call_args")));
        assertEquals(8, off(b, "call_args", "vals"));
        assertEquals(ArgLayout.ARG_HDR, b.sizeOf(struct(b, "arg_data")));
        assertEquals(SessionAssembler.ARGS_HDR, off(b, "args_rec", "data"));
        assertEquals(16, off(b, "args_rec", "chunk"));
        assertEquals(20, off(b, "args_rec", "size"));
        assertEquals(22, off(b, "args_rec", "offset"));
        assertEquals(ArgFilter.SIZE, b.sizeOf(struct(b, "filter")));
        assertEquals(8, off(b, "filter", "table"));
        assertEquals(40, off(b, "filter", "atoms"));
        assertEquals(32, b.sizeOf(struct(b, "filter_atom")));
        assertEquals(8, off(b, "filter_atom", "off"));
        assertEquals(24, off(b, "filter_atom", "operand"));
        assertEquals(SessionAssembler.LBR_HDR, off(b, "lbr_rec", "entries"));
        assertEquals(16, off(b, "lbr_rec", "size"));
        assertEquals(SessionAssembler.LBR_ENTRY, b.sizeOf(struct(b, "perf_branch_entry")));
        assertEquals(SessionAssembler.STACK_HDR, off(b, "stack_rec", "ips"));
    }

    /** Program types this machine's kernel loads (the host refuses tracing, EXT and LSM). */
    static final Set<String> HOST_SECTIONS = Set.of("kprobe", "kretprobe", "kprobe.multi", "kretprobe.multi", "kprobe.session", "tracepoint", "raw_tracepoint");

    @Test
    void everyProgramThisKernelCanLoadPassesItsVerifierWithEveryOptionOn() {
        ObjectSpec spec = ToolObjects.spec(ToolObjects.TRACE);
        TraceOptions opts = TraceOptions.defaults().withArgs(ArgLayout.Limits.DEFAULT).withLbr("any_return")
                .withRingBufBytes(1 << 16).withMaxSessions(16);
        Tracer.configure(spec, new TracedFunction[0], opts, 2);
        int loaded = 0;
        for (ProgramSpec p : List.copyOf(spec.programs())) {
            boolean host = HOST_SECTIONS.contains(p.sectionName());
            spec.updateProgram(p.name(), x -> x.withAutoload(host));
            if (host) loaded++;
        }
        try (BpfObject o = BpfObject.load(spec)) {
            assertEquals(loaded, o.programs().size());
        } catch (BpfException e) {
            // A kernel without kprobe.multi (before 5.18) refuses that attach type at load.
            assumeTrue(e.errno() != Errno.EPERM, "this kernel refuses BPF loads: " + e.getMessage());
            throw e;
        }
        assertTrue(loaded >= 10, loaded + " programs");
    }

    @Test
    void theObjectHasAProgramForEveryInjectedProbeKind() {
        List<String> names = ToolObjects.spec(ToolObjects.TRACE).programs().stream().map(ProgramSpec::name).toList();
        for (String p : List.of("inj_kprobe", "inj_kretprobe", "inj_tp", "inj_rawtp", "fentry_fn", "fexit6", "kentry_ip", "kmexit", "kmsession"))
            assertTrue(names.contains(p), p + " in " + names);
    }
}
