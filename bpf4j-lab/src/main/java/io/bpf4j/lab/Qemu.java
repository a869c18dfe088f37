package io.bpf4j.lab;

import io.bpf4j.BpfException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Boots a cached kernel under qemu-system-x86_64 with the host root shared read-only over 9p,
 * runs one command in it and reports how that ended. Output of the command streams to the
 * caller line by line as the guest prints it on its serial console.
 */
public final class Qemu {

    /** How QEMU runs the guest's CPU. */
    public enum Accel {
        /** Hardware virtualisation through /dev/kvm, with the host's CPU model. */
        KVM("kvm"),
        /**
         * QEMU's software emulation, every vCPU on one host thread: slower, but works without
         * /dev/kvm, and JVMs in the guest do not crash. With a thread per vCPU (QEMU's default,
         * {@link #TCG_MULTI}) QEMU 7.2 can translate code another vCPU is patching: HotSpot patches
         * compiled code as it runs (a jmp over a method's entry when it is made not entrant, call
         * targets when they resolve), and JVMs died with SIGSEGV/SIGILL at those bytes (in the
         * 5.10 lab, 6 of 40 starts of a JVM with default flags running `scenario
         * tailcall-in-freplace`; 0 of 40 on one thread, which took 1.7x as long). Cf. utmapp/UTM#7070.
         */
        TCG("tcg"),
        /** Software emulation with a host thread per vCPU (faster; JVMs in the guest may crash, see {@link #TCG}). */
        TCG_MULTI("tcg-multi");

        /** Its name for {@code --accel} and in the lab's log lines. */
        public final String option;

        Accel(String option) {
            this.option = option;
        }

        /** The accelerator {@code --accel} names, if any. */
        static java.util.Optional<Accel> ofOption(String option) {
            for (Accel a : values()) if (a.option.equals(option)) return java.util.Optional.of(a);
            return java.util.Optional.empty();
        }
    }

