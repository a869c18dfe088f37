package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.AttrField;
import io.bpf4j.explain.AttrLayouts;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KernelFacts;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Made-up observations for the rule tests: attrs written field by field, objects as fdinfo would show them. */
final class Obs {
    private Obs() {}

    static final KernelFacts K618 = KernelFacts.release("6.18.44", 6, 18).withAttr(168, Map.of(BpfCommand.MAP_CREATE, 92,
                    BpfCommand.MAP_LOOKUP_ELEM, 32, BpfCommand.MAP_UPDATE_ELEM, 32, BpfCommand.PROG_LOAD, 168))
            .withMaxima(38, 33, 32, 211).withSysctls(2, false, 1, 2);
    static final KernelFacts K510 = KernelFacts.release("5.10.0-32-amd64", 5, 10).withAttr(120, Map.of(BpfCommand.MAP_CREATE, 64,
                    BpfCommand.PROG_LOAD, 116)).withMaxima(36, 30, 30, 164).withSysctls(1, true, 1, 2);

    /** An attr built by field name. */
    static final class Attr {
        final BpfCommand cmd;
        final ByteBuffer b;

        Attr(BpfCommand cmd, int size) {
            this.cmd = cmd;
            this.b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }

        Attr set(String name, long v) {
            AttrField f = AttrLayouts.field(cmd, name);
            if (f == null) throw new IllegalArgumentException(cmd + " has no " + name);
            switch (f.size()) {
                case 4 -> b.putInt(f.offset(), (int) v);
                case 8 -> b.putLong(f.offset(), v);
                default -> throw new IllegalArgumentException(name);
            }
            return this;
        }

        Attr name(String field, String s) {
            AttrField f = AttrLayouts.field(cmd, field);
            byte[] x = s.getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < Math.min(16, x.length); i++) b.put(f.offset() + i, x[i]);
            return this;
        }

        Attr raw(int offset, int value) {
            b.put(offset, (byte) value);
            return this;
        }

        BpfCall call() {
            return BpfCall.of(cmd, b.array());
        }

        Observation.Builder obs(int errno) {
            return Observation.builder(call(), errno).pid(100).tid(101).kernel(K618).process(ProcessFacts.root());
        }
    }

    static Attr attr(BpfCommand c) {
        return new Attr(c, 144);
    }

    static Attr attr(BpfCommand c, int size) {
        return new Attr(c, size);
    }

    static ObjectSnapshot.MapObject map(int fd, MapType t, int key, int value, int max) {
        return new ObjectSnapshot.MapObject(fd, 12, t.value(), "m", key, value, max, 0, -1, null, false, ObjectSnapshot.O_RDWR, 0);
    }

    static ObjectSnapshot.MapObject owned(int fd, ProgType owner, boolean jited) {
        return new ObjectSnapshot.MapObject(fd, 7, MapType.PROG_ARRAY.value(), "progs", 4, 4, 1, 0, owner.value(), jited, false,
                ObjectSnapshot.O_RDWR, 0);
    }

    static ObjectSnapshot.ProgObject prog(int fd, ProgType t, String name) {
        return new ObjectSnapshot.ProgObject(fd, 41, t.value(), name, "0011223344556677", true, true, 0, 0, -1, -1, List.of(), List.of());
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** The first cause is {@code rule}'s, and its text has every word. */
    static Cause assertCause(Observation o, String rule, String... words) {
        Optional<Cause> c = KnowledgeBase.cause(o);
        if (c.isEmpty()) fail("no rule fits " + o.call() + " errno " + o.errno() + "; expected " + rule);
        assertEquals(rule, c.get().rule(), "first cause: " + c.get());
        for (String w : words) assertTrue(c.get().text().contains(w) || c.get().fix().contains(w), "'" + w + "' missing from " + c.get());
        return c.get();
    }

    /** No cause of {@code rule} among all that fit. */
    static void assertNotRule(Observation o, String rule) {
        for (Cause c : KnowledgeBase.explain(o)) assertFalse(c.rule().equals(rule), "rule " + rule + " should not fit: " + c);
    }
}
