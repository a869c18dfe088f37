package io.bpf4j;

import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.BpfCommand;
import io.bpf4j.internal.sys.Errno;
import io.bpf4j.Fd;
import io.bpf4j.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A BPF map owned by this process. The segment-based operations take native segments and do
 * not allocate, so they can sit on hot paths; the {@code byte[]} ones copy. "Not found" is a
 * return value, never an exception.
 */
public final class BpfMap implements AutoCloseable {
    /** Update flags. */
    public static final long ANY = 0, NOEXIST = 1, EXIST = 2, F_LOCK = 4;

    private final Fd fd;
    private final int typeValue, keySize, valueSize, maxEntries, flags;
    private final String name;
    /** What the kernel reads or writes for one value; fixed for the map's life, so computed once. */
    private final long valueBufferSize;
    /** Everything in bpf_map_info is fixed for a map's life: read once, on first use. */
    private volatile MapInfo info;

    private BpfMap(Fd fd, int typeValue, int keySize, int valueSize, int maxEntries, int flags, String name) {
        this.fd = fd;
        this.typeValue = typeValue;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.flags = flags;
        this.name = name;
        this.valueBufferSize = isPerCpu() ? (long) ((valueSize + 7) & ~7) * Cpus.possible() : lookupValueSize();
    }

    /**
     * Creates a map. Raises RLIMIT_MEMLOCK once if the kernel charges BPF memory to it. A
     * map-in-map's {@link MapSpec#innerMap() inner map} template is created for the call and
     * closed again (the kernel keeps only its shape).
     */
    public static BpfMap create(MapSpec spec) {
        if (spec.innerMap() == null) return create(spec, null);
        try (BpfMap inner = create(spec.innerMap().withName(""), null)) {
            return create(spec, inner);
        }
    }

    private static BpfMap create(MapSpec spec, BpfMap inner) {
        while (true) {
            MemorySegment a = Bpf.attr(Layouts.MapCreate.LAYOUT.byteSize());
            a.set(JAVA_INT, Layouts.MapCreate.MAP_TYPE, spec.type().value());
            a.set(JAVA_INT, Layouts.MapCreate.KEY_SIZE, spec.keySize());
            a.set(JAVA_INT, Layouts.MapCreate.VALUE_SIZE, spec.valueSize());
            a.set(JAVA_INT, Layouts.MapCreate.MAX_ENTRIES, spec.maxEntries());
            a.set(JAVA_INT, Layouts.MapCreate.MAP_FLAGS, spec.flags());
            if (inner != null) a.set(JAVA_INT, Layouts.MapCreate.INNER_MAP_FD, inner.fd().raw());
            a.set(JAVA_INT, Layouts.MapCreate.NUMA_NODE, spec.numaNode());
            Names.write(a, Layouts.MapCreate.MAP_NAME, spec.name());
            if (spec.btf() != null) {
                a.set(JAVA_INT, Layouts.MapCreate.BTF_FD, spec.btf().fd().raw());
                a.set(JAVA_INT, Layouts.MapCreate.BTF_KEY_TYPE_ID, spec.btfKeyTypeId());
                a.set(JAVA_INT, Layouts.MapCreate.BTF_VALUE_TYPE_ID, spec.btfValueTypeId());
            }
            a.set(JAVA_LONG, Layouts.MapCreate.MAP_EXTRA, spec.mapExtra());
            // Kernels before 5.16 reject a non-zero attr tail they do not know; map_extra is
            // the last field, so pass the shorter size when it is unused.
            MemorySegment sized = spec.mapExtra() == 0 ? a.asSlice(0, Layouts.MapCreate.MAP_EXTRA) : a;
            long r = Calls.call(BpfCommand.MAP_CREATE, sized);
            if (r < 0 && Memlock.raiseAfter((int) -r)) continue;
            String op = "create map" + (spec.name().isEmpty() ? "" : " " + spec.name()) + " (" + spec.type().kernelName() + ")";
            if (r < 0) throw BpfException.of(op, BpfCommand.MAP_CREATE, (int) -r, sized);
            return new BpfMap(Fd.adopt((int) r, op), spec.type().value(), spec.keySize(), spec.valueSize(),
                    spec.maxEntries(), spec.flags(), spec.name());
        }
    }

