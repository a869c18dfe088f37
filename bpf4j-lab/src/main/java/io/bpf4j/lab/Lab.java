package io.bpf4j.lab;

import io.bpf4j.BpfException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The kernel lab: kernels from Debian's archive (resolved, downloaded, cached), their initramfs,
 * and guest runs under QEMU. The {@code bpf4j vm} and {@code bpf4j matrix} commands are thin
 * wrappers over this class.
 */
public final class Lab {
    private final KernelStore store;
    private final AptArchive apt;
    private final PrintStream log;
    private Consumer<String> bootConsole;

    public Lab(Path cacheRoot, PrintStream log) {
        this.store = new KernelStore(cacheRoot);
        this.apt = new AptArchive(cacheRoot.resolve("apt"), log);
        this.log = log;
    }

    public static Lab open(PrintStream log) {
        return new Lab(KernelStore.defaultCacheRoot(), log);
    }

    /** Shows the guest kernel's boot messages (booted without "quiet") on {@code sink}: for a guest that does not come up. */
    public void showBootConsole(Consumer<String> sink) {
        this.bootConsole = sink;
    }

    public KernelStore store() {
        return store;
    }

    /**
     * The kernel for {@code spec}, from the cache when this spec was resolved before (no network),
     * else resolved from the archive's current indexes, downloaded and cached. {@code refresh}
     * updates the indexes first, so "latest" and "6.1" move to Debian's newest packages.
     */
    public CachedKernel kernel(KernelSpec spec, boolean refresh) {
        if (spec instanceof KernelSpec.Local l) return store.installLocal(l, log);
        if (!refresh) {
            Optional<CachedKernel> k = store.byAlias(spec.text());
            if (k.isPresent()) return k.get();
        }
        KernelResolver.Resolved r = resolver(refresh).resolve(spec);
        CachedKernel k = store.install(r, apt, log);
        store.setAlias(spec.text(), k.dir().getFileName().toString());
        return k;
    }

    /** The guest variable through which {@code bpf4j trace} finds a DWARF vmlinux. */
    public static final String VMLINUX_ENV = "BPF4J_VMLINUX";

    /**
     * {@code $BPF4J_VMLINUX} for the guest when the kernel's DWARF vmlinux is cached (fetched
     * first when {@code fetch}), unless the user's {@code --env} list sets the variable. The guest
     * sees the host's files read-only, so the cached file itself is what it opens.
     */
    public Map<String, String> vmlinuxEnv(CachedKernel k, List<String> userEnv, boolean fetch) {
        Optional<Path> p = debugVmlinux(k, fetch);
        boolean userSet = userEnv.stream().anyMatch(e -> e.equals(VMLINUX_ENV) || e.startsWith(VMLINUX_ENV + "="));
        return p.isEmpty() || userSet ? Map.of() : Map.of(VMLINUX_ENV, p.get().toAbsolutePath().toString());
    }

    /**
     * The kernel's DWARF vmlinux from the cache, or, when {@code fetch}, from Debian's archive
     * (cached for the next run). Empty when not cached and not fetched.
     */
    public Optional<Path> debugVmlinux(CachedKernel k, boolean fetch) {
        Optional<Path> have = store.debugVmlinux(k);
        if (have.isPresent() || !fetch) return have;
        if (!k.source().equals("debian")) {
            throw new BpfException("vm", 0, "kernel " + k.release() + " was given by path: there is no Debian debug package for it (give trace -k VMLINUX)");
        }
        PackageIndex.Entry pkg = resolver(false).debugPackage(k.release(), k.version());
        return Optional.of(store.installDebugVmlinux(k, pkg, apt, log));
    }

    /** Each configured suite's current kernel, per the (downloaded on first use) package indexes. */
    public List<KernelResolver.Resolved> available(boolean refresh) {
        return resolver(refresh).current();
    }

    private KernelResolver resolver(boolean refresh) {
        // Under the cache lock: a second bpf4j updating the same private lists would fail on apt's lock.
        return store.withLock(() -> {
            if (refresh || !apt.hasIndexes()) apt.update();
            return new KernelResolver(apt.indexes());
        });
    }

