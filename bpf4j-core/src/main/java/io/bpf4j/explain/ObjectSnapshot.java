package io.bpf4j.explain;

import io.bpf4j.AttachType;
import io.bpf4j.LinkType;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;

/**
 * What an fd of the calling process named at the moment of a failed call: a BPF object with
 * what the kernel shows about it (object info and fdinfo), another file, or nothing.
 */
public sealed interface ObjectSnapshot {
    /** The fd number in the process that made the call. */
    int fd();

    /** One line for people: {@code map 12 "progs" BPF_MAP_TYPE_PROG_ARRAY}. */
    String describe();

    /** O_ACCMODE values of an fd's file flags. */
    int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;

    /**
     * A map.
     *
     * @param ownerProgType the prog array's owner type from fdinfo, -1 while unowned (or not an fd array)
     * @param ownerJited    fdinfo's owner_jited, null while unowned
     * @param accessMode    the fd's O_ACCMODE (from fdinfo {@code flags:}), -1 if unknown
     */
    record MapObject(int fd, int id, int type, String name, int keySize, int valueSize, int maxEntries, int flags,
                     int ownerProgType, Boolean ownerJited, boolean frozen, int accessMode, int btfId) implements ObjectSnapshot {
        public String typeName() {
            return MapType.nameOf(type);
        }

        public boolean isType(MapType t) {
            return type == t.value();
        }

        public boolean owned() {
            return ownerProgType >= 0;
        }

        @Override
        public String describe() {
            return "map " + id + (name.isEmpty() ? "" : " " + BpfCall.quote(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))) + " " + typeName()
                    + " key " + keySize + " value " + valueSize + " max_entries " + maxEntries
                    + (flags != 0 ? " flags " + Flags.map(flags) : "")
                    + (owned() ? " owner " + ProgType.nameOf(ownerProgType) + (ownerJited != null && !ownerJited ? " (not JITed)" : "") : "")
                    + (frozen ? " frozen" : "") + (accessMode == O_RDONLY ? " fd read-only" : accessMode == O_WRONLY ? " fd write-only" : "");
        }
    }

    /**
     * A program.
     *
     * @param expectedAttachType from the program's own BPF_PROG_LOAD where explain saw it (the
     *                           kernel exports it nowhere), else -1
     * @param progFlags          likewise, the load's prog_flags, or -1
     * @param extendedBy         ids of freplace links that currently extend this program (-1 unknown: empty)
     */
    record ProgObject(int fd, int id, int type, String name, String tag, boolean jited, boolean gplCompatible, int btfId,
                      int attachBtfId, int expectedAttachType, int progFlags, java.util.List<Integer> mapIds,
                      java.util.List<Integer> extendedBy) implements ObjectSnapshot {
        public ProgObject {
            mapIds = java.util.List.copyOf(mapIds);
            extendedBy = java.util.List.copyOf(extendedBy);
        }

        public String typeName() {
            return ProgType.nameOf(type);
        }

        public boolean isType(ProgType t) {
            return type == t.value();
        }

        @Override
        public String describe() {
            return "prog " + id + (name.isEmpty() ? "" : " " + BpfCall.quote(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))) + " " + typeName()
                    + (expectedAttachType >= 0 ? " expected_attach_type " + AttachType.nameOf(expectedAttachType) : "")
                    + (jited ? "" : " (not JITed)");
        }
    }

    /** A link. */
    record LinkObject(int fd, int id, int type, int progId, String target) implements ObjectSnapshot {
        @Override
        public String describe() {
            return "link " + id + " " + LinkType.nameOf(type) + " prog " + progId + (target.isEmpty() ? "" : " " + target);
        }
    }

    /** A BTF object. */
    record BtfObject(int fd, int id) implements ObjectSnapshot {
        @Override
        public String describe() {
            return "btf " + id;
        }
    }

    /**
     * A file that is not a BPF object: {@code path} is what {@code /proc/PID/fd/N} links to
     * ({@code /dev/null}, {@code anon_inode:[eventfd]}, a cgroup directory).
     *
     * @param fsType the filesystem type of the file ("cgroup2", "bpf", "tmpfs"), "" if unknown
     */
    record OtherFile(int fd, String path, String fsType) implements ObjectSnapshot {
        public static final String CGROUP2 = "cgroup2", BPF_FS = "bpf";

        @Override
        public String describe() {
            return "not a BPF object: " + path;
        }
    }

    /** The fd was not open in the process at the moment of the call. */
    record NotOpen(int fd) implements ObjectSnapshot {
        @Override
        public String describe() {
            return "not open";
        }
    }
}
