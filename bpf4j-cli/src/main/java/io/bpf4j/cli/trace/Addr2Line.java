package io.bpf4j.cli.trace;

import io.bpf4j.BpfException;
import io.bpf4j.kernel.Kallsyms;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * file:line for kernel addresses through binutils' addr2line on a vmlinux with DWARF, as
 * retsnoop uses a sidecar. Addresses are moved back by the KASLR slide (running {@code _stext}
 * minus the file's, read with {@code nm}). Without the tools the stack is printed without lines.
 */
final class Addr2Line {
    private Addr2Line() {}

    static LongFunction<String> open(Path vmlinux, PrintStream err) {
        if (!Files.isReadable(vmlinux)) throw new BpfException("-k " + vmlinux + ": not readable");
        try {
            long fileStext = stext(vmlinux);
            long running = Kallsyms.load().first("_stext").map(Kallsyms.Symbol::address).orElse(fileStext);
            long slide = running - fileStext;
            Process p = new ProcessBuilder("addr2line", "-e", vmlinux.toString()).redirectErrorStream(true).start();
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Map<Long, String> cache = new HashMap<>();
            return addr -> cache.computeIfAbsent(addr, a -> {
                try {
                    // A return address points after the call: look up the call instruction.
                    w.write("0x" + Long.toHexString(a - slide - 1) + "\n");
                    w.flush();
                    String l = r.readLine();
                    if (l == null || l.startsWith("??")) return null;
                    int sp = l.indexOf(' ');
                    return sp > 0 ? l.substring(0, sp) : l;
                } catch (IOException e) {
                    return null;
                }
            });
        } catch (IOException e) {
            err.println("Note: no file:line (" + e.getMessage() + "; install binutils).");
            return null;
        }
    }

    private static long stext(Path vmlinux) throws IOException {
        Process p = new ProcessBuilder("nm", vmlinux.toString()).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; )
                if (l.endsWith(" _stext")) return Long.parseUnsignedLong(l.substring(0, l.indexOf(' ')), 16);
        }
        throw new IOException("no _stext symbol in " + vmlinux);
    }
}
