package io.bpf4j.elf;

import io.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** ElfFile against llvm-objdump on the committed objects; hostile bytes are ObjectFuzzTest's. */
class ElfFileTest {
    static final List<String> OBJECTS = List.of("globals.bpf.o", "core.bpf.o", "maps.bpf.o", "lab.bpf.o", "lab_target.bpf.o");

    static byte[] object(String name) throws IOException {
        try (InputStream in = ElfFileTest.class.getResourceAsStream("/io/bpf4j/loader/" + name)) {
            assertNotNull(in, "missing test object " + name);
            return in.readAllBytes();
        }
    }

    static String objdump(Path file, String... flags) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/llvm-objdump")), "tool 'llvm-objdump' is not installed");
        List<String> cmd = new ArrayList<>(List.of("llvm-objdump"));
        cmd.addAll(List.of(flags));
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void sectionsMatchLlvmObjdump(@TempDir Path dir) throws Exception {
        for (String name : OBJECTS) {
            byte[] b = object(name);
            Path f = dir.resolve(name);
            Files.write(f, b);
            ElfFile elf = ElfFile.parse(b);
            // "  3 xdp   00000148 0000000000000000 TEXT"
            Pattern row = Pattern.compile("^\\s*(\\d+) (\\S*)\\s+([0-9a-f]{8}) ([0-9a-f]{16})\\s*(\\S*)\\s*$");
            int rows = 0;
            for (String line : objdump(f, "-h").lines().toList()) {
                Matcher m = row.matcher(line);
                if (!m.matches()) continue;
                ElfSection s = elf.sections().get(Integer.parseInt(m.group(1)));
                assertEquals(m.group(2), s.name(), name + " section " + s.index());
                assertEquals(Long.parseLong(m.group(3), 16), s.size(), name + " " + s.name() + " size");
                String kind = m.group(5);
                assertEquals(kind.equals("TEXT"), s.executable(), name + " " + s.name() + " TEXT");
                assertEquals(kind.equals("BSS"), s.type() == ElfFile.SHT_NOBITS, name + " " + s.name() + " BSS");
                rows++;
            }
            assertEquals(elf.sections().size(), rows, name + ": every section listed");
        }
    }

    @Test
    void symbolsMatchLlvmObjdump(@TempDir Path dir) throws Exception {
        for (String name : OBJECTS) {
            byte[] b = object(name);
            Path f = dir.resolve(name);
            Files.write(f, b);
            ElfFile elf = ElfFile.parse(b);
            // "0000000000000000 g     F xdp	0000000000000148 xdp_count"
            Pattern row = Pattern.compile("^([0-9a-f]{16}) (.{7}) (\\S+)\\t([0-9a-f]{16}) ?(.*)$");
            List<String> want = new ArrayList<>(), got = new ArrayList<>();
            for (String line : objdump(f, "-t").lines().toList()) {
                Matcher m = row.matcher(line);
                if (!m.matches()) continue;
                String flags = m.group(2);
                String type = flags.contains("F") ? "func" : flags.contains("O") ? "object" : flags.contains("d") ? "section" : "other";
                want.add(m.group(5) + " " + Long.parseLong(m.group(1), 16) + " " + Long.parseLong(m.group(4), 16) + " "
                        + (flags.charAt(0) == 'g' ? "global" : "local") + " " + type + " " + m.group(3));
            }
            for (ElfSymbol s : elf.symbols()) {
                if (s.index() == 0) continue;
                String type = switch (s.type()) {
                    case ElfSymbol.STT_FUNC -> "func";
                    case ElfSymbol.STT_OBJECT -> "object";
                    case ElfSymbol.STT_SECTION -> "section";
                    default -> "other";
                };
                String sec = s.section() == ElfSymbol.SHN_ABS ? "*ABS*" : s.section() == 0 ? "*UND*" : elf.sections().get(s.section()).name();
                if (type.equals("section")) {
                    got.add(sec + " " + s.value() + " " + s.size() + " " + (s.isGlobal() ? "global" : "local") + " " + type + " " + sec);
                } else {
                    got.add(s.name() + " " + s.value() + " " + s.size() + " " + (s.isGlobal() ? "global" : "local") + " " + type + " " + sec);
                }
            }
            // llvm-objdump lists the FILE symbol with type "df": compare it as "other".
            want.replaceAll(w -> w.endsWith(" section *ABS*") ? w.replace(" section ", " other ") : w);
            assertEquals(want, got, name);
        }
    }

