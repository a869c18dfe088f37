package io.bpf4j.link;

import io.bpf4j.AttachType;
import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfProgram;
import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;
import io.bpf4j.internal.sys.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** perf_event_open for kprobes and tracepoints, and attaching BPF programs to such events. */
final class PerfEvents {
    private PerfEvents() {}

    static final long PERF_EVENT_IOC_ENABLE = 0x2400, PERF_EVENT_IOC_DISABLE = 0x2401,
            PERF_EVENT_IOC_SET_BPF = 0x40042408L;
    static final int PERF_TYPE_TRACEPOINT = 2;
    static final long PERF_FLAG_FD_CLOEXEC = 8;

    static int sysfsInt(String path, String what) {
        try {
            return Integer.parseInt(Files.readString(Path.of(path)).trim());
        } catch (IOException | NumberFormatException e) {
            throw new BpfException(what + ": " + path + " unreadable; this kernel has no " + what
                    + " support (CONFIG_KPROBE_EVENTS/CONFIG_TRACING)", Errno.ENOENT, null);
        }
    }

    /** The bit in config that makes a kprobe a kretprobe ("config:0" in the PMU format). */
    static int retprobeBit() {
        try {
            String f = Files.readString(Path.of("/sys/bus/event_source/devices/kprobe/format/retprobe")).trim();
            return Integer.parseInt(f.substring(f.indexOf(':') + 1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static Fd kprobe(String func, long offset, boolean ret) {
        int pmu = sysfsInt("/sys/bus/event_source/devices/kprobe/type", "kprobe PMU");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(func);
            MemorySegment attr = arena.allocate(Layouts.PerfEventAttr.LAYOUT.byteSize(), 8);
            attr.set(JAVA_INT, Layouts.PerfEventAttr.TYPE, pmu);
            attr.set(JAVA_INT, Layouts.PerfEventAttr.SIZE, Layouts.PerfEventAttr.ATTR_SIZE);
            attr.set(JAVA_LONG, Layouts.PerfEventAttr.CONFIG, ret ? 1L << retprobeBit() : 0);
            attr.set(JAVA_LONG, Layouts.PerfEventAttr.SAMPLE_PERIOD, 1);
            attr.set(JAVA_INT, Layouts.PerfEventAttr.WAKEUP_EVENTS, 1);
            attr.set(JAVA_LONG, Layouts.PerfEventAttr.CONFIG1, name.address());
            attr.set(JAVA_LONG, Layouts.PerfEventAttr.CONFIG2, offset);
            int fd = Syscalls.perfEventOpen(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
            if (fd < 0) {
                String hint = -fd == Errno.ENOENT || -fd == Errno.EINVAL
                        ? "no such function, or it cannot be probed (inlined, notrace or blacklisted)" : null;
                throw new BpfException("open " + (ret ? "kretprobe " : "kprobe ") + func, -fd, hint);
            }
            return Fd.adopt(fd, "perf_event_open");
        }
    }

    static Fd tracepoint(String category, String name) {
        String base = Files.isDirectory(Path.of("/sys/kernel/tracing/events")) ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
        int id = sysfsInt(base + "/events/" + category + "/" + name + "/id", "tracepoint " + category + ":" + name);
        return tracepointById(id, "open tracepoint " + category + ":" + name);
    }

    /** A perf event on the trace event with this id (a tracepoint, or a kprobe event made in tracefs). */
    static Fd tracepointById(int id, String op) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Layouts.PerfEventAttr.LAYOUT.byteSize(), 8);
            attr.set(JAVA_INT, Layouts.PerfEventAttr.TYPE, PERF_TYPE_TRACEPOINT);
            attr.set(JAVA_INT, Layouts.PerfEventAttr.SIZE, Layouts.PerfEventAttr.ATTR_SIZE);
            attr.set(JAVA_LONG, Layouts.PerfEventAttr.CONFIG, id);
            attr.set(JAVA_LONG, Layouts.PerfEventAttr.SAMPLE_PERIOD, 1);
            attr.set(JAVA_INT, Layouts.PerfEventAttr.WAKEUP_EVENTS, 1);
            int fd = Syscalls.perfEventOpen(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
            return Fd.adopt(fd, op);
        }
    }

    /** A link that owns the perf event fd (and the bpf link fd, where one was made). */
    static final class PerfLink extends BpfLink {
        private final Fd perf;
        /** The tracefs kprobe event the perf event reads, removed after it; null for none. */
        private String tracefsEvent;

        PerfLink(Fd linkOrPerf, Fd perf) {
            super(linkOrPerf);
            this.perf = perf;
        }

        PerfLink removingEvent(String name) {
            this.tracefsEvent = name;
            return this;
        }

        @Override
        public void close() {
            try {
                if (fd() != perf) super.close();
                else Syscalls.ioctl(perf.raw(), PERF_EVENT_IOC_DISABLE, 0);
            } finally {
                perf.close();
                if (tracefsEvent != null) {
                    BpfException e = KprobeEvents.remove(tracefsEvent);
                    tracefsEvent = null;
                    if (e != null) throw e;
                }
            }
        }
    }

    static PerfLink attach(BpfProgram prog, Fd perf, String what) {
        return attach(prog, perf, what, 0);
    }

    /**
     * As {@link #attach(BpfProgram, Fd, String)} with a BPF cookie on the link (5.15+,
     * 82e6b1eee6a8). Kernels without perf-event links get the ioctl attach and no cookie:
     * callers that need one must check {@code LINK_CREATE} support themselves.
     */
    static PerfLink attach(BpfProgram prog, Fd perf, String what, long cookie) {
        MemorySegment a = Bpf.attr(Layouts.LinkCreate.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.LinkCreate.PROG_FD, prog.fd().raw());
        a.set(JAVA_INT, Layouts.LinkCreate.TARGET_FD, perf.raw());
        a.set(JAVA_INT, Layouts.LinkCreate.ATTACH_TYPE, AttachType.PERF_EVENT.value());
        a.set(JAVA_LONG, Layouts.LinkCreate.PERF_BPF_COOKIE, cookie);
        long r = Bpf.call(BpfCommand.LINK_CREATE.value(), a);
        if (r >= 0) return new PerfLink(Fd.adopt((int) r, "attach " + what), perf);
        // Kernels before 5.15 (b89fbfbb854c) have no perf-event links: attach with ioctls.
        int rc = Syscalls.ioctl(perf.raw(), PERF_EVENT_IOC_SET_BPF, prog.fd().raw());
        if (rc < 0) throw BpfException.of("attach " + what, BpfCommand.LINK_CREATE, -rc);
        rc = Syscalls.ioctl(perf.raw(), PERF_EVENT_IOC_ENABLE, 0);
        if (rc < 0) throw BpfException.of("enable " + what, BpfCommand.LINK_CREATE, -rc);
        return new PerfLink(perf, perf);
    }
}
