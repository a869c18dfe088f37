package io.bpf4j.cli.shell;

import io.bpf4j.tools.kmem.Kernel;
import io.bpf4j.tools.kmem.KernelBpf;
import jdk.jshell.tool.JavaShellToolBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bpf4j shell}: JShell with the bpf4j library on the class path and the running kernel
 * ready as {@code kernel} (typed memory through /proc/kcore and BTF) and {@code bpf} (BPF facts),
 * for exploring kernel memory interactively as drgn's {@code interact} does.
 *
 * <p>Snippets run in this JVM (JShell's local execution), so {@code kernel} is the object
 * opened here and the library's FFM calls keep this JVM's native access.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"JShell with bpf4j and a ready 'kernel' (kernel memory via /proc/kcore + BTF) and 'bpf' (BPF facts).",
                "Try: bpf.progIds(), bpf.progArray(ID), kernel.variable(\"prog_idr\", \"struct idr\").format(2)"})
public final class ShellCommand implements Callable<Integer> {
    @Option(names = "--no-kernel", description = "Start without opening /proc/kcore (the library only).")
    boolean noKernel;

    private static volatile Kernel kernel;
    private static volatile KernelBpf bpf;

    private InputStream in = System.in;
    private PrintStream out = System.out;

    /** The kernel opened for the shell; what the startup snippet binds to {@code kernel}. */
    public static Kernel kernel() {
        return kernel;
    }

    public static KernelBpf bpf() {
        return bpf;
    }

    /** For tests: run with this input and output instead of the terminal. */
    ShellCommand io(InputStream in, PrintStream out) {
        this.in = in;
        this.out = out;
        return this;
    }

    static String startup(boolean withKernel) {
        StringBuilder s = new StringBuilder();
        for (String p : List.of("io.bpf4j", "io.bpf4j.btf", "io.bpf4j.kernel", "io.bpf4j.tools.kmem", "io.bpf4j.asm", "io.bpf4j.link")) {
            s.append("import ").append(p).append(".*;\n");
        }
        s.append("import java.util.*;\n");
        if (withKernel) {
            s.append("Kernel kernel = io.bpf4j.cli.shell.ShellCommand.kernel();\n");
            s.append("KernelBpf bpf = io.bpf4j.cli.shell.ShellCommand.bpf();\n");
        }
        return s.toString();
    }

    @Override
    public Integer call() throws Exception {
        // Open first, so a kernel without readable kcore fails here with the CLI's one-line error.
        if (!noKernel) {
            kernel = Kernel.open();
            bpf = new KernelBpf(kernel);
            Kernel.Kaslr k = kernel.kaslr();
            out.printf("bpf4j shell: kernel %s, _text 0x%x; 'kernel' and 'bpf' are ready; kernel.refresh() re-reads memory; /exit quits%n",
                    System.getProperty("os.version"), k.text());
        }
        try (StartupScript startup = StartupScript.of(startup(!noKernel))) {
            List<String> args = new ArrayList<>(List.of("--execution", "local", "--class-path", System.getProperty("java.class.path"),
                    "--startup", "DEFAULT", "--startup", startup.path()));
            return JavaShellToolBuilder.builder().in(in, null).out(out).start(args.toArray(new String[0]));
        } finally {
            if (bpf != null) bpf.close();
            kernel = null;
            bpf = null;
        }
    }
}