    @Test
    void relocationsMatchLlvmObjdump(@TempDir Path dir) throws Exception {
        for (String name : OBJECTS) {
            byte[] b = object(name);
            Path f = dir.resolve(name);
            Files.write(f, b);
            ElfFile elf = ElfFile.parse(b);
            List<String> want = new ArrayList<>(), got = new ArrayList<>();
            String section = null;
            for (String line : objdump(f, "-r").lines().toList()) {
                if (line.startsWith("RELOCATION RECORDS FOR [")) section = line.substring(24, line.length() - 2);
                else if (line.matches("^[0-9a-f]{16} .*")) {
                    String[] p = line.split("\\s+");
                    want.add(section + " " + Long.parseLong(p[0], 16) + " " + p[1] + " " + (p.length > 2 ? p[2] : ""));
                }
            }
            for (ElfSection rs : elf.relocationSections()) {
                String target = elf.sections().get(rs.info()).name();
                for (ElfRelocation r : elf.relocations(rs)) {
                    ElfSymbol s = elf.symbols().get(r.symbol());
                    String sym = s.type() == ElfSymbol.STT_SECTION ? elf.sections().get(s.section()).name() : s.name();
                    got.add(target + " " + r.offset() + " " + typeName(r.type()) + " " + sym);
                }
            }
            assertEquals(want, got, name);
        }
    }

    static String typeName(int t) {
        return switch (t) {
            case ElfRelocation.R_BPF_64_64 -> "R_BPF_64_64";
            case ElfRelocation.R_BPF_64_ABS64 -> "R_BPF_64_ABS64";
            case ElfRelocation.R_BPF_64_ABS32 -> "R_BPF_64_ABS32";
            case ElfRelocation.R_BPF_64_NODYLD32 -> "R_BPF_64_NODYLD32";
            case ElfRelocation.R_BPF_64_32 -> "R_BPF_64_32";
            default -> "R_BPF_" + t;
        };
    }

