package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A BPF link: a program attached somewhere, detached when its owner closes it (unless it is
 * pinned). Also used for kernel objects opened by id for inspection.
 */
public class BpfLink implements AutoCloseable {
    private final Fd fd;

    protected BpfLink(Fd fd) {
        this.fd = fd;
    }

    /** Wraps a link fd; the link owns it. */
    public static BpfLink of(Fd fd) {
        return new BpfLink(fd);
    }

    public static BpfLink fromId(int id) {
        return new BpfLink(ObjectIds.open(ObjectIds.Kind.LINK, id));
    }

    public static BpfLink pinned(String path) {
        return new BpfLink(Pins.get(path));
    }

    public Fd fd() {
        return fd;
    }

    public void pin(String path) {
        Pins.pin(fd, path);
    }

    /** Detaches the program while keeping the fd (BPF_LINK_DETACH, 5.9+). */
    public void detach() {
        MemorySegment a = Bpf.attr(Layouts.OneFd.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.OneFd.FD, fd.raw());
        Calls.check(BpfCommand.LINK_DETACH, a, "detach link");
    }

    public LinkInfo info() {
        return info(fd);
    }

    static LinkInfo info(Fd fd) {
        long size = Layouts.LinkInfo.LAYOUT.byteSize();
        long u = Layouts.LinkInfo.UNION;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = ObjectIds.info(fd, size, arena, null);
            int type = s.get(JAVA_INT, Layouts.LinkInfo.TYPE);
            // Types that return a string need a second call with a buffer for it.
            MemorySegment buf = arena.allocate(256);
            LinkType lt = LinkType.of(type);
            if (lt == LinkType.RAW_TRACEPOINT || lt == LinkType.ITER
                    || (lt == LinkType.PERF_EVENT && hasName(s.get(JAVA_INT, u)))) {
                long ptrOff = lt == LinkType.PERF_EVENT ? u + 8 : u;
                long lenOff = lt == LinkType.PERF_EVENT ? u + 16 : u + 8;
                s = ObjectIds.info(fd, size, arena, i -> {
                    if (lt == LinkType.PERF_EVENT) i.set(JAVA_INT, u, s0(fd, arena));
                    i.set(JAVA_LONG, ptrOff, buf.address());
                    i.set(JAVA_INT, lenOff, (int) buf.byteSize());
                });
            }
            // kprobe.multi links report their addresses from 6.6 on: a second call with a buffer for them.
            long[] addrs = new long[0];
            if (lt == LinkType.KPROBE_MULTI && s.get(JAVA_INT, u + 8) > 0) {
                int n = s.get(JAVA_INT, u + 8);
                MemorySegment a = arena.allocate(8L * n, 8);
                s = ObjectIds.info(fd, size, arena, i -> {
                    i.set(JAVA_LONG, u, a.address());
                    i.set(JAVA_INT, u + 8, n);
                });
                addrs = a.toArray(JAVA_LONG);
            }
            Map<String, Object> f = new LinkedHashMap<>();
            if (lt != null) {
                switch (lt) {
                    case RAW_TRACEPOINT -> f.put("tp_name", buf.getString(0));
                    case TRACING -> {
                        f.put("attach_type", AttachType.nameOf(s.get(JAVA_INT, u)));
                        f.put("target_obj_id", s.get(JAVA_INT, u + 4));
                        f.put("target_btf_id", s.get(JAVA_INT, u + 8));
                    }
                    case CGROUP -> {
                        f.put("cgroup_id", s.get(JAVA_LONG, u));
                        f.put("attach_type", AttachType.nameOf(s.get(JAVA_INT, u + 8)));
                    }
                    case ITER -> {
                        f.put("target_name", buf.getString(0));
                        int mapId = s.get(JAVA_INT, u + 12);
                        if (mapId != 0) f.put("map_id", mapId);
                    }
                    case NETNS -> {
                        f.put("netns_ino", Integer.toUnsignedLong(s.get(JAVA_INT, u)));
                        f.put("attach_type", AttachType.nameOf(s.get(JAVA_INT, u + 4)));
                    }
                    case XDP -> f.put("ifindex", s.get(JAVA_INT, u));
                    case TCX, NETKIT -> {
                        f.put("ifindex", s.get(JAVA_INT, u));
                        f.put("attach_type", AttachType.nameOf(s.get(JAVA_INT, u + 4)));
                    }
                    case KPROBE_MULTI -> {
                        f.put("count", s.get(JAVA_INT, u + 8));
                        f.put("flags", s.get(JAVA_INT, u + 12));
                        if (addrs.length > 0) {
                            java.util.List<String> hex = new java.util.ArrayList<>();
                            for (long x : addrs) hex.add(String.format("0x%x", x));
                            f.put("addrs", java.util.List.copyOf(hex));
                        }
                    }
                    case NETFILTER -> {
                        f.put("pf", s.get(JAVA_INT, u));
                        f.put("hooknum", s.get(JAVA_INT, u + 4));
                        f.put("priority", s.get(JAVA_INT, u + 8));
                        f.put("flags", s.get(JAVA_INT, u + 12));
                    }
                    case PERF_EVENT -> {
                        int pt = s.get(JAVA_INT, u);
                        f.put("perf_event_type", perfEventType(pt));
                        if (isKprobe(pt)) {
                            f.put("func_name", buf.getString(0));
                            f.put("offset", s.get(JAVA_INT, u + 20));
                            f.put("addr", String.format("0x%x", s.get(JAVA_LONG, u + 24)));
                        } else if (pt == 5) {
                            f.put("tp_name", buf.getString(0));
                        } else if (pt == 1 || pt == 2) {
                            f.put("file_name", buf.getString(0));
                            f.put("offset", s.get(JAVA_INT, u + 20));
                        }
                    }
                    default -> { }
                }
            }
            return new LinkInfo(type, s.get(JAVA_INT, Layouts.LinkInfo.ID), s.get(JAVA_INT, Layouts.LinkInfo.PROG_ID), f);
        }
    }

    private static int s0(Fd fd, Arena arena) {
        return ObjectIds.info(fd, Layouts.LinkInfo.LAYOUT.byteSize(), arena, null).get(JAVA_INT, Layouts.LinkInfo.UNION);
    }

    /** enum bpf_perf_event_type: 3 kprobe, 4 kretprobe. */
    private static boolean isKprobe(int perfType) {
        return perfType == 3 || perfType == 4;
    }

    /** Perf event types whose link info carries a name (6.6+): uprobe, uretprobe, kprobe, kretprobe, tracepoint. */
    private static boolean hasName(int perfType) {
        return perfType >= 1 && perfType <= 5;
    }

    private static String perfEventType(int t) {
        return switch (t) {
            case 1 -> "uprobe";
            case 2 -> "uretprobe";
            case 3 -> "kprobe";
            case 4 -> "kretprobe";
            case 5 -> "tracepoint";
            case 6 -> "event";
            default -> "unspec";
        };
    }

    @Override
    public void close() {
        fd.close();
    }
}
