package io.bpf4j.cli.inspect;

import io.bpf4j.BpfException;
import io.bpf4j.BpfProgram;
import io.bpf4j.ProgInfo;
import io.bpf4j.asm.Disassembler;
import io.bpf4j.kernel.Kallsyms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code bpf4j inspect prog dump xlated ID}: the kernel's rewritten instructions, as bpftool prints them. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Disassemble a loaded program: dump xlated ID (bpftool's text form).")
final class DumpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "xlated", description = "What to dump: xlated.")
    String what;

    @Parameters(index = "1", paramLabel = "ID")
    int id;

    @Override
    public Integer call() {
        if (!"xlated".equals(what)) throw new io.bpf4j.cli.support.UsageException("only 'xlated' is supported, not '" + what + "'");
        try (BpfProgram p = BpfProgram.fromId(id)) {
            byte[] insns = p.xlatedInstructions();
            if (insns.length == 0)
                throw new BpfException("dump xlated: the kernel hides instructions (needs CAP_BPF and kptr_restrict < 2)");
            ProgInfo info = p.info();
            Kallsyms ks = Kallsyms.load();
            long callBase = ks.first("__bpf_call_base").map(Kallsyms.Symbol::address).orElse(0L);
            Disassembler d = Disassembler.xlated(Disassembler.Symbols.kallsyms(callBase,
                    a -> ks.symbolize(a).filter(s -> s.address() == a).map(Kallsyms.Symbol::name).orElse(null),
                    info.jitedKsyms()));
            System.out.print(d.dump(insns));
            return 0;
        }
    }
}
