package io.bpf4j.explain;

import io.bpf4j.AttachType;
import io.bpf4j.BpfCommand;
import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.Fd;
import io.bpf4j.MapType;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Processes;
import io.bpf4j.internal.sys.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Gathers an {@link Observation} for a failed call of a process: resolves the fds the attr and
 * the call's memory name, reads what its pointers point at, and looks up the facts the rules for
 * that command and errno need. Used for this process (the library's own failures) and, through a
 * tracer, for any process stopped right after its failed call.
 */
public final class Gatherer {
    /** Another process's memory: {@code length} bytes at {@code address}, or null when they cannot be read. */
    public interface Memory {
        byte[] read(long address, int length);

        /** process_vm_readv of {@code pid}; for our own pid a bad pointer becomes null, not a crash. */
        static Memory of(int pid) {
            return (address, length) -> {
                if (address == 0 || length < 0) return null;
                if (length == 0) return new byte[0];
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment buf = a.allocate(length);
                    long r = Processes.readMemory(pid, buf, address, length);
                    return r == length ? buf.toArray(JAVA_BYTE) : null;
                }
            };
        }
    }

    /** The most instructions read from a program load (8 bytes each): enough to find map fds in large programs. */
    static final int MAX_INSNS = 1 << 17;

    private final FdResolver fds;
    private final Memory memory;
    private final KernelFacts kernel;
    private final ProcessFacts process;

    public Gatherer(FdResolver fds, Memory memory, KernelFacts kernel, ProcessFacts process) {
        this.fds = fds;
        this.memory = memory;
        this.kernel = kernel;
        this.process = process;
    }

    /** For this process's own calls: fds duplicated with dup, memory read through process_vm_readv. */
    public static Gatherer self(KernelFacts kernel) {
        int pid = Syscalls.getpid();
        FdResolver r = new FdResolver(pid, fd -> {
            int d = Syscalls.dupCloexec(fd, 1);
            return d < 0 ? null : Fd.adopt(d, "dup");
        }, FdResolver.Registry.NONE);
        return new Gatherer(r, Memory.of(pid), kernel, Probe.process(pid));
    }

    public FdResolver resolver() {
        return fds;
    }

    public Memory memory() {
        return memory;
    }

    /** Everything about {@code call} that failed with {@code errno} in thread {@code tid}; the builder can take more (a verifier log). */
    public Observation.Builder gather(BpfCall call, int errno, int tid) {
        Observation.Builder b = Observation.builder(call, errno).pid(fds.pid()).tid(tid).kernel(kernel).process(process);
        BpfCommand cmd = call.command();
        if (cmd == null) return b;
        boolean ifindexTarget = ifindexTarget(call);
        for (AttrField f : AttrLayouts.of(cmd)) {
            if (!call.covers(f.name())) continue;
            boolean fd = f.kind() == AttrField.Kind.FD || (f.kind() == AttrField.Kind.OPT_FD && call.get(f.name()) != 0)
                    || (f.kind() == AttrField.Kind.TARGET && !ifindexTarget);
            if (cmd == BpfCommand.PROG_LOAD && f.name().equals("attach_prog_fd") && call.u32("attach_btf_id") == 0) fd = false;
            if (fd) b.object(f.name(), fds.resolve(call.u32(f.name())));
        }
        switch (cmd) {
            case MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM, MAP_GET_NEXT_KEY, MAP_LOOKUP_AND_DELETE_ELEM -> element(call, errno, b);
            case PROG_LOAD -> progLoad(call, b);
            case OBJ_PIN, OBJ_GET -> path(call, b);
            case RAW_TRACEPOINT_OPEN -> tracepoint(call, b);
            case BTF_LOAD -> read(b, call, "btf", Math.min(Integer.toUnsignedLong(call.u32("btf_size")), 1 << 20));
            case LINK_CREATE -> link(call, b);
            case PROG_ATTACH -> attach(call, errno, b);
            case MAP_FREEZE -> b.fact(Fact.WRITABLE_MMAPS, writableMapMappings());
            default -> { }
        }
        return b;
    }

    static boolean ifindexTarget(BpfCall call) {
        if (!call.is(BpfCommand.LINK_CREATE) && !call.is(BpfCommand.PROG_ATTACH) && !call.is(BpfCommand.PROG_DETACH)
                && !call.is(BpfCommand.PROG_QUERY)) return false;
        AttachType a = AttachType.of(call.u32("attach_type"));
        return a == AttachType.XDP || a == AttachType.TCX_INGRESS || a == AttachType.TCX_EGRESS || a == AttachType.NETKIT_PRIMARY
                || a == AttachType.NETKIT_PEER;
    }

    private void read(Observation.Builder b, BpfCall call, String field, long length) {
        long addr = call.get(field);
        if (addr == 0) return;
        byte[] m = memory.read(addr, (int) Math.max(0, Math.min(length, 1 << 20)));
        if (m == null) b.unreadable(field);
        else b.memory(field, m);
    }

    /** A NUL-terminated string of at most {@code max} bytes, read a page at a time so a short string at a page's end reads. */
    private byte[] string(long addr, int max) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long at = addr;
        while (out.size() < max) {
            int chunk = (int) Math.min(4096 - (at & 4095), max - out.size());
            byte[] b = memory.read(at, chunk);
            if (b == null) return out.size() == 0 ? null : out.toByteArray();
            for (byte x : b) {
                if (x == 0) return out.toByteArray();
                out.write(x);
            }
            at += chunk;
        }
        return out.toByteArray();
    }

    private void readString(Observation.Builder b, BpfCall call, String field, int max) {
        long addr = call.get(field);
        if (addr == 0) {
            b.unreadable(field);
            return;
        }
        byte[] s = string(addr, max);
        if (s == null) b.unreadable(field);
        else b.memory(field, s);
    }

    private void element(BpfCall call, int errno, Observation.Builder b) {
        ObjectSnapshot.MapObject m = b.build().map("map_fd").orElse(null);
        int keySize = m != null ? m.keySize() : 4;
        long key = call.get("key");
        if (key == 0) {
            if (m != null && m.keySize() > 0 && !call.is(BpfCommand.MAP_GET_NEXT_KEY)) b.unreadable("key");
        } else {
            read(b, call, "key", keySize);
        }
        if (!call.is(BpfCommand.MAP_UPDATE_ELEM) || m == null) return;
        boolean fdValued = m.isType(MapType.PROG_ARRAY) || m.isType(MapType.PERF_EVENT_ARRAY) || m.isType(MapType.CGROUP_ARRAY)
                || m.isType(MapType.ARRAY_OF_MAPS) || m.isType(MapType.HASH_OF_MAPS);
        long value = call.get("value");
        if (value == 0) b.unreadable("value");
        else read(b, call, "value", fdValued ? 4 : Math.min(m.valueSize(), 4096));
        if (fdValued) b.build().u32At("value").ifPresent(fd -> b.object("value", fds.resolve(fd)));
        boolean hash = m.isType(MapType.HASH) || m.isType(MapType.PERCPU_HASH) || m.isType(MapType.HASH_OF_MAPS)
                || m.isType(MapType.LRU_HASH) || m.isType(MapType.LRU_PERCPU_HASH);
        if (hash && (errno == Errno.E2BIG || errno == Errno.ENOENT || errno == Errno.EEXIST)) hashFacts(call, b, m);
    }

    /** Whether the key is in the map and how many elements it has, through a duplicate of the map fd. */
    private void hashFacts(BpfCall call, Observation.Builder b, ObjectSnapshot.MapObject m) {
        byte[] key = b.build().memory("key").orElse(null);
        if (key == null) return;
        Fd d = fds.duplicate(m.fd());
        if (d == null) return;
        try (BpfMap map = BpfMap.fromFd(d); Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(Math.max(1, m.keySize())), next = a.allocate(Math.max(1, m.keySize()));
            MemorySegment v = a.allocate(map.valueBufferSize());
            k.copyFrom(MemorySegment.ofArray(key));
            b.fact(Fact.KEY_EXISTS, map.lookup(k, v));
            long n = 0;
            boolean more = map.nextKey(null, next);
            while (more && n <= m.maxEntries()) {
                n++;
                MemorySegment t = k;
                k = next;
                next = t;
                more = map.nextKey(k, next);
            }
            b.fact(Fact.ELEMENT_COUNT, n);
        } catch (BpfException | IllegalArgumentException e) {
            // a map we may not read: the rule words its cause without the count
        }
    }

    private void progLoad(BpfCall call, Observation.Builder b) {
        readString(b, call, "license", 128);
        long n = Integer.toUnsignedLong(call.u32("insn_cnt"));
        if (call.get("insns") == 0 || n == 0) return;
        byte[] insns = memory.read(call.get("insns"), (int) Math.min(n, MAX_INSNS) * 8);
        if (insns == null) {
            b.unreadable("insns");
            return;
        }
        b.memory("insns", insns);
        // ld_imm64 with BPF_PSEUDO_MAP_FD (1) or BPF_PSEUDO_MAP_VALUE (2) carries a map fd in imm;
        // BPF_PSEUDO_MAP_IDX (5) / _IDX_VALUE (6) an index into fd_array.
        long fdArray = call.covers("fd_array") ? call.get("fd_array") : 0;
        for (int i = 0; i + 16 <= insns.length; i += 8) {
            if ((insns[i] & 0xff) != 0x18) continue;
            int src = (insns[i + 1] >> 4) & 0xf;
            int imm = (insns[i + 4] & 0xff) | (insns[i + 5] & 0xff) << 8 | (insns[i + 6] & 0xff) << 16 | insns[i + 7] << 24;
            int fd = -1;
            if (src == 1 || src == 2) fd = imm;
            else if ((src == 5 || src == 6) && fdArray != 0) {
                byte[] e = memory.read(fdArray + 4L * imm, 4);
                if (e != null) fd = (e[0] & 0xff) | (e[1] & 0xff) << 8 | (e[2] & 0xff) << 16 | e[3] << 24;
            }
            if (fd >= 0 || src == 1 || src == 2) b.object("insn_map:" + i / 8, fds.resolve(fd));
            i += 8;
        }
    }

    /** The path as the process sees it: relative to its cwd, absolute paths inside its root. */
    private Path inProcess(String path) {
        String base = "/proc/" + fds.pid() + (path.startsWith("/") ? "/root" : "/cwd/");
        return Path.of(base + path);
    }

    private void path(BpfCall call, Observation.Builder b) {
        if (call.covers("file_flags") && (call.u32("file_flags") & Flags.PATH_FD) != 0) return; // relative to path_fd: not followed
        readString(b, call, "pathname", 4096);
        String p = b.build().string("pathname").orElse(null);
        if (p == null) return;
        Path inside = inProcess(p);
        Path parent = inside.getParent();
        b.fact(Fact.PATH_PARENT_FS, parent != null && Files.isDirectory(parent) ? fsType(parent) : "");
        b.fact(Fact.PATH_EXISTS, Files.exists(inside, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        b.fact(Fact.PATH_FS, Files.exists(inside) ? fsType(inside) : "");
    }

    /** The filesystem's name by statfs magic ("bpf", "cgroup2", "tmpfs"...), or "" when the path is missing. */
    static String fsType(Path p) {
        long t = Syscalls.statfsType(p.toString());
        if (t < 0) return "";
        return switch ((int) t) {
            case 0xcafe4a11 -> "bpf";
            case 0x63677270 -> "cgroup2";
            case 0x27e0eb -> "cgroup";
            case 0x01021994 -> "tmpfs";
            case 0xef53 -> "ext4";
            case 0x62656572 -> "sysfs";
            case 0x9fa0 -> "proc";
            case 0x794c7630 -> "overlayfs";
            case 0x01021997 -> "9p";
            case 0x9123683e -> "btrfs";
            case 0x58465342 -> "xfs";
            case 0x1cd1 -> "devpts";
            case 0x09041934 -> "anon_inodefs";
            default -> "fs 0x" + Long.toHexString(t);
        };
    }

    private void tracepoint(BpfCall call, Observation.Builder b) {
        readString(b, call, "name", 256);
        String name = b.build().string("name").orElse(null);
        if (name == null) return;
        for (String root : List.of("/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events")) {
            Path r = Path.of(root);
            if (!Files.isDirectory(r)) continue;
            try (var cats = Files.list(r)) {
                b.fact(Fact.TRACEPOINT_EXISTS, cats.anyMatch(c -> Files.isDirectory(c.resolve(name))));
            } catch (IOException e) {
                // unknown
            }
            return;
        }
    }

    private void link(BpfCall call, Observation.Builder b) {
        if (AttachType.of(call.u32("attach_type")) != AttachType.XDP) return;
        int ifindex = call.u32("target_fd");
        try {
            b.fact(Fact.IFINDEX_EXISTS, NetworkInterface.getByIndex(ifindex) != null);
        } catch (SocketException e) {
            // unknown
        }
        for (int id : io.bpf4j.ObjectIds.all(io.bpf4j.ObjectIds.Kind.LINK)) {
            try (io.bpf4j.BpfLink l = io.bpf4j.BpfLink.fromId(id)) {
                io.bpf4j.LinkInfo li = l.info();
                if (li.typeName().endsWith("XDP") && Integer.valueOf(ifindex).equals(li.fields().get("ifindex"))) {
                    b.fact(Fact.XDP_ATTACHED, "link " + li.id() + " holds prog " + li.progId());
                    return;
                }
            } catch (BpfException e) {
                // freed meanwhile, or not ours to open
            }
        }
    }

    /** The programs attached at the call's cgroup hook, by BPF_PROG_QUERY through a duplicate of the cgroup fd. */
    private void attach(BpfCall call, int errno, Observation.Builder b) {
        if (errno != Errno.EINVAL && errno != Errno.EPERM) return;
        Fd cg = fds.duplicate(call.u32("target_fd"));
        if (cg == null) return;
        try (cg; Arena a = Arena.ofConfined()) {
            MemorySegment ids = a.allocate(4 * 64, 4);
            MemorySegment attr = a.allocate(64, 8);
            attr.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, cg.raw());
            attr.set(java.lang.foreign.ValueLayout.JAVA_INT, 4, call.u32("attach_type"));
            attr.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, ids.address());
            attr.set(java.lang.foreign.ValueLayout.JAVA_INT, 24, 64);
            long r = io.bpf4j.internal.sys.Bpf.call(BpfCommand.PROG_QUERY.value(), attr.asSlice(0, 40));
            if (r < 0) return;
            int count = attr.get(java.lang.foreign.ValueLayout.JAVA_INT, 24);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(count, 64); i++) sb.append(i == 0 ? "" : " ").append(ids.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i));
            if (count > 0) b.fact(Fact.CGROUP_ATTACHED, "prog " + sb + ", flags " + Flags.attach(attr.get(java.lang.foreign.ValueLayout.JAVA_INT, 12)));
        }
    }

    /** Writable shared mappings of BPF maps in the process ({@code /proc/PID/maps}). */
    private int writableMapMappings() {
        try {
            int n = 0;
            for (String l : Files.readAllLines(Path.of("/proc", Integer.toString(fds.pid()), "maps"))) {
                String[] f = l.split("\\s+");
                if (f.length >= 6 && f[1].startsWith("rw") && f[1].endsWith("s") && l.contains("anon_inode:bpf-map")) n++;
            }
            return n;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
