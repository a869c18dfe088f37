package io.bpf4j.cli.vm;

import io.bpf4j.lab.CachedKernel;
import io.bpf4j.lab.GuestRequest;
import io.bpf4j.lab.GuestResult;
import io.bpf4j.lab.KernelSpec;
import io.bpf4j.lab.Lab;
import io.bpf4j.lab.Qemu;

import io.bpf4j.BpfException;
import io.bpf4j.internal.json.Json;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bpf4j matrix}: the same command on several kernels, one table row per kernel. */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = {"Run COMMAND on each kernel in turn and print one table: kernel, uname -r, exit code,",
                "duration and the last output line. Exits 0 only when COMMAND exited 0 on every kernel."})
public final class MatrixCommand implements Callable<Integer> {

    @Option(names = "--kernels", split = ",", defaultValue = "5.10,6.1,6.12,latest", paramLabel = "SPEC,...",
            description = "Kernels to run on. Default: ${DEFAULT-VALUE}.")
    List<String> kernels;

    @Option(names = "--json", description = "Print the rows as a JSON array instead of a table.")
    boolean json;

    @CommandLine.Mixin
    VmCommand.GuestOptions opts = new VmCommand.GuestOptions();

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "Command and arguments (after --).")
    List<String> command;

    /** One kernel's result; {@code release} is what the guest's uname -r said. */
    record Row(String kernel, String release, int exit, Duration duration, String lastLine, String error) {}

    @Override
    public Integer call() {
        PrintStream log = opts.log();
        Lab lab = opts.lab(log);
        List<Row> rows = new ArrayList<>();
        for (String spec : kernels) {
            long t0 = System.nanoTime();
            try {
                CachedKernel k = lab.kernel(KernelSpec.parse(spec), opts.refresh);
                Map<String, String> env = new java.util.HashMap<>(opts.vmlinuxEnv(lab, k, false));
                env.put("BPF4J_LAB_KERNEL", spec);
                GuestRequest req = opts.request(command, env);
                Qemu.Accel accel = lab.accel(opts.accel, k);
                log.println("bpf4j matrix: " + spec + " → " + k.release() + " (" + k.version() + ")");
                GuestResult r = lab.run(k, req, accel, line -> log.println("[" + spec + "] " + line));
                String err = r.outcome() == GuestResult.Outcome.EXITED ? "" : r.outcome().name().toLowerCase() + ": " + r.detail();
                rows.add(new Row(spec, r.release() == null ? "-" : r.release(), r.exitCode(), r.total(), r.lastLine(), err));
            } catch (BpfException e) {
                rows.add(new Row(spec, "-", 125, Duration.ofNanos(System.nanoTime() - t0), "", e.getMessage()));
                log.println("bpf4j matrix: " + spec + ": " + e.getMessage());
            }
        }
        System.out.print(json ? json(rows) : table(rows));
        return rows.stream().allMatch(r -> r.exit() == 0 && r.error().isEmpty()) ? 0 : 1;
    }

    static String table(List<Row> rows) {
        int kw = Math.max(6, rows.stream().mapToInt(r -> r.kernel().length()).max().orElse(0));
        int rw = Math.max(7, rows.stream().mapToInt(r -> r.release().length()).max().orElse(0));
        String fmt = "%-" + kw + "s  %-" + rw + "s  %4s  %8s  %s%n";
        StringBuilder sb = new StringBuilder(String.format(fmt, "KERNEL", "UNAME-R", "EXIT", "TIME", "LAST LINE"));
        for (Row r : rows) {
            String last = r.error().isEmpty() ? r.lastLine() : r.error();
            if (last.length() > 100) last = last.substring(0, 97) + "...";
            sb.append(String.format(fmt, r.kernel(), r.release(), r.exit(), String.format(Locale.ROOT, "%.1fs", r.duration().toMillis() / 1000.0), last));
        }
        return sb.toString();
    }

    /** One object per kernel, keys in a fixed order; seconds as a number whatever the locale. */
    static String json(List<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kernel", r.kernel());
            m.put("release", r.release());
            m.put("exit", r.exit());
            m.put("seconds", r.duration().toMillis() / 1000.0);
            m.put("last_line", r.lastLine());
            m.put("error", r.error());
            out.add(m);
        }
        return Json.write(out) + "\n";
    }
}
