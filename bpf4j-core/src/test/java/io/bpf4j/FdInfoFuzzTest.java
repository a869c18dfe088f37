package io.bpf4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.fixtures.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * {@code /proc/<pid>/fdinfo/<fd>} text from any bytes (ISO-8859-1, as {@link FdInfo} reads it).
 * FdInfo answers single fields by searching the text and builds the map of all fields only on
 * request: both ways must give the same value for every key, later lines winning, and a key the
 * map lacks must not be found by the search either.
 */
class FdInfoFuzzTest {
    static int check(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        FdInfo lazy = FdInfo.parse(text);
        // Single look-ups first, while no map exists, then the map.
        String[] keys = {"memlock", "frozen", "map_id", "prog_id", "link_id", "owner_prog_type", "owner_jited"};
        OptionalLong[] searched = new OptionalLong[keys.length];
        for (int i = 0; i < keys.length; i++) searched[i] = lazy.number(keys[i]);
        Map<String, String> fields = FdInfo.parse(text).fields();
        for (int i = 0; i < keys.length; i++) {
            assertEquals(number(fields.get(keys[i])), searched[i], keys[i]);
            assertEquals(fields.get(keys[i]), lazy.value(keys[i]), keys[i]);
        }
        for (Map.Entry<String, String> f : fields.entrySet()) {
            assertTrue(!f.getKey().isEmpty() && f.getKey().indexOf(':') < 0 && f.getKey().indexOf('\n') < 0, f.getKey());
            assertEquals(f.getValue(), lazy.value(f.getKey()), "key '" + f.getKey() + "'");
            assertEquals(number(f.getValue()), lazy.number(f.getKey()), "key '" + f.getKey() + "'");
        }
        assertEquals(fields, lazy.fields());
        assertEquals(FdInfo.parse(text), lazy);
        return fields.size();
    }

    /** How FdInfo reads a number: 0x-prefixed hex, or decimal; anything else is absent. */
    private static OptionalLong number(String v) {
        if (v == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @FuzzTest
    void parse(byte[] data) {
        check(data);
    }

    @Test
    void theCommittedCorpusHoldsFields() {
        List<byte[]> inputs = FuzzInputs.of(FdInfoFuzzTest.class, "parse");
        int withFields = 0;
        for (byte[] in : inputs) if (check(in) > 0) withFields++;
        assertTrue(inputs.size() >= 5 && withFields * 2 >= inputs.size(), withFields + " of " + inputs.size() + " inputs hold fields");
    }
}