    /** Opens an existing map by id (needs CAP_SYS_ADMIN). */
    public static BpfMap fromId(int id) {
        return fromFd(ObjectIds.open(ObjectIds.Kind.MAP, id));
    }

    /** Takes ownership of a map fd; closes it if it is not a map. */
    public static BpfMap fromFd(Fd fd) {
        try {
            MapInfo i = info(fd);
            BpfMap m = new BpfMap(fd, i.typeValue(), i.keySize(), i.valueSize(), i.maxEntries(), i.flags(), i.name());
            m.info = i;
            return m;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Opens a map pinned in bpffs; a pinned program, link or BTF object is refused. */
    public static BpfMap pinned(String path) {
        Fd fd = Pins.get(path);
        // BPF_OBJ_GET_INFO_BY_FD answers for any BPF object with that object's info struct, so
        // a program's fd would read as a map of nonsense: check what the fd is first.
        String kind = Pins.kind(fd);
        if (!kind.equals("map")) {
            fd.close();
            throw new BpfException(path + " is a pinned " + kind + ", not a map");
        }
        return fromFd(fd);
    }

    static MapInfo info(Fd fd) {
        return MapInfo.parse(InfoBuffer.get().plain(fd, (int) Layouts.MapInfo.LAYOUT.byteSize()));
    }

    /** The kernel's bpf_map_info, read once (it does not change while the map exists). */
    public MapInfo info() {
        MapInfo i = info;
        if (i == null) info = i = info(fd);
        return i;
    }

    public Fd fd() {
        return fd;
    }

    public int id() {
        return info().id();
    }

    public MapType type() {
        return MapType.of(typeValue);
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int flags() {
        return flags;
    }

    public String name() {
        return name;
    }

    /** Per-CPU maps return one value per possible CPU, each rounded up to 8 bytes. */
    public boolean isPerCpu() {
        MapType t = type();
        return t == MapType.PERCPU_HASH || t == MapType.PERCPU_ARRAY || t == MapType.LRU_PERCPU_HASH
                || t == MapType.PERCPU_CGROUP_STORAGE;
    }

    /**
     * Bytes of a value as the kernel reads and writes it (bpf_map_value_size()): the value size,
     * the per-CPU layout for per-CPU maps, 4 (an fd in, an id out) for maps of programs, maps,
     * perf events and cgroups.
     */
    public long valueBufferSize() {
        return valueBufferSize;
    }

    /** fd-holding maps take an fd on update but return a 4-byte id on lookup. */
    private int lookupValueSize() {
        MapType t = type();
        if (t == MapType.PROG_ARRAY || t == MapType.ARRAY_OF_MAPS || t == MapType.HASH_OF_MAPS
                || t == MapType.PERF_EVENT_ARRAY || t == MapType.CGROUP_ARRAY) return 4;
        return valueSize;
    }

    private MemorySegment elemAttr(MemorySegment key, MemorySegment value, long flags) {
        MemorySegment a = Bpf.attr(Layouts.MapElem.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.MapElem.MAP_FD, fd.raw());
        a.set(JAVA_LONG, Layouts.MapElem.KEY, key == null ? 0 : key.address());
        a.set(JAVA_LONG, Layouts.MapElem.VALUE, value == null ? 0 : value.address());
        a.set(JAVA_LONG, Layouts.MapElem.FLAGS, flags);
        return a;
    }

    private static void checkNative(MemorySegment s, long min, String what) {
        if (s != null && (!s.isNative() || s.byteSize() < min))
            throw new IllegalArgumentException(what + " must be a native segment of at least " + min + " bytes");
    }

    /** Looks up key into value. Returns false if the key is absent. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        checkNative(key, keySize, "key");
        checkNative(value, valueBufferSize(), "value");
        MemorySegment attr = elemAttr(key, value, 0);
        long r = Calls.call(BpfCommand.MAP_LOOKUP_ELEM, attr);
        if (r == -Errno.ENOENT) return false;
        if (r < 0) throw BpfException.of("lookup", BpfCommand.MAP_LOOKUP_ELEM, (int) -r, attr);
        return true;
    }

    /** Creates or replaces an element; {@code flags} is ANY, NOEXIST or EXIST. */
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkNative(key, keySize, "key");
        checkNative(value, valueBufferSize, "value");
        MemorySegment attr = elemAttr(key, value, flags);
        long r = Calls.call(BpfCommand.MAP_UPDATE_ELEM, attr);
        if (r < 0) throw BpfException.of("update", BpfCommand.MAP_UPDATE_ELEM, (int) -r, attr);
    }

    /** Deletes an element. Returns false if it was absent. */
    public boolean delete(MemorySegment key) {
        checkNative(key, keySize, "key");
        MemorySegment attr = elemAttr(key, null, 0);
        long r = Calls.call(BpfCommand.MAP_DELETE_ELEM, attr);
        if (r == -Errno.ENOENT) return false;
        if (r < 0) throw BpfException.of("delete", BpfCommand.MAP_DELETE_ELEM, (int) -r, attr);
        return true;
    }

    /** Writes the key after {@code key} (or the first key for null). Returns false at the end. */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        checkNative(key, keySize, "key");
        checkNative(next, keySize, "next");
        MemorySegment attr = elemAttr(key, next, 0);
        long r = Calls.call(BpfCommand.MAP_GET_NEXT_KEY, attr);
        if (r == -Errno.ENOENT) return false;
        if (r < 0) throw BpfException.of("next key", BpfCommand.MAP_GET_NEXT_KEY, (int) -r, attr);
        return true;
    }

    /** Pops a value from a queue or stack map, or looks up and deletes a hash element. */
    public boolean lookupAndDelete(MemorySegment key, MemorySegment value) {
        checkNative(key, keySize, "key");
        checkNative(value, valueBufferSize, "value");
        MemorySegment attr = elemAttr(key, value, 0);
        long r = Calls.call(BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, attr);
        if (r == -Errno.ENOENT) return false;
        if (r < 0) throw BpfException.of("lookup and delete", BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, (int) -r, attr);
        return true;
    }

    // byte[] conveniences

    public Optional<byte[]> lookup(byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, valueBufferSize()), 8);
            if (!lookup(copy(a, key), v)) return Optional.empty();
            return Optional.of(v.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    public void update(byte[] key, byte[] value, long flags) {
        try (Arena a = Arena.ofConfined()) {
            update(key == null ? null : copy(a, key), copy(a, value), flags);
        }
    }

    public boolean delete(byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            return delete(copy(a, key));
        }
    }

