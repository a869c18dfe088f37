package io.bpf4j.asm;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the external tools (clang, bpftool, llvm-objdump) the real-bytes tests compare against. */
final class Tools {
    private Tools() {
    }

    /** Skips the calling test, naming the tool, when it is not on PATH. */
    static void assumeTool(String tool) {
        Assumptions.assumeTrue(onPath(tool), "tool '" + tool + "' is not installed (not on PATH)");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(":"))
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** Runs a command and returns its standard output; fails with its stderr when it exits non-zero. */
    static String run(String... cmd) {
        try {
            Path err = Files.createTempFile("bpf4j-tool", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out: " + String.join(" ", cmd));
                }
                if (p.exitValue() != 0)
                    throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": "
                            + Files.readString(err) + new String(out, StandardCharsets.UTF_8));
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Copies the test C sources (and their header) from the classpath into dir. */
    static Path source(Path dir, String name) {
        for (String f : List.of("bpf4j_test.h", name + ".c")) {
            try (InputStream in = Tools.class.getResourceAsStream("/asm/" + f)) {
                if (in == null) throw new AssertionError("missing test resource asm/" + f);
                Files.write(dir.resolve(f), in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir.resolve(name + ".c");
    }

    /** Compiles a test program to an object file with the given clang and -mcpu. */
    static Path compile(String clang, Path dir, String name, String cpu) {
        Path src = source(dir, name);
        Path obj = dir.resolve(name + "-" + cpu + ".o");
        run(clang, "-target", "bpf", "-O2", "-g", "-mcpu=" + cpu, "-c", src.toString(), "-o", obj.toString());
        return obj;
    }

    /** One instruction line of {@code llvm-objdump -d}: slot index, raw bytes, LLVM's text. */
    record ObjdumpLine(int slot, byte[] bytes, String text) {
    }

    /** The instruction lines of each section of {@code llvm-objdump -d}, by section name. */
    static java.util.Map<String, List<ObjdumpLine>> objdump(String objdump, Path obj, String cpu) {
        java.util.Map<String, List<ObjdumpLine>> sections = new java.util.LinkedHashMap<>();
        List<ObjdumpLine> current = null;
        var line = java.util.regex.Pattern.compile("^\\s*(\\d+):\\t((?:[0-9a-f]{2} ?)+)\\t?(.*)$");
        for (String l : run(objdump, "--mcpu=" + cpu, "--mattr=+alu32", "-d", obj.toString()).split("\n")) {
            if (l.startsWith("Disassembly of section ")) {
                String name = l.substring("Disassembly of section ".length(), l.length() - 1);
                current = sections.computeIfAbsent(name, k -> new ArrayList<>());
                continue;
            }
            var m = line.matcher(l);
            if (current == null || !m.matches()) continue;
            String[] hex = m.group(2).trim().split(" ");
            byte[] b = new byte[hex.length];
            for (int i = 0; i < hex.length; i++) b[i] = (byte) Integer.parseInt(hex[i], 16);
            current.add(new ObjdumpLine(Integer.parseInt(m.group(1)), b, m.group(3).trim()));
        }
        return sections;
    }

    /** The section's bytes, concatenated from objdump's raw columns. */
    static byte[] bytes(List<ObjdumpLine> lines) {
        int n = lines.stream().mapToInt(l -> l.bytes().length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (ObjdumpLine l : lines) {
            System.arraycopy(l.bytes(), 0, out, at, l.bytes().length);
            at += l.bytes().length;
        }
        return Arrays.copyOf(out, at);
    }
}
