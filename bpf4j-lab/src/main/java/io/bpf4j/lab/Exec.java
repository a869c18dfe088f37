package io.bpf4j.lab;

import io.bpf4j.BpfException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs the host tools the lab relies on (apt-get, dpkg-deb, depmod, xz) with errors that say which and why. */
final class Exec {
    private Exec() {}

    /**
     * Runs {@code cmd} and returns its stdout. Its stderr is copied to {@code log} when given (so
     * apt's "Get:1 ..." lines show), and its tail is the hint when the command fails.
     */
    static byte[] run(List<String> cmd, Path cwd, PrintStream log) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (cwd != null) pb.directory(cwd.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BpfException("run " + cmd.getFirst(), 0, "cannot start it (" + e.getMessage() + "); is it installed?");
        }
        try {
            p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t = Thread.ofPlatform().daemon().start(() -> copy(p.getErrorStream(), err, log));
            byte[] out;
            try {
                out = p.getInputStream().readAllBytes();
                int rc = p.waitFor();
                t.join();
                if (rc != 0) {
                    throw new BpfException("run " + String.join(" ", cmd.subList(0, Math.min(2, cmd.size()))), 0,
                            "exit code " + rc + ": " + tail(err.toString(StandardCharsets.UTF_8), 3));
                }
            } finally {
                if (p.isAlive()) p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("run " + cmd.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new BpfException("run " + cmd.getFirst(), 0, "interrupted");
        }
    }

    /** Runs {@code cmd} with its stdout and stderr copied to {@code log} as they come (apt's "Get:1 ..." lines). */
    static void runEcho(List<String> cmd, PrintStream log) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new BpfException("run " + cmd.getFirst(), 0, "cannot start it (" + e.getMessage() + "); is it installed?");
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            p.getOutputStream().close();
            copy(p.getInputStream(), all, log);
            int rc = p.waitFor();
            if (rc != 0) {
                throw new BpfException("run " + String.join(" ", cmd.subList(0, Math.min(2, cmd.size()))), 0,
                        "exit code " + rc + ": " + tail(all.toString(StandardCharsets.UTF_8), 3));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("run " + cmd.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BpfException("run " + cmd.getFirst(), 0, "interrupted");
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
    }

    static String runText(List<String> cmd, Path cwd, PrintStream log) {
        return new String(run(cmd, cwd, log), StandardCharsets.UTF_8);
    }

    private static void copy(InputStream in, ByteArrayOutputStream keep, PrintStream log) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                keep.write(buf, 0, n);
                if (log != null) {
                    log.write(buf, 0, n);
                    log.flush();
                }
            }
        } catch (IOException ignored) {
            // The process died; its exit code says what happened.
        }
    }

    /** The last {@code n} non-blank lines of {@code s}, joined with " | ". */
    static String tail(String s, int n) {
        List<String> lines = s.lines().filter(l -> !l.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size())).strip();
    }
}
