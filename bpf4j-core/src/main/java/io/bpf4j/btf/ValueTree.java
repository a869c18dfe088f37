package io.bpf4j.btf;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ValueSink} that builds the value as maps, lists, strings, numbers and booleans, the
 * way a JSON parser would read {@link ValueWriter}'s JSON (see {@link BtfValueFormatter#tree}).
 */
final class ValueTree implements ValueSink {
    private final ArrayDeque<Object> open = new ArrayDeque<>();
    private final ArrayDeque<String> names = new ArrayDeque<>();
    private String pendingName;
    private Object result;
    private boolean done;

    Object result() {
        if (!done || !open.isEmpty()) throw new IllegalStateException("no complete value");
        return result;
    }

    private void add(Object v) {
        if (open.isEmpty()) {
            if (done) throw new IllegalStateException("a second top-level value");
            result = v;
            done = true;
            return;
        }
        Object top = open.peek();
        if (top instanceof Map<?, ?>) {
            if (pendingName == null) throw new IllegalStateException("object member without a name");
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) top;
            m.remove(pendingName); // a repeated name moves to the end, as the last one read wins
            m.put(pendingName, v);
            pendingName = null;
        } else {
            @SuppressWarnings("unchecked") List<Object> l = (List<Object>) top;
            l.add(v);
        }
    }

    private void begin(Object container) {
        // The container is added to its parent when it ends, so the parent's member order and
        // a repeated name behave as for a parsed document.
        names.push(pendingName == null ? "" : pendingName);
        pendingName = null;
        open.push(container);
    }

    private void end() {
        Object c = open.pop();
        String n = names.pop();
        if (!open.isEmpty() && open.peek() instanceof Map<?, ?>) pendingName = n;
        add(c);
    }

    @Override
    public void beginObject() {
        begin(new LinkedHashMap<String, Object>());
    }

    @Override
    public void endObject() {
        end();
    }

    @Override
    public void beginArray() {
        begin(new ArrayList<Object>());
    }

    @Override
    public void endArray() {
        end();
    }

    @Override
    public void name(String name) {
        pendingName = name;
    }

    @Override
    public void string(CharSequence s) {
        add(s.toString());
    }

    @Override
    public void signed(long v) {
        add(v);
    }

    @Override
    public void unsigned(long v) {
        add(unsignedNumber(v));
    }

    static Object unsignedNumber(long v) {
        return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
    }

    @Override
    public void bool(boolean v) {
        add(v);
    }

    @Override
    public void bits(long hi, long lo) {
        add(hi == 0 ? "0x" + Long.toHexString(lo) : "0x" + Long.toHexString(hi) + String.format("%016x", lo));
    }

    @Override
    public void pointer(long address) {
        add(unsignedNumber(address));
    }

    @Override
    public void character(int c) {
        add(String.valueOf((char) (c & 0xff)));
    }

    @Override
    public void floating(double v) {
        add(Double.isNaN(v) || Double.isInfinite(v) ? (Object) Double.toString(v) : (Object) v);
    }

    @Override
    public void invalid(String what) {
        add(what);
    }
}
