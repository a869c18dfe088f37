package io.bpf4j.link;

import io.bpf4j.AttachType;
import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfProgram;
import io.bpf4j.internal.BpfCalls;
import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Attaching programs. Each method returns a {@link BpfLink} that owns everything the attach
 * created (link fd, perf event fd) and detaches on close.
 */
public final class Links {
    private Links() {}

    /**
     * fentry/fexit/fmod_ret/LSM programs at the target they were loaded for, and EXT programs
     * at their load-time target, with BPF_RAW_TRACEPOINT_OPEN and a NULL name. That path
     * works from 5.5 on; BPF_LINK_CREATE for tracing came later (5.13 for some types).
     */
    public static BpfLink tracing(BpfProgram prog) {
        return rawTracepoint(prog, null);
    }

    /** A raw tracepoint program on tracepoint {@code name} (or a tracing program for null). */
    public static BpfLink rawTracepoint(BpfProgram prog, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Bpf.attr(Layouts.RawTracepoint.LAYOUT.byteSize());
            if (name != null) a.set(JAVA_LONG, Layouts.RawTracepoint.NAME, arena.allocateFrom(name).address());
            a.set(JAVA_INT, Layouts.RawTracepoint.PROG_FD, prog.fd().raw());
            String op = name == null ? "attach " + prog.name() : "attach raw_tp " + name;
            return BpfLink.of(BpfCalls.fd(BpfCommand.RAW_TRACEPOINT_OPEN, a, op));
        }
    }

    /**
     * An EXT (freplace) program replacing function {@code btfFuncId} of {@code target}, with
     * BPF_LINK_CREATE (5.10+, 4a1e7c0c63e0); unlike {@link #tracing} this can attach one
     * extension to several targets.
     */
    public static BpfLink freplace(BpfProgram ext, BpfProgram target, int btfFuncId) {
        MemorySegment a = Bpf.attr(Layouts.LinkCreate.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.LinkCreate.PROG_FD, ext.fd().raw());
        a.set(JAVA_INT, Layouts.LinkCreate.TARGET_FD, target.fd().raw());
        a.set(JAVA_INT, Layouts.LinkCreate.ATTACH_TYPE, 0);
        a.set(JAVA_INT, Layouts.LinkCreate.TARGET_BTF_ID, btfFuncId);
        return BpfLink.of(BpfCalls.fd(BpfCommand.LINK_CREATE, a, "attach freplace " + ext.name() + " to " + target.name()));
    }

    /**
     * An iterator program ({@code iter/<target>}, loaded as TRACING with expected attach type
     * TRACE_ITER) as a link; read its output with {@link IterStream#open}. {@code map} is the
     * map to walk for {@code iter/bpf_map_elem} and similar targets, else null. Requires 5.8.
     */
    public static BpfLink iterator(BpfProgram prog, io.bpf4j.BpfMap map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Bpf.attr(Layouts.LinkCreate.LAYOUT.byteSize());
            a.set(JAVA_INT, Layouts.LinkCreate.PROG_FD, prog.fd().raw());
            a.set(JAVA_INT, Layouts.LinkCreate.ATTACH_TYPE, AttachType.TRACE_ITER.value());
            if (map != null) {
                // union bpf_iter_link_info { struct { __u32 map_fd; } map; ... }
                MemorySegment info = arena.allocate(16, 8);
                info.set(JAVA_INT, 0, map.fd().raw());
                a.set(JAVA_LONG, Layouts.LinkCreate.ITER_INFO, info.address());
                a.set(JAVA_INT, Layouts.LinkCreate.ITER_INFO_LEN, (int) info.byteSize());
            }
            return BpfLink.of(BpfCalls.fd(BpfCommand.LINK_CREATE, a, "attach iterator " + prog.name()));
        }
    }

    /** An XDP program on an interface through a link (5.9+). */
    public static BpfLink xdp(BpfProgram prog, int ifindex, int flags) {
        MemorySegment a = Bpf.attr(Layouts.LinkCreate.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.LinkCreate.PROG_FD, prog.fd().raw());
        a.set(JAVA_INT, Layouts.LinkCreate.TARGET_IFINDEX, ifindex);
        a.set(JAVA_INT, Layouts.LinkCreate.ATTACH_TYPE, AttachType.XDP.value());
        a.set(JAVA_INT, Layouts.LinkCreate.FLAGS, flags);
        return BpfLink.of(BpfCalls.fd(BpfCommand.LINK_CREATE, a, "attach xdp ifindex " + ifindex));
    }

    /**
     * A kprobe (or kretprobe) on kernel function {@code func} at {@code offset}, through a
     * perf event of the kprobe PMU. Attached with BPF_LINK_CREATE where the kernel has
     * perf-event links (5.15+), else with PERF_EVENT_IOC_SET_BPF.
     */
    public static BpfLink kprobe(BpfProgram prog, String func, long offset, boolean ret) {
        Fd perf = PerfEvents.kprobe(func, offset, ret);
        try {
            return PerfEvents.attach(prog, perf, (ret ? "kretprobe " : "kprobe ") + func);
        } catch (RuntimeException e) {
            perf.close();
            throw e;
        }
    }

    /**
     * A kprobe (or kretprobe) whose program reads {@code cookie} with
     * {@code bpf_get_attach_cookie} (5.15+). On older kernels the attach still works (through
     * ioctls) but the program sees cookie 0.
     */
    public static BpfLink kprobe(BpfProgram prog, String func, long offset, boolean ret, long cookie) {
        Fd perf = PerfEvents.kprobe(func, offset, ret);
        try {
            return PerfEvents.attach(prog, perf, (ret ? "kretprobe " : "kprobe ") + func, cookie);
        } catch (RuntimeException e) {
            perf.close();
            throw e;
        }
    }

    /**
     * A kretprobe with room for {@code maxActive} tasks inside {@code func} at once (at most
     * {@link KprobeEvents#MAX_ACTIVE}), made as a tracefs kprobe event ({@code r<N>:}) because
     * the perf kprobe PMU cannot set it: there the kernel reserves num_possible_cpus() instances
     * (max(10, 2 x CPUs) on preemptible kernels) and a return beyond them is not seen. The link
     * removes the event when closed. {@code cookie} as in
     * {@link #kprobe(BpfProgram, String, long, boolean, long)}. Needs tracefs mounted.
     */
    public static BpfLink kretprobe(BpfProgram prog, String func, int maxActive, long cookie) {
        KprobeEvents.Event ev = KprobeEvents.create(func, 0, true, maxActive);
        try {
            return PerfEvents.attach(prog, ev.perf(), "kretprobe " + func, cookie).removingEvent(ev.name());
        } catch (RuntimeException e) {
            ev.perf().close();
            KprobeEvents.remove(ev.name());
            throw e;
        }
    }

    /** BPF_F_KPROBE_MULTI_RETURN. */
    static final int KPROBE_MULTI_RETURN = 1;

    /**
     * One link attaching a {@code kprobe.multi} (or {@code kretprobe.multi}) program to many
     * kernel functions at once, by address (as in {@code /proc/kallsyms}), each with its BPF
     * cookie. Attaching and detaching cost one ftrace update for all of them, where single
     * kprobes cost one each. Requires Linux 5.18 built with CONFIG_FPROBE (EOPNOTSUPP otherwise);
     * the program must be loaded with expected attach type {@link AttachType#TRACE_KPROBE_MULTI}.
     *
     * @param cookies one per address, or null
     */
    public static BpfLink kprobeMulti(BpfProgram prog, long[] addrs, long[] cookies, boolean ret) {
        return multiLink(prog, addrs, cookies, AttachType.TRACE_KPROBE_MULTI, ret ? KPROBE_MULTI_RETURN : 0,
                ret ? "kretprobe.multi " : "kprobe.multi ");
    }

    /**
     * One kprobe session link: the program runs at each function's entry and, unless that run
     * returned non-zero, again at its return, where {@code bpf_session_is_return} tells the two
     * apart. One fprobe per function where an entry link and an exit link make two. Requires
     * Linux 6.10 ({@code 535a3692ba72}, "bpf: Add support for kprobe session attach") built
     * with CONFIG_FPROBE; the program must be loaded with expected attach type
     * {@link AttachType#TRACE_KPROBE_SESSION}.
     *
     * @param cookies one per address, or null
     */
    public static BpfLink kprobeSession(BpfProgram prog, long[] addrs, long[] cookies) {
        return multiLink(prog, addrs, cookies, AttachType.TRACE_KPROBE_SESSION, 0, "kprobe.session ");
    }

    private static BpfLink multiLink(BpfProgram prog, long[] addrs, long[] cookies, AttachType type, int flags, String label) {
        if (addrs.length == 0) throw new BpfException("attach " + label + prog.name() + ": no functions");
        if (cookies != null && cookies.length != addrs.length)
            throw new BpfException("attach " + label + prog.name() + ": " + cookies.length + " cookies for " + addrs.length + " functions");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Bpf.attr(Layouts.LinkCreate.LAYOUT.byteSize());
            a.set(JAVA_INT, Layouts.LinkCreate.PROG_FD, prog.fd().raw());
            a.set(JAVA_INT, Layouts.LinkCreate.ATTACH_TYPE, type.value());
            a.set(JAVA_INT, Layouts.LinkCreate.KPROBE_MULTI_FLAGS, flags);
            a.set(JAVA_INT, Layouts.LinkCreate.KPROBE_MULTI_CNT, addrs.length);
            a.set(JAVA_LONG, Layouts.LinkCreate.KPROBE_MULTI_ADDRS, arena.allocateFrom(JAVA_LONG, addrs).address());
            if (cookies != null)
                a.set(JAVA_LONG, Layouts.LinkCreate.KPROBE_MULTI_COOKIES, arena.allocateFrom(JAVA_LONG, cookies).address());
            String op = "attach " + label + prog.name() + " to " + addrs.length + " functions";
            return BpfLink.of(BpfCalls.fd(BpfCommand.LINK_CREATE, a, op));
        }
    }

    /** A tracepoint program on {@code category:name} (e.g. syscalls:sys_enter_getpid). */
    public static BpfLink tracepoint(BpfProgram prog, String category, String name) {
        Fd perf = PerfEvents.tracepoint(category, name);
        try {
            return PerfEvents.attach(prog, perf, "tracepoint " + category + ":" + name);
        } catch (RuntimeException e) {
            perf.close();
            throw e;
        }
    }
}
