package io.bpf4j.cli.trace;

import io.bpf4j.BpfException;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfNote;
import io.bpf4j.kernel.Kallsyms;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which vmlinux with DWARF gives {@code bpf4j trace} its file:line: the one given with
 * {@code -k}, else {@code $BPF4J_VMLINUX} (what {@code bpf4j vm run} sets in the kernel lab),
 * else the first of retsnoop's default places that exists, else the kernel lab's cache entry
 * for the running release. A vmlinux whose build id is not the running kernel's is never used.
 */
final class Vmlinux {
    /** The file's {@code _stext}: with the running kernel's, it gives the KASLR slide. */
    static long stext(ElfFile elf, Path vmlinux) {
        return elf.symbol("_stext").orElseThrow(() -> new BpfException("no _stext symbol in " + vmlinux + " (needed for the KASLR slide)")).value();
    }

    /**
     * How far KASLR moved the running kernel from a vmlinux whose {@code _stext} is {@code fileStext}:
     * a running address minus this is the file's. 0 when kallsyms has no {@code _stext}.
     */
    static long slide(long fileStext) {
        return Kallsyms.load().first("_stext").map(Kallsyms.Symbol::address).orElse(fileStext) - fileStext;
    }

    private Vmlinux() {}

    static final String ENV = "BPF4J_VMLINUX";

    /** retsnoop's search list (src/env.c), then the lab cache's {@code kernels/RELEASE/vmlinux-dbg}. */
    static List<Path> candidates(String release, Map<String, String> env, Path cacheRoot) {
        List<Path> c = new ArrayList<>();
        String given = env.get(ENV);
        if (given != null && !given.isBlank()) c.add(Path.of(given));
        for (String p : List.of("/boot/vmlinux-%s", "/lib/modules/%s/vmlinux-%<s", "/lib/modules/%s/build/vmlinux",
                "/usr/lib/modules/%s/kernel/vmlinux", "/usr/lib/debug/boot/vmlinux-%s", "/usr/lib/debug/boot/vmlinux-%s.debug",
                "/usr/lib/debug/lib/modules/%s/vmlinux")) {
            c.add(Path.of(p.formatted(release)));
        }
        if (cacheRoot != null) c.add(cacheRoot.resolve("kernels").resolve(release).resolve("vmlinux-dbg"));
        return c;
    }

    /**
     * The vmlinux to use, or empty (stack without file:line). {@code given} (-k) must be
     * readable; a found one that is not the running kernel's is skipped with a note.
     */
    static Optional<Path> find(Path given, PrintStream err) {
        Optional<String> running = runningBuildId();
        if (given != null) {
            if (!Files.isReadable(given) || Files.isDirectory(given)) throw new BpfException("-k " + given + ": not a readable file");
            String why = mismatch(given, running);
            if (why != null) {
                err.println("Warning: -k " + given + " " + why + "; no file:line.");
                return Optional.empty();
            }
            return Optional.of(given);
        }
        String release = release();
        for (Path p : candidates(release, System.getenv(), io.bpf4j.lab.KernelStore.defaultCacheRoot())) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) continue;
            String why = mismatch(p, running);
            if (why != null) {
                err.println("Note: skipping " + p + ": " + why + ".");
                continue;
            }
            err.println("Note: file:line from " + p + ".");
            return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Why {@code f} is not the running kernel's vmlinux, or null when it is (or the running id is unknown). */
    static String mismatch(Path f, Optional<String> running) {
        Optional<String> id;
        try (ElfFile elf = ElfFile.open(f)) {
            id = elf.buildId();
        } catch (RuntimeException e) {
            return "is not a vmlinux (" + e.getMessage() + ")";
        }
        if (running.isEmpty() || id.isEmpty()) return null;
        if (!running.get().equals(id.get())) return "is another kernel build (build id " + id.get() + ", running " + running.get() + ")";
        return null;
    }

    /**
     * The running kernel's GNU build id from {@code /sys/kernel/notes} (root, Linux 2.6.23+), to
     * tell a vmlinux of this build from one that gives file:line that look right and are wrong.
     */
    static Optional<String> runningBuildId() {
        try {
            return ElfFile.gnuBuildId(ElfNote.parse(Files.readAllBytes(Path.of("/sys/kernel/notes"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }
}
