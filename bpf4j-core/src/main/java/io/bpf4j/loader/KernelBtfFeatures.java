package io.bpf4j.loader;

import io.bpf4j.BpfException;
import io.bpf4j.BtfHandle;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;

import java.util.List;
import java.util.function.Consumer;

/**
 * Which BTF kinds the running kernel accepts, each probed once by loading the smallest BTF
 * that uses it (as libbpf's {@code kernel_supports} does). Decides what {@link BtfPatcher#sanitize}
 * rewrites.
 */
final class KernelBtfFeatures {
    private KernelBtfFeatures() {}

    private static volatile BtfPatcher.KernelBtf cached;

    static BtfPatcher.KernelBtf get() {
        BtfPatcher.KernelBtf k = cached;
        if (k == null) {
            k = new BtfPatcher.KernelBtf(
                    probe(b -> b.addFloat("float", 4)),                                   // 5.13
                    probe(b -> {
                        int s = b.addStruct("s", 4, List.of(new BtfType.Member("a", 1, 0, 0)));
                        b.addDeclTag("tag", s, -1);                                       // 5.16
                    }),
                    probe(b -> b.addPtr(b.addTypeTag("tag", 1))),                          // 5.17
                    probe(b -> b.addEnum64("e", 8, false, List.of(new BtfType.EnumValue("v", 1L << 40))))); // 6.0
            cached = k;
        }
        return k;
    }

    private static boolean probe(Consumer<BtfBuilder> add) {
        BtfBuilder b = new BtfBuilder();
        b.addInt("int", 4, BtfType.Int.SIGNED);
        add.accept(b);
        try (BtfHandle h = BtfHandle.load(b.toBytes())) {
            return true;
        } catch (BpfException e) {
            return false;
        }
    }
}
