package io.bpf4j.tools.check;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.Fd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The tests' own view of the kernel, independent of the code under test: bpf_attr laid out by
 * hand from the uapi header, and fdinfo read and parsed here rather than through FdInfo.
 */
final class RawBpf {
    private RawBpf() {}

    private static final Pattern OWNER = Pattern.compile("(?m)^owner_prog_type:\\s*(\\d+)$");

    /** BPF_MAP_UPDATE_ELEM(mapFd, &key, &progFd, BPF_ANY): 0 or the errno. */
    static int update(int mapFd, int key, int progFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(JAVA_INT), v = a.allocate(JAVA_INT);
            k.set(JAVA_INT, 0, key);
            v.set(JAVA_INT, 0, progFd);
            MemorySegment attr = a.allocate(32, 8); // struct { u32 map_fd; u64 key; u64 value; u64 flags; }
            attr.set(JAVA_INT, 0, mapFd);
            attr.set(JAVA_LONG, 8, k.address());
            attr.set(JAVA_LONG, 16, v.address());
            attr.set(JAVA_LONG, 24, 0);
            long r = Bpf.call(BpfCommand.MAP_UPDATE_ELEM.value(), attr);
            return r < 0 ? (int) -r : 0;
        }
    }

    /** A BPF_LINK_CREATE result: the link (null when refused) or the errno. */
    record Link(Fd fd, int errno) implements AutoCloseable {
        @Override
        public void close() {
            if (fd != null) fd.close();
        }
    }

    /** BPF_LINK_CREATE for an freplace program: prog_fd, target_fd, attach_type 0, flags 0, target_btf_id. */
    static Link freplace(int extFd, int targetFd, int btfId) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(32, 8);
            attr.set(JAVA_INT, 0, extFd);
            attr.set(JAVA_INT, 4, targetFd);
            attr.set(JAVA_INT, 16, btfId);
            long r = Bpf.call(BpfCommand.LINK_CREATE.value(), attr);
            return r < 0 ? new Link(null, (int) -r) : new Link(Fd.adopt((int) r, "test link"), 0);
        }
    }

    /** owner_prog_type from /proc/self/fdinfo/FD; empty while no program owns the map. */
    static OptionalInt owner(int mapFd) {
        try {
            Matcher m = OWNER.matcher(Files.readString(Path.of("/proc/self/fdinfo/" + mapFd)));
            return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
