package io.bpf4j.explain;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything gathered about one failed bpf(2) call: the decoded call and its errno, the objects
 * its fds named at that moment, the memory its pointers pointed at, the verifier's log, and what
 * is known about the kernel and the process. The rules read only this: they never touch a kernel.
 *
 * @param objects   by role: the attr field whose fd it was ({@code map_fd}, {@code attach_prog_fd}),
 *                  {@code value} for the fd an fd-array update stores, {@code insn_map:N} for the
 *                  map fd in the N-th instruction of a program load
 * @param memory    what the call's pointers pointed at, by field ({@code key}, {@code value},
 *                  {@code license}, {@code pathname}, {@code name}, {@code btf}, {@code insns})
 * @param unreadable pointer fields whose memory could not be read (EFAULT material)
 * @param verifier  the verifier's log for a refused program load, or null
 */
public record Observation(int pid, int tid, BpfCall call, int errno, Map<String, ObjectSnapshot> objects,
                          Map<String, byte[]> memory, Set<String> unreadable, VerifierReport verifier,
                          KernelFacts kernel, ProcessFacts process, Map<Fact, Object> facts) {
    public Observation {
        objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
        memory = Collections.unmodifiableMap(new LinkedHashMap<>(memory));
        unreadable = Collections.unmodifiableSet(new TreeSet<>(unreadable));
        facts = facts.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(facts));
    }

    public static Builder builder(BpfCall call, int errno) {
        return new Builder(call, errno);
    }

    public Builder toBuilder() {
        Builder b = new Builder(call, errno).pid(pid).tid(tid).kernel(kernel).process(process).verifier(verifier);
        b.objects.putAll(objects);
        b.memory.putAll(memory);
        b.unreadable.addAll(unreadable);
        b.facts.putAll(facts);
        return b;
    }

    /** The object the fd in {@code role} named, if explain resolved it. */
    public Optional<ObjectSnapshot> object(String role) {
        return Optional.ofNullable(objects.get(role));
    }

    public Optional<ObjectSnapshot.MapObject> map(String role) {
        return object(role).filter(o -> o instanceof ObjectSnapshot.MapObject).map(o -> (ObjectSnapshot.MapObject) o);
    }

    public Optional<ObjectSnapshot.ProgObject> prog(String role) {
        return object(role).filter(o -> o instanceof ObjectSnapshot.ProgObject).map(o -> (ObjectSnapshot.ProgObject) o);
    }

    public Optional<byte[]> memory(String field) {
        return Optional.ofNullable(memory.get(field)).map(byte[]::clone);
    }

    /** A NUL-terminated string read from the field's pointer. */
    public Optional<String> string(String field) {
        byte[] b = memory.get(field);
        if (b == null) return Optional.empty();
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return Optional.of(new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** The first 4 bytes at the field's pointer, little-endian (array index keys, fd values). */
    public Optional<Integer> u32At(String field) {
        byte[] b = memory.get(field);
        if (b == null || b.length < 4) return Optional.empty();
        return Optional.of((b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24);
    }

    @SuppressWarnings("unchecked")
    public <T> Optional<T> fact(Fact f, Class<T> type) {
        Object v = facts.get(f);
        return type.isInstance(v) ? Optional.of((T) v) : Optional.empty();
    }

    /** Builds observations: the tracer fills one in as it learns, tests write them by hand. */
    public static final class Builder {
        private final BpfCall call;
        private final int errno;
        private int pid, tid;
        private final Map<String, ObjectSnapshot> objects = new LinkedHashMap<>();
        private final Map<String, byte[]> memory = new LinkedHashMap<>();
        private final Set<String> unreadable = new TreeSet<>();
        private VerifierReport verifier;
        private KernelFacts kernel = KernelFacts.unknown();
        private ProcessFacts process = ProcessFacts.unknown();
        private final Map<Fact, Object> facts = new EnumMap<>(Fact.class);

        Builder(BpfCall call, int errno) {
            this.call = call;
            this.errno = errno;
        }

        public Builder pid(int p) {
            pid = p;
            return this;
        }

        public Builder tid(int t) {
            tid = t;
            return this;
        }

        public Builder object(String role, ObjectSnapshot o) {
            objects.put(role, o);
            return this;
        }

        public Builder memory(String field, byte[] bytes) {
            memory.put(field, bytes.clone());
            return this;
        }

        public Builder unreadable(String field) {
            unreadable.add(field);
            return this;
        }

        public Builder verifier(VerifierReport v) {
            verifier = v;
            return this;
        }

        public Builder kernel(KernelFacts k) {
            kernel = k;
            return this;
        }

        public Builder process(ProcessFacts p) {
            process = p;
            return this;
        }

        public Builder fact(Fact f, Object value) {
            facts.put(f, value);
            return this;
        }

        public Observation build() {
            return new Observation(pid, tid, call, errno, objects, memory, unreadable, verifier, kernel, process, facts);
        }
    }
}
