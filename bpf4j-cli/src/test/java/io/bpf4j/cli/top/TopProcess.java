package io.bpf4j.cli.top;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bpf4j command in a JVM of its own, on this test's class path: top then competes with the
 * drivers for the CPUs as it does for a user, but not for their JVM's safepoints and JIT threads.
 */
record TopProcess(int exit, String out, String err) {
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.bpf4j.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static TopProcess run(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        // Both streams are small; stderr is drained on a thread so neither pipe can fill up.
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new TopProcess(p.waitFor(), out, err.get());
    }
}
