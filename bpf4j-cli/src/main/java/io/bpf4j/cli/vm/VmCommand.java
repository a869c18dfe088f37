package io.bpf4j.cli.vm;

import io.bpf4j.cli.support.Converters;
import io.bpf4j.cli.support.UsageException;
import io.bpf4j.lab.CachedKernel;
import io.bpf4j.lab.GuestRequest;
import io.bpf4j.lab.GuestResult;
import io.bpf4j.lab.KernelResolver;
import io.bpf4j.lab.KernelSpec;
import io.bpf4j.lab.Lab;
import io.bpf4j.lab.Qemu;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bpf4j vm}: run a command on a real Debian kernel under QEMU, and list the kernels. */
@Command(name = "vm", mixinStandardHelpOptions = true,
        description = "Run commands as root on real Debian kernels under QEMU (the kernel lab).",
        subcommands = {VmCommand.Run.class, VmCommand.Kernels.class})
public final class VmCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options shared by {@code vm run} and {@code matrix}. */
    static final class GuestOptions {
        @Option(names = "--mem", defaultValue = "2G", paramLabel = "SIZE", converter = Converters.MemorySize.class,
                description = "Guest memory: MiB, or with a K, M, G or T suffix (QEMU -m). Default: ${DEFAULT-VALUE}.")
        String mem;

        @Option(names = "--cpus", defaultValue = "2", paramLabel = "N", converter = Converters.PositiveInt.class,
                description = "Guest CPUs. Default: ${DEFAULT-VALUE}.")
        int cpus;

        @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS", converter = Converters.WholeSeconds.class,
                description = "Seconds (or 10m, 1h) before the guest is killed (exit 124). Default: ${DEFAULT-VALUE}.")
        long timeout;

        @Option(names = "--env", paramLabel = "NAME[=VALUE]", description = "Set (or, without a value, pass the host's) variable in the guest. Repeatable.")
        List<String> env = new ArrayList<>();

        @Option(names = "--share", paramLabel = "DIR", description = "Host directory shared read-write at the same path. Repeatable. Default: ./target if it exists.")
        List<Path> shares = new ArrayList<>();

        @Option(names = "--accel", defaultValue = "${env:BPF4J_VM_ACCEL:-auto}", description = {"auto, kvm, tcg (software, one host thread: JVMs in the guest run safely) or tcg-multi",
                "(a host thread per CPU: faster, but QEMU 7.2 makes JVMs in the guest crash now and then). Default: ${DEFAULT-VALUE}."})
        String accel;

        @Option(names = "--refresh", description = "Update Debian's package index first, so 6.1/latest move to the newest packages.")
        boolean refresh;

        @Option(names = "--console", description = "Show the guest kernel's boot messages on stderr (boots without 'quiet').")
        boolean console;

        @Option(names = {"-q", "--quiet"}, description = "No lab progress on stderr (failures are still reported).")
        boolean quiet;

        GuestRequest request(List<String> command, Map<String, String> extraEnv) {
            Path cwd = Path.of("").toAbsolutePath();
            List<String> envs = new ArrayList<>(env);
            extraEnv.forEach((k, v) -> envs.add(k + "=" + v));
            return new GuestRequest(command, cwd, Lab.guestEnv(System.getenv(), envs), Lab.defaultShares(cwd, shares),
                    mem, cpus, Duration.ofSeconds(timeout));
        }

        Map<String, String> vmlinuxEnv(Lab lab, CachedKernel k, boolean fetch) {
            return lab.vmlinuxEnv(k, env, fetch);
        }

        Lab lab(PrintStream log) {
            // Before anything is fetched or booted.
            if (!accel.equals("auto") && java.util.Arrays.stream(Qemu.Accel.values()).noneMatch(x -> x.option.equals(accel)))
                throw new UsageException("--accel must be auto, kvm, tcg or tcg-multi, not '" + accel + "'");
            Lab lab = Lab.open(log);
            if (console) lab.showBootConsole(l -> System.err.println("console: " + l));
            return lab;
        }

        PrintStream log() {
            return quiet ? new PrintStream(PrintStream.nullOutputStream()) : System.err;
        }
    }

    /** {@code bpf4j vm run}: boots one kernel and runs a command in it. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Boot a kernel, run COMMAND as root in it with the host's files and the current directory,",
                    "stream its output and exit with its exit code.",
                    "SPEC: 5.10, 6.1, 6.12, latest, a Debian package (linux-image-6.1.0-50-amd64) or a vmlinuz path."})
    public static final class Run implements Callable<Integer> {
        @Option(names = "--kernel", required = true, paramLabel = "SPEC", description = "Kernel to boot.")
        String kernel;

        @Option(names = "--modules", paramLabel = "DIR", description = "With a vmlinuz path: its modules (lib/modules/RELEASE or a root above it).")
        Path modules;

        @CommandLine.Mixin
        GuestOptions opts = new GuestOptions();

        @Option(names = "--debug-vmlinux", description = {"Fetch the kernel's DWARF vmlinux (Debian's linux-image-*-dbg, 0.8-1.2 GB download, cached).",
                "A cached one is always given to the guest as $BPF4J_VMLINUX, where bpf4j trace finds it."})
        boolean debugVmlinux;

        @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "Command and arguments (after --).")
        List<String> command;

        @Override
        public Integer call() {
            PrintStream log = opts.log();
            Lab lab = opts.lab(log);
            CachedKernel k = lab.kernel(KernelSpec.parse(kernel, modules), opts.refresh);
            GuestRequest req = opts.request(command, opts.vmlinuxEnv(lab, k, debugVmlinux));
            Qemu.Accel accel = lab.accel(opts.accel, k);
            log.println("bpf4j vm: booting " + k.release() + " (" + k.version() + (k.suite().isEmpty() ? "" : ", " + k.suite())
                    + ") with " + accel.option + ", " + req.memory() + ", " + req.cpus() + " CPUs");
            GuestResult r = lab.run(k, req, accel, line -> {
                System.out.println(line);
                System.out.flush();
            });
            if (r.outcome() == GuestResult.Outcome.EXITED) {
                log.printf("bpf4j vm: exit %d after %.1f s%n", r.exitCode(), r.total().toMillis() / 1000.0);
            }
            return r.exitCode();
        }
    }

    /** The variable naming the guest kernel's DWARF vmlinux for bpf4j trace (see TraceCommand's search). */

    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = "The kernels Debian's archive offers now, and those in the cache, with versions.")
    public static final class Kernels implements Callable<Integer> {
        @Option(names = "--refresh", description = "Update Debian's package index first.")
        boolean refresh;

        @Option(names = "--cached", description = "Only the cache; no package index, no network.")
        boolean cachedOnly;

        @Override
        public Integer call() {
            Lab lab = Lab.open(System.err);
            Properties aliases = lab.store().aliases();
            List<CachedKernel> cached = lab.store().list();
            if (!cachedOnly) {
                List<KernelResolver.Resolved> avail = lab.available(refresh);
                System.out.println("available (Debian archive, via each suite's " + KernelResolver.META + "):");
                System.out.printf("  %-18s %-22s %-26s %-10s %s%n", "SUITE", "VERSION", "RELEASE", "DOWNLOAD", "CACHED");
                for (KernelResolver.Resolved r : avail) {
                    boolean have = cached.stream().anyMatch(c -> c.release().equals(r.release()) && c.version().equals(r.version()));
                    System.out.printf("  %-18s %-22s %-26s %-10s %s%n", r.suite(), r.version(), r.release(),
                            String.format("%.0f MB", r.downloadBytes() / 1e6), have ? "yes" : "no");
                }
                System.out.println();
            }
            System.out.println("cached (" + lab.store().kernelsDir() + "):");
            if (cached.isEmpty()) System.out.println("  none");
            else System.out.printf("  %-26s %-22s %-18s %-6s %s%n", "RELEASE", "VERSION", "SUITE", "DWARF", "SPECS");
            for (CachedKernel c : cached) {
                List<String> specs = aliases.stringPropertyNames().stream().sorted()
                        .filter(s -> aliases.getProperty(s).equals(c.dir().getFileName().toString())).toList();
                System.out.printf("  %-26s %-22s %-18s %-6s %s%n", c.release(), c.version(), c.suite().isEmpty() ? c.source() : c.suite(),
                        lab.store().debugVmlinux(c).isPresent() ? "yes" : "no", String.join(",", specs));
            }
            return 0;
        }
    }
}