    @Test
    void rejectsWhatIsNotABpfRelocatableObject() {
        assertMessage(new byte[10], "shorter than the 64-byte ELF header");
        byte[] b = new byte[64];
        assertMessage(b, "bad magic");
        b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F'; b[4] = 1;
        assertMessage(b, "not a 64-bit");
        b[4] = 2; b[5] = 2;
        assertMessage(b, "big-endian");
        b[5] = 1; b[16] = 2;
        assertEquals(ElfFile.ET_EXEC, ElfFile.parse(b).type(), "an executable is an ELF file");
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> io.bpf4j.loader.ObjectSpec.parse(b, "x"));
        assertTrue(e.getMessage().contains("not a relocatable object"), e.getMessage());
    }

    static String run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    /** A non-PIE executable with a sha1 build id, as a kernel's vmlinux has one. */
    static Path executable(Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "tool 'gcc' is not installed");
        Path src = dir.resolve("toy.c");
        Files.writeString(src, "int answer(int x) { return x * 42; }\nint main(void) { return answer(1); }\n");
        Path exe = dir.resolve("toy");
        run(dir, "gcc", "-O0", "-no-pie", "-Wl,--build-id=sha1", "-o", exe.toString(), src.toString());
        return exe;
    }

    @Test
    void anOpenedExecutablesBuildIdAndSegmentsAreReadelfs(@TempDir Path dir) throws Exception {
        Path exe = executable(dir);
        String notes = run(dir, "readelf", "-n", exe.toString());
        String id = notes.lines().filter(l -> l.contains("Build ID:")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError(notes));
        // "  LOAD           0x000000 0x0000000000400000 0x0000000000400000 0x0004d8 0x0004d8 R   0x1000"
        Pattern load = Pattern.compile("^\\s+LOAD\\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x([0-9a-f]+) .*");
        List<String> want = new ArrayList<>();
        for (String l : run(dir, "readelf", "-lW", exe.toString()).lines().toList()) {
            Matcher m = load.matcher(l);
            if (m.matches()) want.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4));
        }
        try (ElfFile elf = ElfFile.open(exe)) {
            assertEquals(ElfFile.ET_EXEC, elf.type());
            assertEquals(java.util.Optional.of(id), elf.buildId());
            List<String> got = elf.segments().stream().filter(g -> g.type() == ElfFile.PT_LOAD).map(g -> Long.toHexString(g.offset())
                    + " " + Long.toHexString(g.vaddr()) + " " + Long.toHexString(g.fileSize()) + " " + Long.toHexString(g.memSize())).toList();
            assertEquals(want.stream().map(w -> w.replaceAll("\\b0+([0-9a-f])", "$1")).toList(), got);
        }
        Path text = dir.resolve("text");
        Files.writeString(text, "no ELF here, just a long enough line of text to fill an ELF header of 64 bytes....");
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> ElfFile.open(text).close());
        assertTrue(e.getMessage().startsWith(text + ": ELF: not an ELF file"), e.getMessage());
    }

    @Test
    void kernelNotesYieldTheGnuBuildIdAmongOtherNotes() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(6).putInt(4).putInt(0x100).put("Linux\0\0\0".getBytes(StandardCharsets.US_ASCII)).putInt(0x0a0b0c0d); // Xen-style note first
        b.putInt(4).putInt(3).putInt(3).put("GNU\0".getBytes(StandardCharsets.US_ASCII)).put(new byte[] {(byte) 0xde, (byte) 0xad, 0x01, 0});
        List<ElfNote> notes = ElfNote.parse(java.util.Arrays.copyOf(b.array(), b.position()));
        assertEquals(List.of("Linux", "GNU"), notes.stream().map(ElfNote::name).toList());
        assertEquals(java.util.Optional.of("dead01"), ElfFile.gnuBuildId(notes));
        // A note claiming 2 GB of name: parsing stops, nothing is made up.
        assertEquals(List.of(), ElfNote.parse(new byte[] {1, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 3, 0, 0, 0}));
    }

    @Test
    void aSymbolPastTheFirstMegabyteOfTheSymbolTableIsFoundByName(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "tool 'gcc' is not installed");
        // 60,000 symbols: a 1.4 MB .symtab, scanned in chunks; the one we want is last.
        StringBuilder asm = new StringBuilder(".text\n");
        for (int i = 0; i < 60_000; i++) asm.append(".globl f").append(i).append("\nf").append(i).append(": ret\n");
        Path src = dir.resolve("many.s");
        Files.writeString(src, asm);
        Path obj = dir.resolve("many.o");
        run(dir, "gcc", "-c", "-o", obj.toString(), src.toString());
        long nm = run(dir, "nm", obj.toString()).lines().filter(l -> l.endsWith(" T f59999")).map(l -> Long.parseUnsignedLong(l.split(" ")[0], 16))
                .findFirst().orElseThrow();
        try (ElfFile elf = ElfFile.open(obj)) {
            ElfSymbol f = elf.symbol("f59999").orElseThrow();
            assertEquals(nm, f.value());
            assertEquals(ElfSymbol.STB_GLOBAL, f.bind());
            assertEquals(elf.symbols().get(f.index()), f, "the scan and the whole table agree");
            assertEquals(java.util.Optional.empty(), elf.symbol("f60000"));
            assertEquals(java.util.Optional.empty(), elf.symbol("f"), "a prefix of every name is not a match");
        }
    }

    static void assertMessage(byte[] b, String part) {
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> ElfFile.parse(b));
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT)), e.getMessage());
    }
}
