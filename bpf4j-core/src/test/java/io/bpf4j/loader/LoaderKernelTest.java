package io.bpf4j.loader;

import io.bpf4j.BpfLink;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.core.CoreRelo;
import io.bpf4j.btf.core.CoreRelocator;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.KernelRelease;
import io.bpf4j.internal.sys.Syscalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * On every lab kernel (5.10 to 7.x): lab.bpf.o reads current->tgid with CO-RE from fentry,
 * fexit, kprobe, kretprobe and raw_tp programs and replaces a function of another object's XDP
 * program with freplace; the loader attaches each from its section name and the results are
 * read back through the object's mapped .bss. This host refuses tracing and EXT loads, hence
 * the tag.
 */
@Tag("kernel")
class LoaderKernelTest {
    static final int FENTRY = 0, FEXIT = 1, KPROBE = 2, KRETPROBE = 3, RAW_TP = 4, FREPLACE = 5;
    static final int XDP_PASS = 2, XDP_TX = 3;

    @AfterAll
    static void noFdLeft() {
        assertEquals(0, Fd.openCount(), "fds still open");
    }

    static long at(MemorySegment array, int slot) {
        return array.get(JAVA_LONG_UNALIGNED, slot * 8L);
    }

    @Test
    void oneCoreObjectAttachesEveryKindAndReadsTheTgidOfThisProcess() {
        long pid = ProcessHandle.current().pid();
        Btf k = Btf.kernel();
        BtfType task = k.findByName("task_struct", BtfKind.STRUCT).orElseThrow();
        long tgidOffset = k.memberByPath(task, "tgid").orElseThrow().byteOffset();
        try (BpfObject target = BpfObject.load(Objects.spec("lab_target.bpf.o"))) {
            assertEquals(XDP_PASS, target.program("xdp_pick").testRun(new byte[64], 1).retval());
            ObjectSpec spec = Objects.spec("lab.bpf.o");
            spec.setVariable("target_tgid", pid);
            spec.updateProgram("new_pick", p -> p.withAttachTo(target.program("xdp_pick"), "pick"));
            try (BpfObject o = BpfObject.load(spec)) {
                // The tgid offset the object was compiled with (6.18's) became this kernel's.
                List<CoreRelocator.Result> relos = o.coreRelocations("on_entry");
                CoreRelocator.Result off = relos.stream().filter(r -> r.relo().kind() == CoreRelo.Kind.FIELD_BYTE_OFFSET)
                        .findFirst().orElseThrow();
                assertEquals(tgidOffset, off.newValue(), off.explain());
                System.out.println("LoaderKernelTest: Linux " + KernelRelease.running() + ": task_struct.tgid at " + off.newValue()
                        + " (compiled for " + off.localValue() + ")");
                MemorySegment counts = o.variable("counts"), tgids = o.variable("tgids");
                try (BpfLink fentry = o.attach("on_entry"); BpfLink fexit = o.attach("on_exit");
                     BpfLink kprobe = o.attach("on_kprobe"); BpfLink kretprobe = o.attach("on_kretprobe");
                     BpfLink rawTp = o.attach("on_sys_enter"); BpfLink freplace = o.attach("new_pick")) {
                    for (int i = 0; i < 5; i++) o.program("on_entry").testRun(null, null, 1); // calls bpf_fentry_test1(1)
                    Syscalls.getpid();
                    assertEquals(5, at(counts, FENTRY), "fentry");
                    assertEquals(5, at(counts, FEXIT), "fexit");
                    assertEquals(5, at(counts, KPROBE), "kprobe");
                    assertEquals(5, at(counts, KRETPROBE), "kretprobe");
                    assertTrue(at(counts, RAW_TP) >= 1, "raw_tp sys_enter saw this process's syscalls");
                    assertEquals(1, o.variable("fexit_arg").get(JAVA_LONG_UNALIGNED, 0));
                    assertEquals(2, o.variable("fexit_ret").get(JAVA_LONG_UNALIGNED, 0), "bpf_fentry_test1(1) returns 2");
                    for (int slot : new int[] {FENTRY, FEXIT, KPROBE, KRETPROBE, RAW_TP})
                        assertEquals(pid, at(tgids, slot), "CO-RE read of current->tgid in slot " + slot);
                    assertEquals(XDP_TX, target.program("xdp_pick").testRun(new byte[64], 1).retval(), "pick() replaced");
                    assertEquals(1, at(counts, FREPLACE));
                }
                assertEquals(XDP_PASS, target.program("xdp_pick").testRun(new byte[64], 1).retval(), "freplace link closed");
                o.program("on_entry").testRun(null, null, 1);
                assertEquals(5, at(counts, FENTRY), "links closed: no more counts");
            }
        }
    }
}
