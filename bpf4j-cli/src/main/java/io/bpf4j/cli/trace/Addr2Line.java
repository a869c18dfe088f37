package io.bpf4j.cli.trace;

import io.bpf4j.BpfException;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.tools.trace.SessionFormat;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * file:line for kernel addresses through one binutils addr2line process per run on a vmlinux with
 * DWARF, as retsnoop uses a sidecar. Addresses are moved back by the KASLR slide (running
 * {@code _stext} minus the file's, read from its symbol table); paths are shown relative to the kernel
 * tree, as retsnoop shows them. Without the tools the stack is printed without lines.
 */
final class Addr2Line implements SessionFormat.InlineSource, AutoCloseable {
    /** What DWARF says about one address: the outermost file:line and the inlined functions, outermost first. */
    record Source(String fileLine, List<SessionFormat.Inlined> inlined) {}

    private static final Source NONE = new Source(null, List.of());
    /** Sent after each address: its echo marks the end of the answer (an answer has one or more lines). */
    private static final long SENTINEL = 0;

    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final long slide;
    private final Map<Long, Source> cache = new HashMap<>();
    private boolean broken;
    private final Path vmlinux;
    private Thread warmup;

    Addr2Line(Path vmlinux, long slide) throws IOException {
        this.slide = slide;
        this.vmlinux = vmlinux;
        // -a echoes each address, -f names the function, -i lists the inlined ones (innermost first).
        // stderr discarded: a warning line there must never be read as an answer.
        this.process = new ProcessBuilder("addr2line", "-a", "-f", "-i", "-e", vmlinux.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * file:line for the stacks of this run, or null (with a note) when addr2line is missing.
     * The DWARF is loaded in the background right away: on an 800 MB vmlinux read over the lab's
     * 9p that takes seconds, which then overlap attaching. addr2line reads a compilation unit's
     * lines when first asked about it, so the warm-up also asks about the traced functions
     * (at most 64): the units of the calls a session shows. {@link #awaitLoaded} waits for it.
     */
    static Addr2Line open(Path vmlinux, PrintStream err, long... functions) {
        try {
            long fileStext = stext(vmlinux), slide = Vmlinux.slide(fileStext);
            Addr2Line a = new Addr2Line(vmlinux, slide);
            a.warmup = Thread.ofPlatform().daemon().name("bpf4j-addr2line-warmup").start(() -> {
                a.lookup(fileStext + slide + 1);
                for (int i = 0; i < Math.min(64, functions.length); i++) a.lookup(functions[i] + 1);
            });
            return a;
        } catch (IOException e) {
            err.println("Note: no file:line (" + e.getMessage() + "; install binutils).");
            return null;
        }
    }

    /** The vmlinux whose DWARF this reads. */
    Path vmlinux() {
        return vmlinux;
    }

    /**
     * Waits up to {@code millis} for the warm-up's answers ({@code _stext}, then the traced
     * functions), which come once addr2line has loaded their units; true when all have come (or
     * addr2line failed: lookups then answer nothing).
     */
    boolean awaitLoaded(long millis) throws InterruptedException {
        return warmup == null || warmup.join(java.time.Duration.ofMillis(millis));
    }

    /** True when {@code addr} has been looked up (its answer, or that there is none, is kept). */
    synchronized boolean cached(long addr) {
        return cache.containsKey(addr);
    }

    /** The {@code file:line} of the call before return address {@code addr}, in the frame's own function; null when DWARF has none. */
    @Override
    public String apply(long addr) {
        return lookup(addr).fileLine();
    }

    @Override
    public List<SessionFormat.Inlined> inlined(long addr) {
        return lookup(addr).inlined();
    }

    synchronized Source lookup(long addr) {
        Source s = cache.get(addr);
        if (s != null) return s;
        s = NONE;
        if (!broken) {
            try {
                s = ask(addr - slide - 1); // a return address points after the call: look up the call
            } catch (IOException | RuntimeException e) {
                broken = true;
            }
        }
        cache.put(addr, s);
        return s;
    }

    /** One question, one process: addr2line flushes after each address read from a pipe. */
    private Source ask(long fileAddr) throws IOException {
        in.write("0x" + Long.toHexString(fileAddr) + "\n0x" + Long.toHexString(SENTINEL) + "\n");
        in.flush();
        // Skip what is left of the previous question's sentinel answer, up to our address's echo.
        for (String l; ; ) {
            l = out.readLine();
            if (l == null) throw new IOException("addr2line exited");
            if (echo(l) == fileAddr) break;
        }
        List<String[]> pairs = new ArrayList<>(); // {function, file:line}, innermost first
        for (String l; ; ) {
            l = out.readLine();
            if (l == null) throw new IOException("addr2line exited");
            if (echo(l) == SENTINEL) break;
            String loc = out.readLine();
            if (loc == null) throw new IOException("addr2line exited");
            pairs.add(new String[] {l, loc});
        }
        if (pairs.isEmpty()) return NONE;
        String own = fileLine(pairs.getLast()[1]);
        List<SessionFormat.Inlined> inl = new ArrayList<>();
        for (int i = pairs.size() - 2; i >= 0; i--) {
            String f = pairs.get(i)[0];
            if (!f.equals("??")) inl.add(new SessionFormat.Inlined(f, fileLine(pairs.get(i)[1])));
        }
        return new Source(own, List.copyOf(inl));
    }

    /** The address an {@code -a} echo line names, or -1 for any other line (a function name or a location). */
    static long echo(String line) {
        if (!line.startsWith("0x")) return -1;
        try {
            return Long.parseUnsignedLong(line.substring(2).strip(), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code path:line (discriminator N)} to {@code tree-relative-path:line}; null for {@code ??:0} or {@code ??:?}. */
    static String fileLine(String line) {
        String l = line.strip();
        int sp = l.indexOf(' ');
        if (sp > 0) l = l.substring(0, sp);
        int colon = l.lastIndexOf(':');
        if (colon <= 0 || l.startsWith("??")) return null;
        String lineNo = l.substring(colon + 1);
        if (lineNo.equals("?") || lineNo.equals("0")) return null;
        return treeRelative(l.substring(0, colon)) + ":" + lineNo;
    }

    /** The top-level directories of a kernel source tree (not usr/ or tools/: build prefixes contain those words). */
    static final Set<String> TREE = Set.of("arch", "block", "certs", "crypto", "drivers", "fs", "include", "init", "io_uring",
            "ipc", "kernel", "lib", "mm", "net", "rust", "samples", "security", "sound", "virt");

    /**
     * Debian's DWARF names C files by the build directory ({@code debian/build/build_amd64_none_amd64/kernel/bpf/syscall.c})
     * and assembly by the source path ({@code /build/reproducible-path/linux-5.10.223/arch/x86/entry/entry_64.S}):
     * both are shown from the kernel tree's top-level directory on.
     */
    static String treeRelative(String path) {
        List<String> parts = List.of(path.split("/"));
        for (int i = 0; i < parts.size() - 1; i++) {
            if (TREE.contains(parts.get(i))) return String.join("/", parts.subList(i, parts.size()));
        }
        return path;
    }

    /**
     * {@code _stext} from the file's symbol table, read in Java: only .symtab and .strtab (5 MB of
     * an 800 MB vmlinux, {@link ElfFile#symbol(String)}). {@code nm} reads far more; over the lab's 9p it took 43 s cold on 5.10.
     */
    static long stext(Path vmlinux) throws IOException {
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            return Vmlinux.stext(elf, vmlinux);
        } catch (BpfException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
