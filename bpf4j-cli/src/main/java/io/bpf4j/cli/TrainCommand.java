package io.bpf4j.cli;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.Insn;
import io.bpf4j.cli.inspect.Inspector;
import io.bpf4j.internal.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Hidden: the workload the launcher runs once to train the JVM's AOT cache. It creates a map
 * and a program, so the per-object paths of inspect (open by id, info, fdinfo, slots, text and
 * JSON output) are loaded, linked and profiled, then closes everything. Prints nothing.
 */
@Command(name = "__train", hidden = true)
final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        PrintStream sink = new PrintStream(PrintStream.nullOutputStream());
        CommandLine.usage(new RootCommand(), sink);
        List<Insn> ret0 = new Asm().ret(0).assemble();
        // `inspect map dump` of a hash whose values have BTF: the batch walk and the formatter.
        io.bpf4j.btf.BtfBuilder bb = new io.bpf4j.btf.BtfBuilder();
        int u32 = bb.addInt("unsigned int", 4, 0), u64 = bb.addInt("unsigned long long", 8, 0);
        int val = bb.addStruct("v", 16, java.util.List.of(new io.bpf4j.btf.BtfType.Member("a", u64, 0, 0),
                new io.bpf4j.btf.BtfType.Member("b", u32, 64, 0), new io.bpf4j.btf.BtfType.Member("c", u32, 96, 3)));
        try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 1).withName("bpf4j_train"));
             BpfProgram p = BpfProgram.load(ProgramSpec.of(ProgType.SOCKET_FILTER, ret0, "GPL").withName("bpf4j_train"));
             io.bpf4j.BtfHandle btf = io.bpf4j.BtfHandle.load(bb.toBytes());
             BpfMap hash = BpfMap.create(MapSpec.of(MapType.HASH, 4, 16, 512).withName("bpf4j_train").withBtf(btf, u32, val))) {
            for (int k = 0; k < 512; k++) hash.update(new byte[] {(byte) k, (byte) (k >> 8), 0, 0}, new byte[16], BpfMap.ANY);
            progs.update(new byte[4], new byte[] {(byte) p.fd().raw(), (byte) (p.fd().raw() >> 8), 0, 0}, BpfMap.ANY);
            // The per-object paths on our own two objects, by id, as often as a large listing
            // runs them: the time to train must not grow with the objects the kernel holds.
            io.bpf4j.cli.inspect.FastInspect.train(sink, p.id(), progs.id());
            for (int i = 0; i < 50; i++) {
                Inspector in = new Inspector();
                sink.print(Json.write(in.program(p.id(), true)));
                sink.print(Json.write(in.map(progs.id(), true)));
            }
            // The command paths themselves (picocli parsing, text output), output discarded;
            // those that list every object once.
            PrintStream out = System.out, err = System.err;
            try {
                System.setOut(sink);
                System.setErr(sink);
                for (String[] args : new String[][] {{"--version"}, {"inspect", "prog", String.valueOf(p.id())},
                        {"inspect", "prog", String.valueOf(p.id()), "--details", "--source", "uapi"},
                        {"inspect", "map", String.valueOf(progs.id()), "--details", "--source", "uapi"},
                        {"inspect", "map", "dump", String.valueOf(hash.id())}, {"inspect", "map", "dump", String.valueOf(hash.id()), "--json"},
                        {"inspect", "map", "dump", String.valueOf(hash.id()), "--raw"}, {"inspect", "map", "dump", String.valueOf(progs.id())}}) {
                    for (int i = 0; i < 5; i++) Main.run(args);
                }
                for (String[] args : new String[][] {{"inspect"}, {"inspect", "--json"}, {"inspect", "prog"}, {"inspect", "map"}})
                    Main.run(args);
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
        } catch (BpfException e) {
            return 1; // not root, or a kernel that refuses: train on what ran
        }
        return 0;
    }
}
