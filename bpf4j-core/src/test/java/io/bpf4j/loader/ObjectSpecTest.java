package io.bpf4j.loader;

import io.bpf4j.BpfFormatException;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.CallKind;
import io.bpf4j.asm.Insn;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Committed objects read into specs, checked against the ELF and against bpftool. */
class ObjectSpecTest {
    @Test
    void programsComeFromSectionsWithTheirSubprogramsAppended() {
        ObjectSpec s = Objects.spec("globals.bpf.o");
        assertEquals("globals", s.name());
        assertEquals("GPL", s.license());
        assertEquals(List.of("xdp_count", "sock_len", "kprobe_nanosleep"), s.programs().stream().map(ProgramSpec::name).toList());
        ProgramSpec xdp = s.program("xdp_count");
        assertEquals(ProgType.XDP, xdp.type());
        assertEquals(List.of("add_len", "count_slot"), xdp.subprograms(), "in call order, each once");
        ProgramSpec kp = s.program("kprobe_nanosleep");
        assertEquals("do_nanosleep", kp.attachTarget());
        assertEquals("kprobe/do_nanosleep", kp.sectionName());
        assertEquals(List.of("count_slot"), kp.subprograms());
        // Sizes add up from the symbol table: main function then each appended subprogram.
        ElfFile elf = ElfFile.parse(Objects.bytes("globals.bpf.o"));
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (ElfSymbol sym : elf.symbols()) if (sym.type() == ElfSymbol.STT_FUNC) sizes.put(sym.name(), sym.size() / 8);
        for (ProgramSpec p : s.programs()) {
            long want = sizes.get(p.name());
            for (String sub : p.subprograms()) want += sizes.get(sub);
            assertEquals(want, p.instructionCount(), p.name());
            // func_info: the program at 0, then each subprogram where it was appended.
            assertEquals(1 + p.subprograms().size(), p.funcInfo().size(), p.name());
            assertEquals(0, p.funcInfo().getFirst().insnOff());
            assertEquals(sizes.get(p.name()).intValue(), p.funcInfo().get(1).insnOff());
            // Every call to a subprogram lands on a func_info boundary.
            int slot = 0;
            for (Insn i : p.instructions()) {
                if (i instanceof Insn.Call c && c.kind() == CallKind.SUBPROG) {
                    int target = slot + 1 + c.imm();
                    assertTrue(p.funcInfo().stream().anyMatch(f -> f.insnOff() == target), p.name() + " call at " + slot + " to " + target);
                }
                slot += i.slots();
            }
        }
    }

    @Test
    void globalDataSectionsBecomeMmapableArrayMapsWithVariables() {
        ObjectSpec s = Objects.spec("globals.bpf.o");
        MapSpec ro = s.map(".rodata");
        assertEquals(MapSpec.Kind.RODATA, ro.kind());
        assertEquals(MapType.ARRAY, ro.type());
        assertEquals(MapSpec.F_MMAPABLE | MapSpec.F_RDONLY_PROG, ro.flags());
        assertEquals(16, ro.valueSize());
        assertEquals(MapSpec.Kind.BSS, s.map(".bss").kind());
        assertEquals(MapSpec.Kind.DATA, s.map(".data.custom").kind());
        assertEquals(MapSpec.Kind.RODATA, s.map(".rodata.custom").kind());
        assertEquals(new Variable("magic", ".rodata", 8, 8, s.variable("magic").btfTypeId()), s.variable("magic"));
        assertEquals(".bss", s.variable("static_hits").map(), "static variables too");
        assertEquals(100, s.map(".data").contentsBytes()[0]);
        s.setVariable("verdict", 1);
        assertEquals(1, s.map(".rodata").contentsBytes()[0]);
        assertThrows(io.bpf4j.BpfException.class, () -> s.setVariable("verdict", new byte[8]), "size checked");
        // The data map's BTF value type is its DATASEC, now sized like the section.
        var ds = (io.bpf4j.btf.BtfType.Datasec) s.btf().typeById(ro.btfValueTypeId());
        assertEquals(".rodata", ds.name());
        assertEquals(16, ds.size());
    }

