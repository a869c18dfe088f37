package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A BTF object in the kernel: loaded by us (BPF_BTF_LOAD) for a program's or map's types, or
 * opened by id (vmlinux, modules, other programs' BTF). Parse its bytes with the btf package.
 */
public final class BtfHandle implements AutoCloseable {
    private final Fd fd;

    private BtfHandle(Fd fd) {
        this.fd = fd;
    }

    /** Loads raw BTF bytes into the kernel. A rejection carries the kernel's BTF log. */
    public static BtfHandle load(byte[] raw) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, raw.length), 8);
            MemorySegment.copy(raw, 0, data, ValueLayout.JAVA_BYTE, 0, raw.length);
            for (int attempt = 0; ; attempt++) {
                MemorySegment a = Bpf.attr(Layouts.BtfLoad.LOG_TRUE_SIZE);
                a.set(JAVA_LONG, Layouts.BtfLoad.BTF, data.address());
                a.set(JAVA_INT, Layouts.BtfLoad.SIZE, raw.length);
                long r = Calls.call(BpfCommand.BTF_LOAD, a);
                if (r >= 0) return new BtfHandle(Fd.adopt((int) r, "load BTF"));
                int errno = (int) -r;
                if (Memlock.raiseAfter(errno)) continue;
                throw new BpfException("load BTF", errno, btfLog(data, raw.length, arena));
            }
        }
    }

    /** Loads again with a log to explain a rejection; returns its last line. */
    private static String btfLog(MemorySegment data, int len, Arena arena) {
        MemorySegment log = arena.allocate(1 << 16);
        MemorySegment a = Bpf.attr(Layouts.BtfLoad.LOG_TRUE_SIZE);
        a.set(JAVA_LONG, Layouts.BtfLoad.BTF, data.address());
        a.set(JAVA_INT, Layouts.BtfLoad.SIZE, len);
        a.set(JAVA_LONG, Layouts.BtfLoad.LOG_BUF, log.address());
        a.set(JAVA_INT, Layouts.BtfLoad.LOG_SIZE, (int) log.byteSize());
        a.set(JAVA_INT, Layouts.BtfLoad.LOG_LEVEL, 1);
        long r = Calls.call(BpfCommand.BTF_LOAD, a);
        if (r >= 0) {
            io.bpf4j.internal.sys.Syscalls.close((int) r);
            return null;
        }
        String text = log.getString(0).strip();
        int nl = text.lastIndexOf('\n');
        return text.isEmpty() ? null : "kernel BTF log: " + (nl < 0 ? text : text.substring(nl + 1));
    }

    public static BtfHandle fromId(int id) {
        return new BtfHandle(ObjectIds.open(ObjectIds.Kind.BTF, id));
    }

    public Fd fd() {
        return fd;
    }

    /** Id, name (e.g. "vmlinux" or a module) and whether it is kernel BTF. */
    public record Info(int id, String name, boolean kernel, int size) {}

    /**
     * Id and size, plus name and kernel flag where the kernel has them (5.11+).
     * Before that the name fields are unknown to the kernel, which rejects them with E2BIG;
     * then the name is "" and kernel is true only for id 1 (vmlinux is always loaded first).
     */
    public Info info() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(64);
            MemorySegment s;
            try {
                s = ObjectIds.info(fd, Layouts.BtfInfo.LAYOUT.byteSize(), arena, i -> {
                    i.set(JAVA_LONG, Layouts.BtfInfo.NAME, name.address());
                    i.set(JAVA_INT, Layouts.BtfInfo.NAME_LEN, (int) name.byteSize());
                });
            } catch (BpfException e) {
                if (e.errno() != Errno.E2BIG) throw e;
                MemorySegment old = ObjectIds.info(fd, Layouts.BtfInfo.NAME, arena, null);
                int id = old.get(JAVA_INT, Layouts.BtfInfo.ID);
                return new Info(id, id == 1 ? "vmlinux" : "", id == 1, old.get(JAVA_INT, Layouts.BtfInfo.BTF_SIZE));
            }
            return new Info(s.get(JAVA_INT, Layouts.BtfInfo.ID), name.getString(0),
                    s.get(JAVA_INT, Layouts.BtfInfo.KERNEL_BTF) != 0, s.get(JAVA_INT, Layouts.BtfInfo.BTF_SIZE));
        }
    }

    /** The raw BTF bytes as the kernel holds them (for split BTF: only this object's part). */
    public byte[] bytes() {
        try (Arena arena = Arena.ofConfined()) {
            // Not info(): its name fields are 5.11+, and 5.10 refuses them with E2BIG.
            int size = ObjectIds.info(fd, Layouts.BtfInfo.LAYOUT.byteSize(), arena, null).get(JAVA_INT, Layouts.BtfInfo.BTF_SIZE);
            MemorySegment buf = arena.allocate(Math.max(1, size), 8);
            MemorySegment s = ObjectIds.info(fd, Layouts.BtfInfo.LAYOUT.byteSize(), arena, i -> {
                i.set(JAVA_LONG, Layouts.BtfInfo.BTF, buf.address());
                i.set(JAVA_INT, Layouts.BtfInfo.BTF_SIZE, size);
            });
            int got = s.get(JAVA_INT, Layouts.BtfInfo.BTF_SIZE);
            if (got > size) throw new BpfException("read BTF", Errno.ENOSPC, "BTF grew while reading");
            return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
