package io.bpf4j.cli;

import io.bpf4j.btf.Btf;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bpf4j btf}: BTF as bpftool shows it, read by bpf4j's own parser. */
@Command(name = "btf", mixinStandardHelpOptions = true, description = "Dump BTF type information.",
        subcommands = BtfCommand.Dump.class)
public final class BtfCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Output formats of {@code btf dump}, named as bpftool names them. */
    enum Format {
        raw,
        c
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = {"Dump BTF: the types as bpftool's 'format raw' (default), or a C header (vmlinux.h) with --format c.",
                "FILE is raw BTF (/sys/kernel/btf/*) or an ELF file whose .BTF section is dumped (a BPF object, a kernel module, a vmlinux)."})
    static final class Dump implements Callable<Integer> {
        static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

        @Option(names = "--format", defaultValue = "raw", description = "raw or c (default: ${DEFAULT-VALUE}).")
        Format format;

        @Option(names = {"-B", "--base"}, paramLabel = "BASE",
                description = {"Base BTF of a split BTF FILE. Default for /sys/kernel/btf/<module>: the kernel's vmlinux."})
        Path base;

        @Parameters(arity = "0..2", paramLabel = "FILE | id ID",
                description = "Raw BTF or ELF file (default: /sys/kernel/btf/vmlinux), or `id ID` for a BTF object loaded in the kernel.")
        java.util.List<String> source = java.util.List.of();

        @Override
        public Integer call() {
            Btf btf = load();
            PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16));
            out.print(format == Format.c ? btf.dumpC() : btf.dumpRaw());
            out.flush();
            return 0;
        }

        /** Where the BTF comes from: a file, or a kernel BTF object by id. */
        private Btf load() {
            if (source.size() == 2 && source.get(0).equals("id")) return loadById(source.get(1));
            if (source.size() > 1) throw new io.bpf4j.cli.support.UsageException("expected FILE or `id ID`, got " + String.join(" ", source));
            Path file = source.isEmpty() ? VMLINUX : Path.of(source.get(0));
            Btf baseBtf = base != null ? BtfFile.read(base, null) : null;
            if (baseBtf == null && isKernelModuleBtf(file)) baseBtf = Btf.kernel();
            return BtfFile.read(file, baseBtf);
        }

        /** Program, map and module BTF by id; module BTF is split on the kernel's vmlinux. */
        private Btf loadById(String text) {
            int id;
            try {
                id = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new io.bpf4j.cli.support.UsageException("id must be a number, not " + text);
            }
            try (io.bpf4j.BtfHandle h = io.bpf4j.BtfHandle.fromId(id)) {
                io.bpf4j.BtfHandle.Info info = h.info();
                boolean split = info.kernel() && !"vmlinux".equals(info.name());
                Btf baseBtf = base != null ? Btf.read(base) : split ? Btf.kernel() : null;
                return Btf.parse(h.bytes(), baseBtf);
            }
        }

        private static boolean isKernelModuleBtf(Path p) {
            Path abs = p.toAbsolutePath().normalize();
            return abs.startsWith("/sys/kernel/btf") && !abs.equals(VMLINUX);
        }
    }
}
