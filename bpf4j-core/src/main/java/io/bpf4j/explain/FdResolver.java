package io.bpf4j.explain;

import io.bpf4j.BpfException;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.Fd;
import io.bpf4j.FdInfo;
import io.bpf4j.LinkInfo;
import io.bpf4j.MapInfo;
import io.bpf4j.ProgInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntFunction;

/**
 * Finds what an fd of a process names: {@code /proc/PID/fd/N} says the kind, its fdinfo the
 * type, owner, frozen state and access mode, and a duplicate of the fd in this process gives the
 * object's info (names, BTF ids). Works for this process (duplicate with dup) and for a traced one
 * (duplicate with pidfd_getfd); without a duplicate, fdinfo alone still names the object.
 */
public final class FdResolver {
    /** Load-time attributes the kernel exports nowhere, from the object's own BPF_PROG_LOAD where one was seen. */
    public interface Registry {
        /** {expected_attach_type, prog_flags} of the program with this id, or null. */
        int[] progLoad(int progId);

        Registry NONE = id -> null;
    }

    private final int pid;
    private final IntFunction<Fd> duplicate;
    private final Registry registry;

    /**
     * @param duplicate returns an owned duplicate of the process's fd in this process, or null when
     *                  it cannot (the resolver then uses fdinfo alone)
     */
    public FdResolver(int pid, IntFunction<Fd> duplicate, Registry registry) {
        this.pid = pid;
        this.duplicate = duplicate;
        this.registry = registry;
    }

    public int pid() {
        return pid;
    }

    /** An owned duplicate of the process's fd, or null. */
    public Fd duplicate(int fd) {
        try {
            return duplicate.apply(fd);
        } catch (RuntimeException e) {
            return null;
        }
    }

    public ObjectSnapshot resolve(int fd) {
        if (fd < 0) return new ObjectSnapshot.NotOpen(fd);
        Path link = Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(fd));
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException e) {
            return new ObjectSnapshot.NotOpen(fd);
        } catch (IOException e) {
            return new ObjectSnapshot.OtherFile(fd, "?", "");
        }
        FdInfo info;
        try {
            info = FdInfo.of(pid, fd);
        } catch (BpfException e) {
            return new ObjectSnapshot.NotOpen(fd); // closed between the two reads
        }
        int access = (int) (octal(info.get("flags")) & 3);
        return switch (target) {
            case "anon_inode:bpf-map" -> map(fd, info, access);
            case "anon_inode:bpf-prog" -> prog(fd, info);
            case "anon_inode:bpf_link" -> link(fd, info);
            case "anon_inode:btf" -> new ObjectSnapshot.BtfObject(fd, (int) info.number("btf_id").orElse(0));
            default -> new ObjectSnapshot.OtherFile(fd, target, fsType(link));
        };
    }

    static long octal(String s) {
        if (s == null) return -1;
        try {
            return Long.parseLong(s.trim(), 8);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int num(FdInfo i, String key, int dflt) {
        return (int) i.number(key).orElse(dflt);
    }

    private ObjectSnapshot map(int fd, FdInfo info, int access) {
        String name = "";
        int btfId = 0;
        try (Fd d = duplicate(fd)) {
            if (d != null) {
                try (BpfMap m = BpfMap.fromFd(d)) {
                    MapInfo mi = m.info();
                    name = mi.name();
                    btfId = mi.btfId();
                }
            }
        } catch (BpfException e) {
            // fdinfo below still names the map
        }
        OptionalInt owner = info.ownerProgType();
        return new ObjectSnapshot.MapObject(fd, num(info, "map_id", 0), num(info, "map_type", 0), name, num(info, "key_size", 0),
                num(info, "value_size", 0), num(info, "max_entries", 0), num(info, "map_flags", 0), owner.orElse(-1),
                info.ownerJited(), info.frozen(), access, btfId);
    }

    private ObjectSnapshot prog(int fd, FdInfo info) {
        int id = num(info, "prog_id", 0);
        String name = "", tag = info.get("prog_tag") == null ? "" : info.get("prog_tag");
        boolean gpl = false;
        int btfId = 0, attachBtfId = 0;
        List<Integer> maps = new ArrayList<>();
        try (Fd d = duplicate(fd)) {
            if (d != null) {
                ProgInfo pi = BpfProgram.infoOf(d);
                name = pi.name();
                gpl = pi.gplCompatible();
                btfId = pi.btfId();
                attachBtfId = pi.attachBtfId();
                for (int m : pi.mapIds()) maps.add(m);
            }
        } catch (BpfException e) {
            // fdinfo alone
        }
        int[] load = registry.progLoad(id);
        return new ObjectSnapshot.ProgObject(fd, id, num(info, "prog_type", 0), name, tag, num(info, "prog_jited", 0) != 0, gpl, btfId,
                attachBtfId, load != null ? load[0] : -1, load != null ? load[1] : -1, maps, List.of());
    }

    private ObjectSnapshot link(int fd, FdInfo info) {
        int id = num(info, "link_id", 0), progId = num(info, "prog_id", 0), type = -1;
        String target = "";
        try (Fd d = duplicate(fd)) {
            if (d != null) {
                try (BpfLink l = BpfLink.of(d)) {
                    LinkInfo li = l.info();
                    type = li.typeValue();
                    target = li.target();
                }
            }
        } catch (BpfException e) {
            // fdinfo alone
        }
        return new ObjectSnapshot.LinkObject(fd, id, type, progId, target);
    }

    /** The filesystem type of what the fd names ("cgroup2", "bpf"), or "". */
    static String fsType(Path procFdLink) {
        return Gatherer.fsType(procFdLink);
    }
}
