package io.bpf4j.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The JSON writer of every {@code --json} output, against a parser that is not ours: any value
 * tree the writer takes (maps, lists, strings with any characters, numbers of every boxed type,
 * int and long arrays) is written, encoded as UTF-8 as the command prints it, parsed by Gson in
 * strict mode, and must come back equal: same structure and key order, same strings, same
 * numbers, non-finite floating point as null.
 */
class JsonFuzzTest {
    /*
     * RFC 8259 strictness less one rule: Gson's STRICT also refuses an escaped unpaired surrogate
     * (a lone \\uD800), which the grammar allows and the writer emits on purpose so that any Java
     * string comes back as it was. What else LEGACY_STRICT lets through (raw control characters,
     * the escape \') check() refuses itself.
     */
    private static final Strictness RFC_8259 = Strictness.LEGACY_STRICT;
    private static final Gson GSON = new GsonBuilder().setStrictness(RFC_8259).create();

    static Object value(FuzzedDataProvider d, int depth) {
        return switch (d.consumeInt(0, depth >= 4 ? 11 : 13)) {
            case 0 -> null;
            case 1 -> d.consumeBoolean();
            case 2 -> d.consumeInt();
            case 3 -> d.consumeLong();
            case 4 -> d.consumeDouble();
            case 5 -> d.consumeFloat();
            case 6 -> d.consumeString(40);
            case 7 -> d.consumeChar();
            case 8 -> d.consumeInts(6);
            case 9 -> d.consumeLongs(6);
            case 10 -> new BigDecimal(BigInteger.valueOf(d.consumeLong()), d.consumeInt(-40, 40));
            case 11 -> chars(d, 12); // any UTF-16 units: unpaired surrogates too
            case 12 -> {
                List<Object> l = new ArrayList<>();
                for (int n = d.consumeInt(0, 5); n > 0; n--) l.add(value(d, depth + 1));
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int n = d.consumeInt(0, 5); n > 0; n--) m.put(d.consumeBoolean() ? d.consumeString(12) : chars(d, 4), value(d, depth + 1));
                yield m;
            }
        };
    }

    private static String chars(FuzzedDataProvider d, int max) {
        char[] c = new char[d.consumeInt(0, max)];
        for (int i = 0; i < c.length; i++) c[i] = d.consumeChar();
        return new String(c);
    }

    /** What a JSON reader must see for {@code v}: numbers as exact decimals, arrays as lists. */
    static Object expected(Object v) {
        return switch (v) {
            case null -> null;
            case Double x -> x.isNaN() || x.isInfinite() ? null : decimal(Double.toString(x));
            case Float x -> x.isNaN() || x.isInfinite() ? null : decimal(Float.toString(x));
            case Number n -> decimal(n.toString());
            case Character c -> c.toString();
            case int[] a -> {
                List<Object> l = new ArrayList<>();
                for (int x : a) l.add(decimal(Integer.toString(x)));
                yield l;
            }
            case long[] a -> {
                List<Object> l = new ArrayList<>();
                for (long x : a) l.add(decimal(Long.toString(x)));
                yield l;
            }
            case List<?> l -> l.stream().map(JsonFuzzTest::expected).toList();
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(String.valueOf(k), expected(x)));
                yield out;
            }
            default -> v; // String, Boolean
        };
    }

    static Object parsed(JsonElement e) {
        if (e.isJsonNull()) return null;
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) l.add(parsed(x));
            return l;
        }
        if (e.isJsonObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) m.put(x.getKey(), parsed(x.getValue()));
            return m;
        }
        var p = e.getAsJsonPrimitive();
        if (p.isBoolean()) return p.getAsBoolean();
        if (p.isNumber()) return decimal(p.getAsString());
        return p.getAsString();
    }

    private static BigDecimal decimal(String s) {
        BigDecimal d = new BigDecimal(s);
        return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    }

    static void check(Object tree) throws IOException {
        String json = Json.write(tree);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            assertTrue(c >= 0x20, "raw control character in " + json);
            if (Character.isHighSurrogate(c)) assertTrue(i + 1 < json.length() && Character.isLowSurrogate(json.charAt(++i)), "unpaired surrogate");
            else assertTrue(!Character.isLowSurrogate(c), "unpaired surrogate");
            if (c == '\\') assertTrue(json.charAt(++i) != '\'', "the escape \\' is not JSON: " + json);
        }
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        JsonReader r = new JsonReader(new InputStreamReader(new ByteArrayInputStream(utf8), StandardCharsets.UTF_8));
        r.setStrictness(RFC_8259);
        JsonElement e = GSON.fromJson(r, JsonElement.class);
        assertEquals(JsonToken.END_DOCUMENT, r.peek(), "one JSON value");
        assertEquals(expected(tree), parsed(e == null ? com.google.gson.JsonNull.INSTANCE : e), json);
    }

    @FuzzTest
    void writeAndParse(FuzzedDataProvider data) throws IOException {
        check(value(data, 0));
    }

    @Test
    void stringsWithEveryKindOfCharacterSurviveTheTripThroughUtf8() throws IOException {
        check(Map.of("k\u0000\u001b\u007f\u009b\u2028", List.of("\ud800", "x\udc00y", "🙂", "\\\"/\b\f\n\r\t")));
        check(List.of(-0.0, 1e300, Double.MIN_VALUE, Float.MAX_VALUE, Long.MIN_VALUE, new BigDecimal("1E+400"), Double.NaN));
    }
}