    /** Pushes onto a queue or stack map (no key). */
    public void push(byte[] value) {
        try (Arena a = Arena.ofConfined()) {
            update(null, copy(a, value), ANY);
        }
    }

    /** Pops from a queue or stack map. */
    public Optional<byte[]> pop() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, valueBufferSize), 8);
            if (!lookupAndDelete(null, v)) return Optional.empty();
            return Optional.of(v.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    private static MemorySegment copy(Arena a, byte[] b) {
        MemorySegment s = a.allocate(Math.max(1, b.length), 8);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    /** All keys, read with GET_NEXT_KEY. A key deleted meanwhile may restart the walk, as in the kernel. */
    public Iterable<byte[]> keys() {
        return () -> new Iterator<>() {
            private final Arena arena = Arena.ofAuto();
            private final MemorySegment cur = arena.allocate(Math.max(1, keySize), 8);
            private final MemorySegment nxt = arena.allocate(Math.max(1, keySize), 8);
            private boolean started, fetched, more;

            @Override
            public boolean hasNext() {
                if (!fetched) {
                    more = nextKey(started ? cur : null, nxt);
                    fetched = true;
                }
                return more;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) throw new NoSuchElementException();
                MemorySegment.copy(nxt, 0, cur, 0, keySize);
                started = true;
                fetched = false;
                return cur.asSlice(0, keySize).toArray(ValueLayout.JAVA_BYTE);
            }
        };
    }

    /** One key/value pair. */
    public record Entry(byte[] key, byte[] value) {}

    /**
     * Looks up up to {@code max} elements with BPF_MAP_LOOKUP_BATCH (5.6+, hash and array maps).
     * Throws with errno EINVAL/ENOTSUPP where the kernel or map type lacks batch support.
     */
    public List<Entry> lookupBatch(int max) {
        List<Entry> out = new ArrayList<>();
        long vsize = valueBufferSize();
        int chunk = Math.max(1, Math.min(max, 256));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment inBatch = a.allocate(Math.max(8, keySize), 8);
            MemorySegment outBatch = a.allocate(Math.max(8, keySize), 8);
            MemorySegment keys = a.allocate((long) keySize * chunk, 8);
            MemorySegment values = a.allocate(vsize * chunk, 8);
            boolean first = true;
            while (out.size() < max) {
                MemorySegment attr = Bpf.attr(Layouts.MapBatch.LAYOUT.byteSize());
                attr.set(JAVA_LONG, Layouts.MapBatch.IN_BATCH, first ? 0 : inBatch.address());
                attr.set(JAVA_LONG, Layouts.MapBatch.OUT_BATCH, outBatch.address());
                attr.set(JAVA_LONG, Layouts.MapBatch.KEYS, keys.address());
                attr.set(JAVA_LONG, Layouts.MapBatch.VALUES, values.address());
                attr.set(JAVA_INT, Layouts.MapBatch.COUNT, Math.min(chunk, max - out.size()));
                attr.set(JAVA_INT, Layouts.MapBatch.MAP_FD, fd.raw());
                long r = Calls.call(BpfCommand.MAP_LOOKUP_BATCH, attr);
                int n = attr.get(JAVA_INT, Layouts.MapBatch.COUNT);
                if (r < 0 && r != -Errno.ENOENT) throw BpfException.of("lookup batch", BpfCommand.MAP_LOOKUP_BATCH, (int) -r);
                for (int i = 0; i < n; i++) {
                    out.add(new Entry(keys.asSlice((long) i * keySize, keySize).toArray(ValueLayout.JAVA_BYTE),
                            values.asSlice(i * vsize, vsize).toArray(ValueLayout.JAVA_BYTE)));
                }
                if (r == -Errno.ENOENT) break;
                MemorySegment.copy(outBatch, 0, inBatch, 0, inBatch.byteSize());
                first = false;
            }
        }
        return out;
    }

    /**
     * Receives the entries of {@link #forEach}. The segments are views of buffers the walk
     * reuses: valid only during the call, copy what must outlive it.
     */
    public interface EntryVisitor {
        /**
         * One entry: {@code value} holds {@link #valueBufferSize()} bytes (per-CPU maps: one
         * value per possible CPU, each rounded up to 8 bytes; fd maps: the object's id).
         * Return false to stop the walk.
         */
        boolean entry(MemorySegment key, MemorySegment value);

        /**
         * A key the walk found whose lookup then failed: ENOENT for a hash element deleted
         * meanwhile or an empty slot of a prog array or map-in-map. Return false to stop.
         */
        default boolean lookupFailed(MemorySegment key, int errno) {
            return true;
        }
    }

    /** How {@link #forEach} read the map. */
    public enum Walk {
        /** BPF_MAP_LOOKUP_BATCH: many entries per system call (5.6+, hash and array types). */
        BATCH,
        /** BPF_MAP_GET_NEXT_KEY, then BPF_MAP_LOOKUP_ELEM for each key: two system calls an entry. */
        KEYS
    }

    /** Bytes of keys and values one batch call asks for. */
    private static final long BATCH_BYTES = 1 << 20;

    /**
     * Visits every entry, in batches where the kernel can (BPF_MAP_LOOKUP_BATCH, 5.6+, hash and
     * array types), else key by key. Prog arrays and map-in-map maps are always walked key by
     * key: the kernel's batch lookup gives up on their empty slots. Entries added or deleted
     * during the walk may be seen or not, as with any map iteration. Queues, stacks, ring
     * buffers and other maps without keys fail with the kernel's errno.
     *
     * @return which way the map was read
     */
    public Walk forEach(EntryVisitor visitor) {
        MapType t = type();
        boolean fdMap = t == MapType.PROG_ARRAY || t == MapType.ARRAY_OF_MAPS || t == MapType.HASH_OF_MAPS
                || t == MapType.PERF_EVENT_ARRAY || t == MapType.CGROUP_ARRAY;
        if (!fdMap && forEachBatch(visitor)) return Walk.BATCH;
        forEachKey(visitor);
        return Walk.KEYS;
    }

    /** Visits every entry key by key (GET_NEXT_KEY + LOOKUP_ELEM), as bpftool does. */
    public void forEachKey(EntryVisitor visitor) {
        long vsize = Math.max(1, valueBufferSize());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cur = a.allocate(Math.max(1, keySize), 8);
            MemorySegment next = a.allocate(Math.max(1, keySize), 8);
            MemorySegment value = a.allocate(vsize, 8);
            MemorySegment key = next.asSlice(0, keySize), val = value.asSlice(0, valueBufferSize());
            MemorySegment prev = null;
            while (nextKey(prev, next)) {
                long r = Calls.call(BpfCommand.MAP_LOOKUP_ELEM, elemAttr(next, value, 0));
                if (r < 0) {
                    if (!visitor.lookupFailed(key, (int) -r)) return;
                } else if (!visitor.entry(key, val)) {
                    return;
                }
                MemorySegment.copy(next, 0, cur, 0, keySize);
                prev = cur;
            }
        }
    }

    /**
     * Visits every entry with BPF_MAP_LOOKUP_BATCH. Returns false, having visited nothing, when
     * the kernel has no batch lookup for this map (EINVAL before 5.6, ENOTSUPP for the type).
     */
    public boolean forEachBatch(EntryVisitor visitor) {
        long vsize = valueBufferSize();
        long per = Math.max(1, keySize + vsize);
        int chunk = (int) Math.max(1, Math.min(Integer.toUnsignedLong(maxEntries), Math.max(64, BATCH_BYTES / per)));
        Arena a = Arena.ofConfined();
        try {
            // The batch cursor: a u32 bucket index for hash maps, a key for the generic walk.
            MemorySegment inBatch = a.allocate(Math.max(8, keySize), 8);
            MemorySegment outBatch = a.allocate(Math.max(8, keySize), 8);
            MemorySegment keys = a.allocate(Math.max(1, (long) keySize * chunk), 8);
            MemorySegment values = a.allocate(Math.max(1, vsize * chunk), 8);
            boolean first = true;
            while (true) {
                MemorySegment attr = Bpf.attr(Layouts.MapBatch.LAYOUT.byteSize());
                attr.set(JAVA_LONG, Layouts.MapBatch.IN_BATCH, first ? 0 : inBatch.address());
                attr.set(JAVA_LONG, Layouts.MapBatch.OUT_BATCH, outBatch.address());
                attr.set(JAVA_LONG, Layouts.MapBatch.KEYS, keys.address());
                attr.set(JAVA_LONG, Layouts.MapBatch.VALUES, values.address());
                attr.set(JAVA_INT, Layouts.MapBatch.COUNT, chunk);
                attr.set(JAVA_INT, Layouts.MapBatch.MAP_FD, fd.raw());
                long r = Calls.call(BpfCommand.MAP_LOOKUP_BATCH, attr);
                // Read before visiting: the visitor may make calls that reuse this thread's attr.
                int n = attr.get(JAVA_INT, Layouts.MapBatch.COUNT);
                int errno = r < 0 ? (int) -r : 0;
                if (errno != 0 && errno != Errno.ENOENT) {
                    if (first && (errno == Errno.EINVAL || errno == Errno.ENOTSUPP || errno == Errno.EOPNOTSUPP)) return false;
                    if (errno == Errno.ENOSPC && n == 0) {
                        // A hash bucket holds more elements than fit: ask again with room for twice as many.
                        if (chunk > Integer.MAX_VALUE / 2) throw BpfException.of("lookup batch", BpfCommand.MAP_LOOKUP_BATCH, errno);
                        chunk *= 2;
                        a.close();
                        a = Arena.ofConfined();
                        MemorySegment in = a.allocate(Math.max(8, keySize), 8);
                        MemorySegment.copy(inBatch, 0, in, 0, in.byteSize());
                        inBatch = in;
                        outBatch = a.allocate(Math.max(8, keySize), 8);
                        keys = a.allocate(Math.max(1, (long) keySize * chunk), 8);
                        values = a.allocate(Math.max(1, vsize * chunk), 8);
                        continue;
                    }
                    throw BpfException.of("lookup batch", BpfCommand.MAP_LOOKUP_BATCH, errno);
                }
                for (int i = 0; i < n; i++) {
                    if (!visitor.entry(keys.asSlice((long) i * keySize, keySize), values.asSlice(i * vsize, vsize))) return true;
                }
                if (errno == Errno.ENOENT) return true;
                MemorySegment.copy(outBatch, 0, inBatch, 0, inBatch.byteSize());
                first = false;
            }
        } finally {
            a.close();
        }
    }

    /**
     * Updates many elements with BPF_MAP_UPDATE_BATCH (5.6+). Each value is
     * {@link #valueBufferSize()} bytes: one per possible CPU for per-CPU maps. Returns how many
     * were written.
     */
    public int updateBatch(List<Entry> entries, long elemFlags) {
        if (entries.isEmpty()) return 0;
        long vsize = valueBufferSize;
        for (Entry e : entries) {
            if (e.key().length != keySize || e.value().length != vsize)
                throw new IllegalArgumentException("batch entries need " + keySize + "-byte keys and " + vsize
                        + "-byte values, not " + e.key().length + " and " + e.value().length);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment keys = a.allocate((long) keySize * entries.size(), 8);
            MemorySegment values = a.allocate(vsize * entries.size(), 8);
            for (int i = 0; i < entries.size(); i++) {
                MemorySegment.copy(entries.get(i).key(), 0, keys, ValueLayout.JAVA_BYTE, (long) i * keySize, keySize);
                MemorySegment.copy(entries.get(i).value(), 0, values, ValueLayout.JAVA_BYTE, i * vsize, (int) vsize);
            }
            MemorySegment attr = Bpf.attr(Layouts.MapBatch.LAYOUT.byteSize());
            attr.set(JAVA_LONG, Layouts.MapBatch.KEYS, keys.address());
            attr.set(JAVA_LONG, Layouts.MapBatch.VALUES, values.address());
            attr.set(JAVA_INT, Layouts.MapBatch.COUNT, entries.size());
            attr.set(JAVA_INT, Layouts.MapBatch.MAP_FD, fd.raw());
            attr.set(JAVA_LONG, Layouts.MapBatch.ELEM_FLAGS, elemFlags);
            long r = Calls.call(BpfCommand.MAP_UPDATE_BATCH, attr);
            if (r < 0) throw BpfException.of("update batch", BpfCommand.MAP_UPDATE_BATCH, (int) -r);
            return attr.get(JAVA_INT, Layouts.MapBatch.COUNT);
        }
    }

    /** Deletes many keys with BPF_MAP_DELETE_BATCH (5.6+). Returns how many were deleted. */
    public int deleteBatch(List<byte[]> keyList) {
        if (keyList.isEmpty()) return 0;
        for (byte[] k : keyList) {
            if (k.length != keySize) throw new IllegalArgumentException("batch keys need " + keySize + " bytes, not " + k.length);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment keys = a.allocate((long) keySize * keyList.size(), 8);
            for (int i = 0; i < keyList.size(); i++)
                MemorySegment.copy(keyList.get(i), 0, keys, ValueLayout.JAVA_BYTE, (long) i * keySize, keySize);
            MemorySegment attr = Bpf.attr(Layouts.MapBatch.LAYOUT.byteSize());
            attr.set(JAVA_LONG, Layouts.MapBatch.KEYS, keys.address());
            attr.set(JAVA_INT, Layouts.MapBatch.COUNT, keyList.size());
            attr.set(JAVA_INT, Layouts.MapBatch.MAP_FD, fd.raw());
            long r = Calls.call(BpfCommand.MAP_DELETE_BATCH, attr);
            if (r < 0 && r != -Errno.ENOENT) throw BpfException.of("delete batch", BpfCommand.MAP_DELETE_BATCH, (int) -r);
            return attr.get(JAVA_INT, Layouts.MapBatch.COUNT);
        }
    }

    /** Makes the map read-only for user space (BPF_MAP_FREEZE, 5.2+). */
    public void freeze() {
        MemorySegment a = Bpf.attr(Layouts.OneFd.LAYOUT.byteSize());
        a.set(JAVA_INT, Layouts.OneFd.FD, fd.raw());
        Calls.check(BpfCommand.MAP_FREEZE, a, "freeze");
    }

    /** Pins the map at a bpffs path. */
    public void pin(String path) {
        Pins.pin(fd, path);
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "BpfMap[" + MapType.nameOf(typeValue) + " " + name + " " + fd + "]";
    }
}