    @Test
    void btfMapsCarryEveryAttribute() {
        ObjectSpec s = Objects.spec("maps.bpf.o");
        MapSpec outer = s.map("outer");
        assertEquals(MapType.ARRAY_OF_MAPS, outer.type());
        assertEquals(4, outer.maxEntries());
        assertEquals(MapType.ARRAY, outer.innerMap().type());
        assertEquals(8, outer.innerMap().valueSize());
        assertEquals(2, outer.innerMap().maxEntries());
        assertEquals(Map.of(0, "inner_a", 3, "inner_b"), outer.initialSlots());
        MapSpec lru = s.map("pinned_lru");
        assertEquals(MapType.LRU_HASH, lru.type());
        assertEquals(8, lru.keySize());
        assertEquals(16, lru.valueSize());
        assertEquals(32, lru.maxEntries());
        assertEquals(MapSpec.F_NO_COMMON_LRU, lru.flags());
        assertEquals(MapSpec.Pinning.BY_NAME, lru.pinning());
        assertEquals(0, lru.btfKeyTypeId(), "sizes only, no BTF types");
        assertEquals(MapType.RINGBUF, s.map("events").type());
        assertEquals(4096, s.map("events").maxEntries());
        assertEquals(MapType.PERF_EVENT_ARRAY, s.map("perf").type());
        assertEquals(0, s.map("perf").maxEntries(), "filled with the CPU count at load");
        MapSpec jumps = s.map("jumps");
        assertEquals(MapType.PROG_ARRAY, jumps.type());
        assertEquals(Map.of(0, "tail_0", 2, "tail_2"), jumps.initialSlots());
        MapSpec inner = s.map("inner_a");
        assertTrue(inner.btfKeyTypeId() > 0 && inner.btfValueTypeId() > 0);
        assertEquals("unsigned long long", s.btf().resolve(inner.btfValueTypeId()).name());
    }

    @Test
    void aMapsNumaNodeComesFromItsBtfDefinition() {
        MapSpec far = Objects.spec("numa.bpf.o").map("far");
        assertEquals(1000, far.numaNode());
        assertEquals(MapSpec.F_NUMA_NODE, far.flags());
        assertEquals(MapType.HASH, far.type());
        assertEquals(8, far.maxEntries());
    }

