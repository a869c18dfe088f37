package io.bpf4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU sets from sysfs ("0-3,5"), needed to size per-CPU values and perf buffers. */
public final class Cpus {
    private Cpus() {}

    private static volatile int possible = -1;

    /** Number of possible CPUs: the highest id in /sys/devices/system/cpu/possible plus one. */
    public static int possible() {
        int p = possible;
        if (p < 0) possible = p = count(read("/sys/devices/system/cpu/possible"));
        return p;
    }

    /** Ids of online CPUs. */
    public static int[] online() {
        return ids(read("/sys/devices/system/cpu/online"));
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            throw new BpfException("read " + path + ": " + e.getMessage());
        }
    }

    /** Highest id + 1 of a cpulist. */
    static int count(String list) {
        int[] ids = ids(list);
        return ids.length == 0 ? 1 : ids[ids.length - 1] + 1;
    }

    static int[] ids(String list) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (String part : list.split(",")) {
            part = part.trim();
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            try {
                int lo = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(part.substring(dash + 1));
                for (int i = lo; i <= hi; i++) out.add(i);
            } catch (NumberFormatException e) {
                throw new BpfFormatException("bad cpu list: " + list);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
