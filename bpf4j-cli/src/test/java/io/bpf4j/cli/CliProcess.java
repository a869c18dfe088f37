package io.bpf4j.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The bpf4j command in a JVM of its own, on this test's class path, as a user runs it: with its
 * own Map.of/HashSet order, its own signals, and (with {@link #asNobody}) as user 65534 with
 * only the capabilities given.
 */
public record CliProcess(int exit, String out, String err) {
    /** The java command that runs {@code Main} with {@code args}, on {@code classPath}. */
    public static List<String> command(String classPath, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classPath, "io.bpf4j.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code bpf4j args} as root, stdin /dev/null, and waits at most {@code seconds}. */
    public static CliProcess run(long seconds, String... args) {
        return run(new ProcessBuilder(command(System.getProperty("java.class.path"), args)), seconds);
    }

    /**
     * Runs {@code bpf4j args} as user and group 65534 (nobody) through setpriv, with the
     * capabilities {@code caps} (setpriv's names, e.g. "bpf"; none for a plain user) in its
     * effective set. The class path's jars are copied into {@code dir} first: they live in root's
     * home, which nobody cannot read.
     */
    public static CliProcess asNobody(Path dir, List<String> caps, String... args) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        if (caps.isEmpty()) {
            cmd.add("--inh-caps=-all");
        } else {
            String list = String.join(",", caps.stream().map(c -> "+" + c).toList());
            cmd.add("--inh-caps=" + list);
            cmd.add("--ambient-caps=" + list);
        }
        cmd.addAll(command(readableClassPath(dir), args));
        return run(new ProcessBuilder(cmd).directory(new File("/")), 120);
    }

    static CliProcess run(ProcessBuilder pb, long seconds) {
        try {
            Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            // A thread each: the common pool has one worker on two cores, and a child blocked on a
            // full stdout pipe while stderr is read would never end.
            CompletableFuture<String> err = drain(p.getErrorStream());
            CompletableFuture<String> out = drain(p.getInputStream());
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("bpf4j " + pb.command() + " still running after " + seconds + " s");
            }
            return new CliProcess(p.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    private static CompletableFuture<String> drain(java.io.InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(read(in));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This test's class path with each jar copied into a new directory in {@code dir}, all readable by anyone. */
    public static String readableClassPath(Path parent) {
        try {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path dir = Files.createTempDirectory(parent, "cp");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> out = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                if (!e.endsWith(".jar")) {
                    out.add(e);
                    continue;
                }
                Path copy = dir.resolve(out.size() + "-" + p.getFileName());
                Files.copy(p, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                out.add(copy.toString());
            }
            return String.join(File.pathSeparator, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
