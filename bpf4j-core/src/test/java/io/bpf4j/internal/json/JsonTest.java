package io.bpf4j.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the writer escapes in strings. */
class JsonTest {
    /**
     * Found by fuzzing (JsonFuzzTest): an unpaired surrogate went out as is, and UTF-8 output
     * turned it into '?', so the JSON no longer held the string. C1 controls and U+2028/9 are
     * escaped too: a terminal may act on U+009B, JavaScript reads U+2028 as a line end.
     */
    @Test
    void unpairedSurrogatesC1ControlsAndLineSeparatorsAreEscaped() {
        String json = Json.write(List.of("\ud800x", "y\udc00", "\u009b\u007f", "\u2028\u2029", "🙂", "\u001b\n"));
        assertEquals("[\"\\ud800x\",\"y\\udc00\",\"\\u009b\\u007f\",\"\\u2028\\u2029\",\"🙂\",\"\\u001b\\n\"]", json);
        assertEquals(json, new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), "survives UTF-8");
    }
}
