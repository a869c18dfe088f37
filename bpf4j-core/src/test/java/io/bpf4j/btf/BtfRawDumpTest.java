package io.bpf4j.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our raw dump is bpftool's, byte for byte: on the running kernel's BTF and on every kind. */
class BtfRawDumpTest {
    @Test
    void vmlinuxDumpEqualsBpftoolsWholeOutput() {
        String expected = BtfFixtures.bpftool("btf", "dump", "file", BtfFixtures.VMLINUX.toString(), "format", "raw");
        String ours = Btf.read(BtfFixtures.VMLINUX).dumpRaw();
        if (!expected.equals(ours)) {
            // Show the first differing line rather than a 20 MB assertion message.
            List<String> e = expected.lines().toList(), o = ours.lines().toList();
            for (int i = 0; i < Math.min(e.size(), o.size()); i++) assertEquals(e.get(i), o.get(i), "line " + (i + 1));
            assertEquals(e.size(), o.size(), "line count");
            assertEquals(expected, ours);
        }
    }

    @Test
    void everyKindDumpEqualsBpftools(@TempDir Path dir) {
        byte[] bytes = BtfFixtures.everyKind().toBytes();
        Path file = BtfFixtures.write(dir, "every.btf", bytes);
        assertEquals(BtfFixtures.bpftool("btf", "dump", "file", file.toString(), "format", "raw"), Btf.parse(bytes).dumpRaw());
    }

    @Test
    void splitDumpShowsOnlyTheSplitTypesLikeBpftool(@TempDir Path dir) {
        byte[] baseBytes = BtfFixtures.everyKind().toBytes();
        Btf base = Btf.parse(baseBytes);
        BtfBuilder mod = new BtfBuilder(base);
        int p = mod.addPtr(11);
        mod.addStruct("mod_s", 16, List.of(new BtfType.Member("node", p, 0, 0), new BtfType.Member("mod_only_name", 1, 64, 0)));
        mod.addTypedef("state_t", 15);
        byte[] split = mod.toBytes();
        Path baseFile = BtfFixtures.write(dir, "base.btf", baseBytes);
        Path splitFile = BtfFixtures.write(dir, "split.btf", split);
        String expected = BtfFixtures.bpftool("btf", "dump", "-B", baseFile.toString(), "file", splitFile.toString(), "format", "raw");
        assertEquals(expected, Btf.parse(split, base).dumpRaw());
    }
}
