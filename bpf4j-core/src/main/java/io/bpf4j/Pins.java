package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** BPF_OBJ_PIN / BPF_OBJ_GET on bpffs paths. */
final class Pins {
    private Pins() {}

    static void pin(Fd fd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment a = Bpf.attr(Layouts.Obj.LAYOUT.byteSize());
            a.set(JAVA_LONG, Layouts.Obj.PATHNAME, p.address());
            a.set(JAVA_INT, Layouts.Obj.BPF_FD, fd.raw());
            Calls.check(BpfCommand.OBJ_PIN, a, "pin " + path);
        }
    }

    /**
     * What a BPF fd refers to, from its /proc/self/fd link ("anon_inode:bpf-map"): "map",
     * "program", "link", "BTF object", or "object" for anything else.
     */
    static String kind(Fd fd) {
        String target;
        try {
            target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd.raw())).toString();
        } catch (java.io.IOException e) {
            return "object";
        }
        return switch (target) {
            case "anon_inode:bpf-map" -> "map";
            case "anon_inode:bpf-prog" -> "program";
            case "anon_inode:bpf_link", "anon_inode:bpf-link" -> "link";
            case "anon_inode:btf" -> "BTF object";
            default -> "object";
        };
    }

    static Fd get(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment a = Bpf.attr(Layouts.Obj.LAYOUT.byteSize());
            a.set(JAVA_LONG, Layouts.Obj.PATHNAME, p.address());
            return Calls.fd(BpfCommand.OBJ_GET, a, "open pinned " + path);
        }
    }
}