    /**
     * The accelerator to use. "auto" takes KVM only when /dev/kvm opens read-write and a probe
     * boot with it reaches the guest init (nested KVM that opens but cannot run a vCPU exists:
     * QEMU aborts on "-cpu host" or the guest hangs silently). The probe's verdict is cached
     * per host kernel.
     */
    public Qemu.Accel accel(String requested, CachedKernel k) {
        if (!requested.equals("auto")) {
            Qemu.Accel a = Qemu.Accel.ofOption(requested).orElseThrow(() ->
                    new BpfException("vm", 0, "--accel must be auto, kvm, tcg or tcg-multi, not '" + requested + "'"));
            if (a == Qemu.Accel.KVM && !kvmOpens()) throw new BpfException("vm", 0, "--accel kvm, but /dev/kvm cannot be opened read-write");
            return a;
        }
        if (!kvmOpens()) return Qemu.Accel.TCG;
        Path f = store.root().resolve("kvm-probe.properties");
        String key = hostRelease() + "|" + Qemu.BINARY;
        Properties p = new Properties();
        try {
            if (Files.isRegularFile(f)) {
                try (Reader r = Files.newBufferedReader(f)) {
                    p.load(r);
                }
            }
            String v = p.getProperty(key);
            if (v == null) {
                long t0 = System.nanoTime();
                boolean works = new Qemu(store.root().resolve("logs"), log).probe(k, Initramfs.forKernel(k), Qemu.Accel.KVM, Duration.ofSeconds(20));
                v = works ? "kvm" : "tcg";
                log.printf("bpf4j vm: /dev/kvm %s (probe %.1f s); using %s%n", works ? "works" : "opens but cannot run a guest",
                        (System.nanoTime() - t0) / 1e9, v);
                p.setProperty(key, v);
                Files.createDirectories(f.getParent());
                try (Writer w = Files.newBufferedWriter(f)) {
                    p.store(w, "bpf4j vm: does KVM work on this host (per host kernel and QEMU)?");
                }
            }
            return v.equals("kvm") ? Qemu.Accel.KVM : Qemu.Accel.TCG;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean kvmOpens() {
        try (FileChannel ch = FileChannel.open(Path.of("/dev/kvm"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String hostRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Runs the request on {@code k}; fails, rather than returning, when the guest came up with a
     * different kernel than the one asked for, so a lab run can never pass on the wrong kernel.
     */
    public GuestResult run(CachedKernel k, GuestRequest req, Qemu.Accel accel, Consumer<String> out) {
        Path initramfs = Initramfs.forKernel(k);
        GuestResult r = new Qemu(store.root().resolve("logs"), log, bootConsole).run(k, initramfs, req, accel, out);
        if (r.release() != null && !r.release().equals(k.release())) {
            throw new BpfException("vm run", 0, "asked for kernel " + k.release() + " but the guest runs " + r.release());
        }
        return r;
    }

    /**
     * The guest's environment: a sane PATH and JAVA_HOME from the host (its root is the guest's),
     * HOME=/root, the few host variables that describe the terminal and the lab, then the user's
     * {@code --env K=V} (or {@code --env K} to pass the host's value).
     */
    public static Map<String, String> guestEnv(Map<String, String> host, List<String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        String path = host.getOrDefault("PATH", "");
        if (path.isBlank()) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        String javaHome = host.get("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            env.put("JAVA_HOME", javaHome);
            if (!(":" + path + ":").contains(":" + javaHome + "/bin:")) path = javaHome + "/bin:" + path;
        }
        env.put("PATH", path);
        env.put("HOME", "/root");
        env.put("USER", "root");
        env.put("LOGNAME", "root");
        for (String k : List.of("TERM", "LANG", "LC_ALL", "TZ", "BPF4J_CACHE", "BPF4J_DEBUG")) {
            if (host.get(k) != null) env.put(k, host.get(k));
        }
        for (String e : extra) {
            int eq = e.indexOf('=');
            String name = eq < 0 ? e : e.substring(0, eq);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new BpfException("vm", 0, "--env " + e + ": not NAME=VALUE or NAME");
            if (eq >= 0) env.put(name, e.substring(eq + 1));
            else if (host.get(name) != null) env.put(name, host.get(name));
        }
        return env;
    }

    /** The default read-write share: the current directory's target/, where builds put results. */
    public static List<Path> defaultShares(Path cwd, List<Path> given) {
        if (given != null && !given.isEmpty()) return given.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        Path t = cwd.resolve("target");
        return Files.isDirectory(t) ? List.of(t.toAbsolutePath().normalize()) : List.of();
    }
}
