package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.BpfProgram;
import io.bpf4j.BtfHandle;
import io.bpf4j.MapType;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgInfo;
import io.bpf4j.ProgType;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.KernelRelease;

import java.util.ArrayList;
import java.util.List;

/**
 * Loaded BPF programs as traced functions ({@code -e/-a bpf:ID}, {@code bpf:ID:FUNC_GLOB},
 * {@code bpf:NAME_GLOB}): each program's main function and subprograms, named by the program's
 * BTF, attached with fentry/fexit on the program ({@code attach_prog_fd}). A program without BTF
 * function info cannot be traced this way; it is reported, not silently dropped.
 */
public final class BpfTargets {
    private BpfTargets() {}

    /**
     * One function of a loaded program. {@code skip} is why it cannot be traced safely (null if it can).
     *
     * @param name  {@code bpf:ID:FUNC}, the name the trace shows
     * @param proto its prototype in {@code btf}, null without BTF
     */
    public record Func(int progId, String progName, ProgType progType, String func, int index, String name, long address,
                       Btf btf, BtfType.FuncProto proto, String skip) {
        public boolean main() {
            return index == 0;
        }
    }

    /** True if {@code text} is a BPF program pattern ({@code bpf:...}). */
    public static boolean isPattern(String text) {
        return text.startsWith("bpf:");
    }

    /**
     * The functions a {@code bpf:} pattern matches among the loaded programs. Tracing programs
     * are left out: the kernel does not let one tracing program attach to another.
     */
    public static List<Func> match(String pattern) {
        String body = pattern.substring("bpf:".length());
        if (body.isEmpty()) throw new BpfException("pattern '" + pattern + "': give a program id or a name glob after bpf:");
        Integer id = null;
        Glob func;
        int colon = body.indexOf(':');
        String head = colon < 0 ? body : body.substring(0, colon);
        if (head.chars().allMatch(Character::isDigit)) {
            id = Integer.parseInt(head);
            func = Glob.of(colon < 0 ? "*" : body.substring(colon + 1));
        } else {
            if (colon >= 0) throw new BpfException("pattern '" + pattern + "': bpf:ID:FUNC_GLOB takes a numeric program id");
            func = Glob.of(body);
        }
        List<Integer> ids = id != null ? List.of(id) : ObjectIds.all(ObjectIds.Kind.PROG);
        List<Func> out = new ArrayList<>();
        for (int pid : ids) {
            try (Fd fd = ObjectIds.open(ObjectIds.Kind.PROG, pid)) {
                out.addAll(functions(fd, func));
            } catch (BpfException e) {
                if (id != null) throw new BpfException("pattern '" + pattern + "': " + e.getMessage(), e);
                // a program unloaded meanwhile
            }
        }
        return out;
    }

    private static List<Func> functions(Fd fd, Glob func) {
        ProgInfo info = BpfProgram.infoOf(fd);
        List<Func> out = new ArrayList<>();
        ProgType type = info.type();
        if (type == ProgType.TRACING) return out; // the kernel refuses tracing a tracing program
        if (info.btfId() == 0 || info.funcInfo().isEmpty()) {
            if (func.matches(info.name()))
                out.add(new Func(info.id(), info.name(), type, info.name(), 0, "bpf:" + info.id() + ":" + info.name(),
                        info.jitedKsyms().length > 0 ? info.jitedKsyms()[0] : 0, null, null,
                        "the program has no BTF function info, which fentry on a program needs (load it with BTF)"));
            return out;
        }
        Btf btf;
        try (BtfHandle h = BtfHandle.fromId(info.btfId())) {
            btf = Btf.parse(h.bytes());
        }
        boolean tailCalls = usesProgArray(info);
        boolean loopBug = tailCalls && tailCallLoopBug(KernelRelease.running());
        for (int i = 0; i < info.funcInfo().size(); i++) {
            BtfType t = btf.typeById(info.funcInfo().get(i).typeId());
            if (!(t instanceof BtfType.Func f)) continue;
            if (!func.matches(f.name())) continue;
            BtfType.FuncProto proto = btf.typeById(f.type()) instanceof BtfType.FuncProto p ? p : null;
            String skip = null;
            if (i > 0 && loopBug)
                skip = "a subprogram of a program that tail-calls: before Linux 6.7 (2b5dcb31a19a) fentry/fexit on it can make the tail calls loop forever";
            long addr = i < info.jitedKsyms().length ? info.jitedKsyms()[i] : 0;
            out.add(new Func(info.id(), info.name(), type, f.name(), i, "bpf:" + info.id() + ":" + f.name(), addr, btf, proto, skip));
        }
        return out;
    }

    /**
     * A program that uses a PROG_ARRAY can tail-call; its subprograms may be tail-call reachable.
     * (The kernel's own flag, tail_call_reachable, is not in bpf_prog_info.)
     */
    static boolean usesProgArray(ProgInfo info) {
        for (int m : info.mapIds()) {
            try (io.bpf4j.BpfMap map = io.bpf4j.BpfMap.fromId(m)) {
                if (map.info().type() == MapType.PROG_ARRAY) return true;
            } catch (BpfException e) {
                // gone
            }
        }
        return false;
    }

    /**
     * x86-64 kernels where fentry/fexit on a subprogram that tail-calls can loop without bound:
     * from 5.10 (tail calls in subprograms, e411901c0b77) until 2b5dcb31a19a in 6.7, which makes the
     * trampoline keep the tail call count (backported to 6.1.y and 6.6.y in January 2024; we still
     * treat every kernel before 6.7 as affected).
     */
    static boolean tailCallLoopBug(KernelRelease k) {
        return !k.atLeast(6, 7);
    }
}
