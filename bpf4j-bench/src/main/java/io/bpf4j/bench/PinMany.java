package io.bpf4j.bench;

import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.bpf4j.asm.Reg.R0;
import static io.bpf4j.asm.Reg.R1;

/**
 * Loads N programs and N maps and pins them under a bpffs directory, so that `bpf4j inspect`
 * and bpftool can be timed on a kernel holding many objects. Usage: PinMany DIR N.
 * Each program references one of the maps, as real programs do.
 */
public final class PinMany {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("bench_m" + i))) {
                byte[] insns = new Asm().ldMapFd(R1, m.fd().raw()).mov64(R0, 2).exit().bytes();
                try (BpfProgram p = BpfProgram.load(ProgramSpec.of(ProgType.XDP, insns, "GPL").withName("bench_p" + i))) {
                    m.pin(dir.resolve("m" + i).toString());
                    p.pin(dir.resolve("p" + i).toString());
                }
            }
        }
    }
}