    @Test
    void aCallOfAnExternKernelFunctionIsAKfuncCallNamingIt() {
        ProgramSpec p = Objects.spec("kfunc.bpf.o").program("kern_ctx");
        assertEquals(List.of(new ProgramSpec.Reference(0, ProgramSpec.Reference.Kind.KFUNC, "bpf_cast_to_kern_ctx")), p.references());
        assertEquals(new Insn.Call(CallKind.KFUNC, 0, 0), p.instructions().getFirst(), "its BTF id is filled in at load");
        assertEquals(ProgType.XDP, p.type());
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /**
     * Our BTF equals bpftool's dump of the file, except that DATASEC sizes and variable offsets
     * are filled in from the section sizes and symbol values llvm-objdump reports.
     */
    @Test
    void btfIsBpftoolsWithDatasecsFixedFromTheElf(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/bpftool")), "tool 'bpftool' is not installed");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/llvm-objdump")), "tool 'llvm-objdump' is not installed");
        for (String name : List.of("globals.bpf.o", "maps.bpf.o", "core.bpf.o", "lab.bpf.o")) {
            Path f = Objects.file(dir, name);
            Map<String, Long> secSize = new java.util.HashMap<>();
            Pattern row = Pattern.compile("^\\s*\\d+ (\\S+)\\s+([0-9a-f]{8}) .*");
            for (String l : run("llvm-objdump", "-h", f.toString()).lines().toList()) {
                Matcher m = row.matcher(l);
                if (m.matches()) secSize.put(m.group(1), Long.parseLong(m.group(2), 16));
            }
            Map<String, Long> symValue = new java.util.HashMap<>();
            Pattern sym = Pattern.compile("^([0-9a-f]{16}) .{6}O (\\S+)\\t[0-9a-f]{16} (\\S+)$");
            for (String l : run("llvm-objdump", "-t", f.toString()).lines().toList()) {
                Matcher m = sym.matcher(l);
                if (m.matches()) symValue.put(m.group(2) + "/" + m.group(3), Long.parseLong(m.group(1), 16));
            }
            List<String> want = new ArrayList<>();
            String datasec = null;
            List<String> vars = new ArrayList<>();
            Pattern dsRow = Pattern.compile("^\\[(\\d+)\\] DATASEC '(.*)' size=0 vlen=(\\d+)$");
            Pattern varRow = Pattern.compile("^\\ttype_id=(\\d+) offset=(\\d+) size=(\\d+) \\(VAR '(.*)'\\)$");
            for (String l : run("bpftool", "btf", "dump", "file", f.toString()).lines().toList()) {
                Matcher d = dsRow.matcher(l), v = varRow.matcher(l);
                if (d.matches()) {
                    flush(want, vars);
                    datasec = d.group(2);
                    want.add(l.replace("size=0", "size=" + secSize.get(datasec)));
                } else if (datasec != null && v.matches()) {
                    Long off = symValue.get(datasec + "/" + v.group(4));
                    long o = off != null ? off : Long.parseLong(v.group(2));
                    vars.add(String.format("%010d", o) + "\ttype_id=" + v.group(1) + " offset=" + o + " size=" + v.group(3) + " (VAR '" + v.group(4) + "')");
                } else {
                    flush(want, vars);
                    datasec = null;
                    want.add(l);
                }
            }
            flush(want, vars);
            List<String> got = Objects.spec(name).btf().dumpRaw().lines().toList();
            for (int i = 0; i < Math.min(want.size(), got.size()); i++) assertEquals(want.get(i), got.get(i), name + " line " + i);
            assertEquals(want.size(), got.size(), name + " lines");
        }
    }

    /** Variables in offset order, as the loader sorts them for the kernel. */
    private static void flush(List<String> out, List<String> vars) {
        vars.sort(null);
        for (String v : vars) out.add(v.substring(10));
        vars.clear();
    }

    @Test
    void btfExtRecordsAreMappedIntoEachProgram() {
        ObjectSpec s = Objects.spec("core.bpf.o");
        ProgramSpec p = s.program("core_read");
        assertFalse(p.lineInfo().isEmpty());
        assertTrue(p.lineInfo().stream().allMatch(l -> l.insnOff() >= 0 && l.insnOff() < p.instructionCount()));
        assertEquals(0, p.lineInfo().getFirst().insnOff());
        String file = s.btf().string(p.lineInfo().getFirst().fileNameOff());
        assertTrue(file.endsWith("core.bpf.c"), file);
        assertFalse(file.startsWith("/"), "no build path in the committed object: " + file);
        assertEquals(p.coreRelos().size(), 23);
        assertTrue(p.coreRelos().stream().allMatch(r -> r.insn() < p.instructionCount()));
    }

    @Test
    void badInputIsAFormatErrorNamingIt() {
        var e = assertThrows(BpfFormatException.class, () -> ObjectSpec.parse(new byte[3], "x"));
        assertTrue(e.getMessage().startsWith("ELF:"), e.getMessage());
        var e2 = assertThrows(io.bpf4j.BpfException.class, () -> ObjectSpec.resource("/nope.bpf.o"));
        assertTrue(e2.getMessage().contains("not found"), e2.getMessage());
        assertThrows(io.bpf4j.BpfException.class, () -> Objects.spec("globals.bpf.o").program("nope"));
    }
}
