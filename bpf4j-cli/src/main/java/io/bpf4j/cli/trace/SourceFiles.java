package io.bpf4j.cli.trace;

import io.bpf4j.BpfException;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.tools.trace.KernelFunction;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The source file each core-kernel function was compiled from, for source-path patterns
 * ({@code -a ':kernel/bpf/*.c'}): the running kernel's address moved back by the KASLR slide,
 * looked up in the compile units of the DWARF vmlinux {@link Vmlinux#find} chooses (its build id
 * must be the running kernel's).
 */
final class SourceFiles {
    private SourceFiles() {}

    static Function<KernelFunction, String> of(Path vmlinux, PrintStream err) {
        Path v = Vmlinux.find(vmlinux, err).orElseThrow(() -> new BpfException(
                "source-path patterns need a vmlinux with DWARF of this kernel: -k VMLINUX or $BPF4J_VMLINUX (Debian: linux-image-*-dbg)"));
        try (ElfFile elf = ElfFile.open(v)) {
            DwarfUnits units = DwarfUnits.read(elf, v);
            long slide = Vmlinux.slide(Vmlinux.stext(elf, v));
            return f -> f.module() != null ? null : units.unitOf(f.address() - slide);
        }
    }
}
