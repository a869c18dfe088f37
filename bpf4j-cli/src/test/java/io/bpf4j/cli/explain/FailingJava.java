package io.bpf4j.cli.explain;

import io.bpf4j.BpfException;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgArray;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.Reg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Failing programs written with bpf4j's library, run as COMMAND under explain: a JVM (many
 * threads) whose calls fail as a Java user's would. Before each case it writes "CASE name" to
 * stderr; each failure's BpfException message (with the library's own hint) goes to stdout.
 */
public final class FailingJava {
    private FailingJava() {}

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static BpfProgram load(ProgType t, String name, int ret) {
        return BpfProgram.load(ProgramSpec.of(t, new Asm().mov64(Reg.R0, ret).exit().bytes(), "GPL").withName(name));
    }

    static void mark(String name) {
        System.err.println("CASE " + name);
        System.err.flush();
    }

    static void run(String name, Runnable r) {
        mark(name);
        try {
            r.run();
            System.out.println(name + ": no failure");
        } catch (BpfException e) {
            System.out.println(name + ": " + e.getMessage());
        }
    }

    public static void main(String[] args) {
        run("java-prog-array-owner", () -> {
            try (BpfMap progs = BpfMap.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 2).withName("jprogs"));
                 BpfProgram kprobe = load(ProgType.KPROBE, "j_kprobe", 0);
                 BpfProgram xdp = load(ProgType.XDP, "j_xdp", 2)) {
                ProgArray a = new ProgArray(progs);
                a.set(0, kprobe);
                a.set(1, xdp);
            }
        });
        run("java-array-index", () -> {
            try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("jarr"))) {
                m.update(u32(4), new byte[8], BpfMap.ANY);
            }
        });
        run("java-frozen", () -> {
            try (BpfMap m = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("jcfg"))) {
                m.freeze();
                m.update(u32(0), new byte[8], BpfMap.ANY);
            }
        });
        run("java-hash-full", () -> {
            try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 1).withName("jhash"))) {
                m.update(u32(1), new byte[8], BpfMap.ANY);
                m.update(u32(2), new byte[8], BpfMap.ANY);
            }
        });
        System.out.println("java: done");
    }
}
