package io.bpf4j.tools.graph;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names for the numbers link info gives: network devices by ifindex (this process's network
 * namespace, {@code /sys/class/net}), cgroups by id (a cgroup v2 id is its directory's inode
 * number), netfilter families and hooks. Each lookup is done at most once per build.
 */
final class AttachNames {
    private Map<Integer, String> devices;
    private Map<Long, String> cgroups;

    /** The device with this ifindex in our network namespace, if there is one. */
    Optional<String> device(int ifindex) {
        if (devices == null) {
            devices = new HashMap<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/class/net"))) {
                for (Path p : ds) {
                    try {
                        devices.put(Integer.parseInt(Files.readString(p.resolve("ifindex")).strip()), p.getFileName().toString());
                    } catch (IOException | NumberFormatException e) {
                        // a device that went away, or no ifindex file
                    }
                }
            } catch (IOException e) {
                // no sysfs: numbers only
            }
        }
        return Optional.ofNullable(devices.get(ifindex));
    }

    /**
     * The path of the cgroup v2 directory whose inode number is {@code id}, under the cgroup2
     * mounts in {@code /proc/self/mountinfo}; empty where none is mounted (cgroup v1 hosts).
     */
    Optional<String> cgroup(long id) {
        if (cgroups == null) {
            cgroups = new HashMap<>();
            for (Path root : cgroup2Mounts()) walk(root);
        }
        return Optional.ofNullable(cgroups.get(id));
    }

    private void walk(Path root) {
        try {
            Files.walkFileTree(root, java.util.Set.of(), 32, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (attrs.fileKey() instanceof Object k) {
                        Long ino = inode(k);
                        if (ino != null) cgroups.putIfAbsent(ino, dir.toString());
                    }
                    return cgroups.size() > 100_000 ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // unreadable: ids only
        }
    }

    /** The inode in a UnixFileKey's text, {@code (dev=...,ino=1234)}. */
    static Long inode(Object fileKey) {
        String s = fileKey.toString();
        int i = s.indexOf("ino=");
        if (i < 0) return null;
        int j = i + 4;
        while (j < s.length() && Character.isDigit(s.charAt(j))) j++;
        try {
            return Long.parseLong(s.substring(i + 4, j));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static List<Path> cgroup2Mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" "))
                    .filter(f -> {
                        int dash = List.of(f).indexOf("-");
                        return dash > 0 && dash + 1 < f.length && f[dash + 1].equals("cgroup2");
                    })
                    .map(f -> Path.of(f[4])).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The inode of this process's network namespace ({@code net:[4026531840]}), or 0. */
    static long ownNetns() {
        try {
            String l = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            return Long.parseLong(l.substring(l.indexOf('[') + 1, l.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** NFPROTO_* (include/uapi/linux/netfilter.h). */
    static String netfilterFamily(int pf) {
        return switch (pf) {
            case 1 -> "inet";
            case 2 -> "ipv4";
            case 3 -> "arp";
            case 5 -> "netdev";
            case 7 -> "bridge";
            case 10 -> "ipv6";
            default -> "pf " + pf;
        };
    }

    /** NF_INET_* hooks (the ones BPF netfilter links attach to). */
    static String netfilterHook(int hook) {
        return switch (hook) {
            case 0 -> "PRE_ROUTING";
            case 1 -> "LOCAL_IN";
            case 2 -> "FORWARD";
            case 3 -> "LOCAL_OUT";
            case 4 -> "POST_ROUTING";
            default -> "hook " + hook;
        };
    }
}
