package io.bpf4j.cli.vm;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.Locale;
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
    void jsonParsesWithEveryFieldAndANumberOfSecondsEvenUnderAGermanLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            JsonArray a = JsonParser.parseString(MatrixCommand.json(ROWS)).getAsJsonArray();
            assertEquals(2, a.size());
            JsonObject first = a.get(0).getAsJsonObject();
            assertEquals(List.of("kernel", "release", "exit", "seconds", "last_line", "error"), List.copyOf(first.keySet()));
            assertEquals("5.10", first.get("kernel").getAsString());
            assertEquals(12.345, first.get("seconds").getAsDouble());
            assertEquals("ok \"quoted\"\ttab", first.get("last_line").getAsString());
            assertEquals(125, a.get(1).getAsJsonObject().get("exit").getAsInt());
            assertTrue(MatrixCommand.table(ROWS).contains("12.3s"), "the table's decimal point is a point too");
        } finally {
            Locale.setDefault(saved);
        }
    }
}
