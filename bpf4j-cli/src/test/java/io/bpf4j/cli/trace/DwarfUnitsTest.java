package io.bpf4j.cli.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Source-path globs read compile units from DWARF: here gcc's own output for two files in two
 * directories (DWARF 5 with .debug_line_str names on Debian 12's gcc 12, and DWARF 4 with
 * .debug_str), checked against the addresses nm gives for each function.
 */
class DwarfUnitsTest {
    static Path build(Path dir, String dwarf) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("a.c"), "int fa(int x) { return x + 1; }\nint fa2(void) { return 3; }\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/b.c"), "static int fb_helper(int y) { return y * 2; }\nint fb(int y) { return fb_helper(y) + 1; }\n");
        Path out = dir.resolve("ab-" + dwarf);
        Process p = new ProcessBuilder("gcc", "-g" + dwarf, "-O1", "-fno-inline", "-nostdlib", "-static", "-Wl,-e,fa", "-o", out.toString(),
                "a.c", "sub/b.c").directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        return out;
    }

    static Map<String, Long> nm(Path elf) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nm", elf.toString()).start();
        Map<String, Long> out = new HashMap<>();
        for (String l : new String(p.getInputStream().readAllBytes()).split("\n")) {
            String[] f = l.trim().split(" ");
            if (f.length == 3 && (f[1].equals("T") || f[1].equals("t"))) out.put(f[2], Long.parseUnsignedLong(f[0], 16));
        }
        p.waitFor();
        return out;
    }

    @Test
    void eachFunctionIsInTheUnitOfItsSourceFile(@TempDir Path dir) throws Exception {
        assumeTrue(new ProcessBuilder("gcc", "--version").start().waitFor() == 0, "no gcc");
        for (String dwarf : List.of("dwarf-5", "dwarf-4")) {
            Path elf = build(dir, dwarf);
            DwarfUnits u = DwarfUnits.read(elf);
            Map<String, Long> syms = nm(elf);
            assertEquals("a.c", u.unitOf(syms.get("fa")), dwarf);
            assertEquals("a.c", u.unitOf(syms.get("fa2")), dwarf);
            assertEquals("sub/b.c", u.unitOf(syms.get("fb")), dwarf);
            assertEquals("sub/b.c", u.unitOf(syms.get("fb_helper")), "a static function: " + dwarf);
            assertNull(u.unitOf(0x1000), "below every unit");
            assertEquals(2, u.size(), dwarf);
        }
    }

    @Test
    void aFileWithoutDwarfIsOneClearError(@TempDir Path dir) throws Exception {
        assumeTrue(new ProcessBuilder("gcc", "--version").start().waitFor() == 0, "no gcc");
        Path elf = build(dir, "dwarf-5");
        Path stripped = dir.resolve("stripped");
        assertEquals(0, new ProcessBuilder("strip", "-g", "-o", stripped.toString(), elf.toString()).start().waitFor());
        assertTrue(assertThrows(io.bpf4j.BpfFormatException.class, () -> DwarfUnits.read(stripped)).getMessage()
                .endsWith(": no DWARF compile unit ranges (.debug_aranges, .debug_info, .debug_abbrev)"));
    }
}