    static final String BINARY = System.getenv().getOrDefault("BPF4J_QEMU", "qemu-system-x86_64");
    static final Duration BOOT_LIMIT = Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("BPF4J_VM_BOOT_TIMEOUT", "240")));
    private static final String PANIC = "Kernel panic - not syncing";
    private static final int TAIL = 25;

    private final Path logDir;
    private final PrintStream log;
    private final Consumer<String> bootConsole;

    /** {@code bootConsole}, when not null, gets the kernel's boot messages (without "quiet") up to the command. */
    public Qemu(Path logDir, PrintStream log, Consumer<String> bootConsole) {
        this.logDir = logDir;
        this.log = log;
        this.bootConsole = bootConsole;
    }

    public Qemu(Path logDir, PrintStream log) {
        this(logDir, log, null);
    }

    static List<String> command(CachedKernel k, Path initramfs, GuestRequest req, Accel accel, String nonce, Path ctl, boolean probe) {
        return command(k, initramfs, req, accel, nonce, ctl, probe, true);
    }

    static List<String> command(CachedKernel k, Path initramfs, GuestRequest req, Accel accel, String nonce, Path ctl, boolean probe, boolean quiet) {
        List<String> c = new ArrayList<>(List.of(BINARY, "-nodefaults", "-no-user-config", "-display", "none",
                "-serial", "stdio", "-no-reboot", "-m", req.memory(), "-smp", Integer.toString(req.cpus())));
        switch (accel) {
            case KVM -> c.addAll(List.of("-enable-kvm", "-cpu", "host"));
            case TCG -> c.addAll(List.of("-accel", "tcg,thread=single"));
            case TCG_MULTI -> c.addAll(List.of("-accel", "tcg,thread=multi"));
        }
        c.addAll(List.of("-kernel", k.vmlinuz().toString(), "-initrd", initramfs.toString(),
                "-append", "console=ttyS0" + (quiet ? " quiet" : "")
                        // no_timer_check: under software emulation on a loaded host the kernel's
                        // IO-APIC timer check can time out and panic ("IO-APIC + timer doesn't
                        // work!", seen on 6.12 and 7.3); virtual machines skip it.
                        + " no_timer_check panic=-1 bpf4j.nonce=" + nonce + (probe ? " bpf4j.probe=1" : "")));
        // multidevs=remap: the host root spans several filesystems; without it QEMU warns and inode numbers may collide.
        c.addAll(List.of("-virtfs", "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap"));
        if (ctl != null) c.addAll(List.of("-virtfs", "local,path=" + ctl + ",mount_tag=ctl,security_model=none"));
        for (int i = 0; i < req.shares().size(); i++) {
            c.addAll(List.of("-virtfs", "local,path=" + req.shares().get(i) + ",mount_tag=share" + i + ",security_model=none,multidevs=remap"));
        }
        return c;
    }

    /** Runs {@code req} in a guest booted from {@code k}; each line the command prints goes to {@code out}. */
    public GuestResult run(CachedKernel k, Path initramfs, GuestRequest req, Accel accel, Consumer<String> out) {
        for (Path s : req.shares()) {
            if (!s.isAbsolute() || !Files.isDirectory(s)) throw new BpfException("vm run", 0, "share " + s + " is not a directory");
            if (s.toString().contains(",")) throw new BpfException("vm run", 0, "share " + s + ": QEMU cannot share a path with a comma");
        }
        try (Temp ctl = Temp.createDirectory("bpf4j-vm-")) {
            Files.writeString(ctl.dir().resolve("run.sh"), req.runScript());
            StringBuilder shares = new StringBuilder();
            for (int i = 0; i < req.shares().size(); i++) shares.append("share").append(i).append(' ').append(req.shares().get(i)).append('\n');
            Files.writeString(ctl.dir().resolve("shares"), shares.toString());
            return boot(k, initramfs, req, accel, out, ctl.dir(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("vm run: " + e.getMessage(), e);
        }
    }

    /** Boots only to the guest init's "up" marker and powers off: does this accelerator work? */
    public boolean probe(CachedKernel k, Path initramfs, Accel accel, Duration limit) {
        GuestRequest req = new GuestRequest(List.of("true"), Path.of("/"), java.util.Map.of(), List.of(), "256M", 1, limit);
        GuestResult r = boot(k, initramfs, req, accel, l -> { }, null, true);
        return r.release() != null;
    }

    private GuestResult boot(CachedKernel k, Path initramfs, GuestRequest req, Accel accel, Consumer<String> out, Path ctl, boolean probe) {
        String nonce = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
        boolean showBoot = bootConsole != null && !probe;
        List<String> cmd = command(k, initramfs, req, accel, nonce, ctl, probe, !showBoot);
        Console console = new Console("BPF4J-LAB-" + nonce + ":", probe ? l -> { } : out);
        if (showBoot) console.boot = bootConsole;
        long t0 = System.nanoTime();
        if (!probe) console.onNote = n -> log.println("bpf4j vm: guest: " + n);
        if (!probe) console.onStart = rel -> log.printf("bpf4j vm: guest up, uname -r: %s (%.1f s to command)%n", rel, (System.nanoTime() - t0) / 1e9);
        Process p;
        Path logFile;
        try {
            logFile = Files.createTempFile("bpf4j-console-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Temp logCleanup = Temp.register(logFile)) {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"));
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new BpfException("start " + BINARY, 0, e.getMessage() + " (apt-get install qemu-system-x86)");
            }
            Thread killer = new Thread(p::destroyForcibly, "bpf4j-qemu-kill");
            Runtime.getRuntime().addShutdownHook(killer);
            StringBuilder qemuErr = new StringBuilder();
            Thread errReader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = p.errorReader(StandardCharsets.UTF_8)) {
                    for (String l; (l = r.readLine()) != null; ) {
                        synchronized (qemuErr) {
                            if (qemuErr.length() < 16_384) qemuErr.append(l).append('\n');
                        }
                    }
                } catch (IOException ignored) {
                    // QEMU is gone.
                }
            });
            Thread reader = Thread.ofPlatform().daemon().start(() -> console.read(p, logFile));
            boolean timedOut = false, noBoot = false;
            Duration limit = req.timeout();
            try {
                while (p.isAlive()) {
                    p.waitFor(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100), java.util.concurrent.TimeUnit.NANOSECONDS);
                    long el = System.nanoTime() - t0;
                    if (console.upAt == 0 && el > Math.min(BOOT_LIMIT.toNanos(), limit.toNanos())) {
                        noBoot = true;
                        break;
                    }
                    if (el > limit.toNanos()) {
                        timedOut = true;
                        break;
                    }
                    // panic=-1 reboots at once and -no-reboot turns that into QEMU exiting; give it a moment.
                    if (console.panicAt != 0 && System.nanoTime() - console.panicAt > 5_000_000_000L) break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                    try {
                        p.waitFor();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(killer);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running already.
                }
            }
            join(reader);
            join(errReader);
            long total = System.nanoTime() - t0;
            Integer exit = console.exit;
            if (exit == null && ctl != null && Files.isRegularFile(ctl.resolve("exit"))) {
                try {
                    exit = Integer.parseInt(Files.readString(ctl.resolve("exit")).strip());
                } catch (IOException | NumberFormatException ignored) {
                    // Fall through to the failure analysis below.
                }
            }
            GuestResult.Outcome outcome;
            String detail;
            int code;
            if (exit != null && !timedOut) {
                outcome = GuestResult.Outcome.EXITED;
                code = exit;
                detail = "";
            } else if (timedOut) {
                outcome = GuestResult.Outcome.TIMEOUT;
                code = 124;
                detail = "no exit after " + limit.toSeconds() + " s; QEMU killed";
            } else if (qemuErr.indexOf("terminating on signal 2") >= 0 || qemuErr.indexOf("terminating on signal 15") >= 0) {
                outcome = GuestResult.Outcome.INTERRUPTED;
                code = 130;
                detail = "interrupted";
            } else if (console.panic != null) {
                outcome = GuestResult.Outcome.PANIC;
                code = 125;
                detail = console.panic;
            } else if (noBoot) {
                outcome = GuestResult.Outcome.NO_BOOT;
                code = 125;
                detail = "the guest did not come up within " + Math.min(BOOT_LIMIT.toSeconds(), limit.toSeconds()) + " s; QEMU killed";
            } else if (console.upAt == 0 && probe) {
                outcome = GuestResult.Outcome.NO_BOOT;
                code = 125;
                detail = "QEMU exited with " + p.exitValue() + " before the guest came up";
            } else {
                outcome = GuestResult.Outcome.LAB_FAILED;
                code = 125;
                String why = console.fail != null ? "guest init: " + console.fail : "QEMU exited with " + p.exitValue() + " and no exit marker";
                String err;
                synchronized (qemuErr) {
                    err = Exec.tail(qemuErr.toString(), 3);
                }
                detail = err.isEmpty() ? why : why + "; QEMU: " + err;
            }
            if (probe && console.upAt != 0) {
                return new GuestResult(GuestResult.Outcome.EXITED, 0, console.release, nanos(console.upAt - t0), nanos(total), "", "", null);
            }
            Path kept = null;
            if (outcome == GuestResult.Outcome.INTERRUPTED) {
                log.println("bpf4j vm: interrupted; QEMU stopped");
            } else if (outcome != GuestResult.Outcome.EXITED && !probe) {
                kept = keepLog(logFile, k.release(), qemuErr.toString());
                log.println("bpf4j vm: " + outcome.name().toLowerCase().replace('_', ' ') + ": " + detail);
                log.println("bpf4j vm: console log " + kept + ", last lines:");
                for (String l : console.tail) log.println("  | " + l);
            }
            return new GuestResult(outcome, code, console.release,
                    console.startAt == 0 ? Duration.ZERO : nanos(console.startAt - t0), nanos(total),
                    console.lastLine, detail, kept);
        }
    }

    private Path keepLog(Path logFile, String release, String qemuErr) {
        try {
            Files.createDirectories(logDir);
            Path dst = logDir.resolve(release + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".log");
            Files.copy(logFile, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (!qemuErr.isBlank()) Files.writeString(dst, "\n--- qemu stderr ---\n" + qemuErr, java.nio.file.StandardOpenOption.APPEND);
            return dst;
        } catch (IOException e) {
            return logFile;
        }
    }

    private static Duration nanos(long n) {
        return Duration.ofNanos(Math.max(0, n));
    }

    private static void join(Thread t) {
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads the serial console: tells the guest init's marker lines from the command's output,
     * watches for a panic, keeps the whole log in a file and the last lines in memory.
     */
    static final class Console {
        private final String marker;
        private final Consumer<String> out;
        volatile long upAt, startAt, panicAt;
        volatile String release, panic, fail, lastLine = "";
        volatile Integer exit;
        final ArrayDeque<String> tail = new ArrayDeque<>();
        Consumer<String> onStart = r -> { };
        /** A guest init's note: something it could not set up as usual, and the run goes on. */
        Consumer<String> onNote = n -> { };
        Consumer<String> boot = l -> { };

        Console(String marker, Consumer<String> out) {
            this.marker = marker;
            this.out = out;
        }

        void read(Process p, Path logFile) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 BufferedWriter w = Files.newBufferedWriter(logFile)) {
                for (String l; (l = r.readLine()) != null; ) {
                    w.write(l);
                    w.write('\n');
                    w.flush();
                    line(l);
                }
            } catch (IOException ignored) {
                // QEMU was killed; the caller reports why.
            }
        }

        void line(String raw) {
            String l = raw.replace("\r", "");
            synchronized (tail) {
                tail.addLast(l);
                if (tail.size() > TAIL) tail.removeFirst();
            }
            if (startAt == 0) boot.accept(l);
            if (l.startsWith(marker)) {
                String m = l.substring(marker.length()).strip();
                if (m.startsWith("up")) {
                    release = m.substring(2).strip();
                    upAt = System.nanoTime();
                } else if (m.equals("start")) {
                    startAt = System.nanoTime();
                    onStart.accept(release);
                } else if (m.startsWith("exit ")) {
                    try {
                        exit = Integer.parseInt(m.substring(5).strip());
                    } catch (NumberFormatException e) {
                        fail = "bad exit marker: " + m;
                    }
                } else if (m.startsWith("fail")) {
                    fail = m.substring(4).strip();
                } else if (m.startsWith("note ")) {
                    onNote.accept(m.substring(5).strip());
                }
                return;
            }
            if (l.contains(PANIC)) {
                panic = l.substring(l.indexOf(PANIC)).strip();
                panicAt = System.nanoTime();
            }
            // After a panic the console carries only the oops; it is in the failure report, not the command's output.
            if (startAt != 0 && exit == null && panic == null) {
                if (!l.isBlank()) lastLine = l;
                out.accept(l);
            }
        }
    }
}
