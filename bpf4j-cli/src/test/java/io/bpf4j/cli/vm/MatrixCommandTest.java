package io.bpf4j.cli.vm;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatrixCommandTest {

    private static final List<MatrixCommand.Row> ROWS = List.of(
            new MatrixCommand.Row("5.10", "5.10.0-32-amd64", 0, Duration.ofMillis(12_345), "ok \"quoted\"\ttab", ""),
            new MatrixCommand.Row("latest", "-", 125, Duration.ofMillis(800), "", "panic: Kernel panic - not syncing: VFS"));

    @Test
    void tableHasOneAlignedRowPerKernelAndShowsErrorsInPlaceOfTheLastLine() {
        List<String> lines = MatrixCommand.table(ROWS).lines().toList();
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).startsWith("KERNEL  UNAME-R"), lines.get(0));
        int col = lines.get(0).indexOf("EXIT");
        assertEquals(lines.get(1).indexOf("   0") + 3, col + 3, "exit codes right-aligned under EXIT:\n" + String.join("\n", lines));
        assertTrue(lines.get(1).contains("12.3s") && lines.get(1).endsWith("ok \"quoted\"\ttab"), lines.get(1));
        assertTrue(lines.get(2).contains(" 125 ") && lines.get(2).endsWith("panic: Kernel panic - not syncing: VFS"), lines.get(2));
    }

    @Test
    void jsonEscapesQuotesAndControlCharacters() {
        String j = MatrixCommand.json(ROWS);
        assertTrue(j.contains("\"last_line\": \"ok \\\"quoted\\\"\\ttab\""), j);
        assertTrue(j.contains("\"seconds\": 12.345"), j);
        assertTrue(j.strip().startsWith("[") && j.strip().endsWith("]"), j);
        assertEquals("\"\\u0001\\\\\"", MatrixCommand.str("\u0001\\"));
    }
}
