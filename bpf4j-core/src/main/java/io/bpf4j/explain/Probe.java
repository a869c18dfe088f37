package io.bpf4j.explain;

import io.bpf4j.BpfCommand;
import io.bpf4j.Cpus;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.internal.sys.KernelRelease;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the facts rules need from the running kernel ({@code /proc/sys}, vmlinux BTF) and from a
 * process ({@code /proc/PID/status}, {@code /proc/PID/limits}).
 */
public final class Probe {
    private Probe() {}

    private static volatile KernelFacts withBtf;

    /**
     * The running kernel's facts. With {@code btf}, also what its BTF says (attr size and each
     * command's last field, the highest command, map type, program type and helper): parsing
     * vmlinux BTF takes a while, so it is read once per JVM and only when asked.
     */
    public static KernelFacts kernel(boolean btf) {
        if (btf && withBtf != null) return withBtf;
        KernelRelease r = KernelRelease.running();
        KernelFacts k = KernelFacts.release(r.release(), r.major(), r.minor());
        int cpus;
        try {
            cpus = Cpus.possible();
        } catch (RuntimeException e) {
            cpus = -1;
        }
        Boolean memlock = r.major() == 0 ? null : !r.atLeast(5, 11);
        k = k.withSysctls(sysctl("kernel/unprivileged_bpf_disabled"), memlock, sysctl("net/core/bpf_jit_enable"), cpus);
        if (!btf) return k;
        try {
            k = fromBtf(k, Btf.kernel());
        } catch (RuntimeException e) {
            // no BTF (or BTF this parser refuses): the rules that need it do not match
        }
        withBtf = k;
        return k;
    }

    static int sysctl(String name) {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys", name)).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The facts the kernel's own BTF gives. */
    static KernelFacts fromBtf(KernelFacts k, Btf btf) {
        Optional<BtfType> attr = btf.findByName("bpf_attr", BtfKind.UNION);
        int size = attr.map(t -> (int) btf.sizeOf(t)).orElse(-1);
        Map<BpfCommand, Integer> ends = new EnumMap<>(BpfCommand.class);
        if (attr.orElse(null) instanceof BtfType.Union u) {
            put(ends, btf, u, BpfCommand.MAP_CREATE, "map_type");
            put(ends, btf, u, BpfCommand.PROG_LOAD, "prog_type");
            put(ends, btf, u, BpfCommand.OBJ_PIN, "pathname");
            put(ends, btf, u, BpfCommand.OBJ_GET, "pathname");
            put(ends, btf, u, BpfCommand.BTF_LOAD, "btf_size");
            put(ends, btf, u, BpfCommand.PROG_ATTACH, "attach_bpf_fd");
            int attach = ends.getOrDefault(BpfCommand.PROG_ATTACH, -1);
            // BPF_PROG_DETACH_LAST_FIELD was attach_type (12) until 6.6 added expected_revision.
            if (attach > 20) ends.put(BpfCommand.PROG_DETACH, attach);
            else if (attach > 0) ends.put(BpfCommand.PROG_DETACH, 12);
            named(ends, btf, u, BpfCommand.LINK_CREATE, "link_create");
            named(ends, btf, u, BpfCommand.PROG_TEST_RUN, "test");
            named(ends, btf, u, BpfCommand.PROG_QUERY, "query");
            named(ends, btf, u, BpfCommand.RAW_TRACEPOINT_OPEN, "raw_tracepoint");
            named(ends, btf, u, BpfCommand.OBJ_GET_INFO_BY_FD, "info");
            named(ends, btf, u, BpfCommand.TASK_FD_QUERY, "task_fd_query");
            // The element commands share one struct but stop at different fields (syscall.c *_LAST_FIELD).
            ends.put(BpfCommand.MAP_LOOKUP_ELEM, 32);
            ends.put(BpfCommand.MAP_UPDATE_ELEM, 32);
            ends.put(BpfCommand.MAP_DELETE_ELEM, 16);
            ends.put(BpfCommand.MAP_GET_NEXT_KEY, 24);
            ends.put(BpfCommand.MAP_FREEZE, 4);
            ends.put(BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, k.atLeast(5, 14) ? 32 : 24);
        }
        return k.withAttr(size, ends).withMaxima(maxValue(btf, "bpf_cmd", "__MAX_BPF_CMD"),
                maxValue(btf, "bpf_map_type", "__MAX_BPF_MAP_TYPE"), maxValue(btf, "bpf_prog_type", "__MAX_BPF_PROG_TYPE"),
                maxValue(btf, "bpf_func_id", "__BPF_FUNC_MAX_ID"));
    }

    /** The end of the anonymous struct of {@code union bpf_attr} that has a member {@code first}. */
    private static void put(Map<BpfCommand, Integer> ends, Btf btf, BtfType.Union u, BpfCommand cmd, String first) {
        for (BtfType.Member m : u.members()) {
            if (!m.name().isEmpty()) continue;
            if (btf.resolve(m.type()) instanceof BtfType.Struct s && s.members().stream().anyMatch(x -> x.name().equals(first))) {
                ends.put(cmd, end(btf, s));
                return;
            }
        }
    }

    private static void named(Map<BpfCommand, Integer> ends, Btf btf, BtfType.Union u, BpfCommand cmd, String name) {
        for (BtfType.Member m : u.members()) {
            if (m.name().equals(name) && btf.resolve(m.type()) instanceof BtfType.Struct s) {
                ends.put(cmd, end(btf, s));
                return;
            }
        }
    }

    /** The end of a struct's last member (tail padding excluded: CHECK_ATTR starts right after the last field). */
    static int end(Btf btf, BtfType.Struct s) {
        int end = 0;
        for (BtfType.Member m : s.members()) end = (int) Math.max(end, m.bitOffset() / 8 + btf.sizeOf(m.type()));
        return end;
    }

    /** The largest value of enum {@code name} below its {@code __MAX} sentinel (the sentinel minus one), or -1. */
    static int maxValue(Btf btf, String name, String sentinel) {
        Optional<BtfType> e = btf.findByName(name, BtfKind.ENUM);
        if (!(e.orElse(null) instanceof BtfType.Enum en)) return -1;
        long max = -1;
        for (BtfType.EnumValue v : en.values()) {
            if (v.name().equals(sentinel)) return (int) v.value() - 1;
            if (!v.name().startsWith("__")) max = Math.max(max, v.value());
        }
        return (int) max;
    }

    /** The credentials and limits of a process, from /proc. */
    public static ProcessFacts process(int pid) {
        String status, limits;
        try {
            status = Files.readString(Path.of("/proc", Integer.toString(pid), "status"));
        } catch (IOException e) {
            return ProcessFacts.unknown();
        }
        try {
            limits = Files.readString(Path.of("/proc", Integer.toString(pid), "limits"));
        } catch (IOException e) {
            limits = "";
        }
        return new ProcessFacts(ProcessFacts.parseEuid(status), ProcessFacts.parseCapEff(status), ProcessFacts.parseMemlock(limits),
                ProcessFacts.parseStatusInt(status, "Seccomp"));
    }
}
