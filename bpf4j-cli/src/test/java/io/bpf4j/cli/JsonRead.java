package io.bpf4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;
import com.google.gson.ToNumberPolicy;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;

/**
 * --json output as plain Java values, read strictly (RFC 8259) with gson: objects become maps in
 * document order, so a test can check the key order; numbers become BigDecimal. Anything that is
 * not exactly one JSON value (trailing text, a NaN, a trailing comma) throws.
 */
public final class JsonRead {
    private JsonRead() {}

    public static Object parse(String text) {
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            Object v = new GsonBuilder().setObjectToNumberStrategy(ToNumberPolicy.BIG_DECIMAL).serializeNulls().create()
                    .getAdapter(Object.class).read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) throw new IllegalArgumentException("trailing text after the JSON value");
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
