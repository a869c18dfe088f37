package io.bpf4j.internal.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running kernel's release ({@code uname -r}). Used only for hints and for naming a
 * kernel in reports: features are probed, never inferred from this number.
 */
public record KernelRelease(String release, int major, int minor, int patch) implements Comparable<KernelRelease> {
    private static volatile KernelRelease running;

    public static KernelRelease running() {
        KernelRelease r = running;
        if (r == null) {
            try {
                running = r = parse(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
            } catch (IOException e) {
                running = r = new KernelRelease("unknown", 0, 0, 0);
            }
        }
        return r;
    }

    /** Parses "6.1.0-56-amd64", "5.10.223", "7.3.4+deb13-amd64". */
    public static KernelRelease parse(String s) {
        int[] v = new int[3];
        int part = 0, i = 0;
        while (i < s.length() && part < 3) {
            char c = s.charAt(i);
            if (Character.isDigit(c)) v[part] = v[part] * 10 + (c - '0');
            else if (c == '.') part++;
            else break;
            i++;
        }
        return new KernelRelease(s, v[0], v[1], v[2]);
    }

    public boolean atLeast(int maj, int min) {
        return major > maj || (major == maj && minor >= min);
    }

    @Override
    public int compareTo(KernelRelease o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return release;
    }
}
