package io.bpf4j.tools.mapdump;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.BpfMap;
import io.bpf4j.BtfHandle;
import io.bpf4j.Cpus;
import io.bpf4j.MapInfo;
import io.bpf4j.MapType;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfValueFormatter;
import io.bpf4j.btf.ValueWriter;
import io.bpf4j.internal.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;


/**
 * {@code bpf4j inspect map dump}: every entry of a map, in bpftool's {@code map dump} text or
 * {@code -j} JSON, keys and values formatted by the map's BTF where it has some.
 *
 * <p>Beyond bpftool: prog array slots name their program, map-in-map entries show the inner
 * map's entries (to {@link Options#depth} levels), ring buffers and perf event arrays say what
 * can be known about them instead of failing, and queues and stacks show their head as
 * {@code bpftool map peek} does. Entries are read in batches where the kernel can
 * ({@link BpfMap#forEach}) and written through one buffer.
 */
public final class MapDump {
    /**
     * @param json  bpftool's {@code -j} shape instead of its text
     * @param raw   hex bytes only, even where the map has BTF
     * @param depth levels of inner maps of a map-in-map to dump (0: their ids only)
     */
    public record Options(boolean json, boolean raw, int depth) {
        public Options {
            if (depth < 0) throw new IllegalArgumentException("depth must be >= 0");
        }
    }

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ValueWriter w;
    private final Options opts;
    private final Consumer<String> notes;
    private final Map<Integer, BtfValueFormatter> formatters = new HashMap<>();
    private final Map<Integer, ProgSlot> progs = new HashMap<>();
    private BtfValueFormatter vmlinux;

    /**
     * @param w     where the dump goes; its {@code pretty}/{@code plainText} flags should match
     *              the options ({@link #writer})
     * @param notes one-line remarks for stderr (what a queue dump cannot show, ...)
     */
    public MapDump(ValueWriter w, Options opts, Consumer<String> notes) {
        this.w = w;
        this.opts = opts;
        this.notes = notes;
    }

    /** The writer bpftool would use: compact JSON for {@code -j}, its pretty plain text otherwise. */
    public static ValueWriter writer(java.io.OutputStream out, Options opts) {
        return opts.json() ? new ValueWriter(out, false, false) : new ValueWriter(out, true, true);
    }

    /** Dumps the map and ends the output (a final newline, flushed). */
    public void dump(BpfMap map) {
        MapInfo info = map.info();
        MapType t = info.type();
        if (t == MapType.QUEUE || t == MapType.STACK || t == MapType.BLOOM_FILTER) {
            peek(map, info);
        } else if (t == MapType.RINGBUF || t == MapType.USER_RINGBUF) {
            RingBufState.of(map, info).write(w, opts.json());
            w.finish();
        } else if (t == MapType.PERF_EVENT_ARRAY && !perfEventArrayReadable(map, info)) {
            perfEventArray(info);
            w.finish();
        } else {
            entries(map, info, 0);
            if (opts.json() || plainBtf(info)) w.finish(); // jsonw_destroy's newline
            else w.flush(); // "Found N elements" ended the text
        }
    }

    // ---- what is formatted how

    private static boolean perCpu(MapType t) {
        return t == MapType.PERCPU_HASH || t == MapType.PERCPU_ARRAY || t == MapType.LRU_PERCPU_HASH
                || t == MapType.PERCPU_CGROUP_STORAGE;
    }

    private static boolean mapOfMaps(MapType t) {
        return t == MapType.ARRAY_OF_MAPS || t == MapType.HASH_OF_MAPS;
    }

    /** Values come from BTF: the map's own, or the kernel's for struct_ops values, as bpftool decides. */
    private boolean hasBtf(MapInfo info) {
        return !opts.raw() && (info.btfVmlinuxValueTypeId() != 0 || info.btfValueTypeId() != 0);
    }

    /** bpftool prints a map with BTF as its pretty plain-text JSON, without a "Found" line. */
    private boolean plainBtf(MapInfo info) {
        return !opts.json() && hasBtf(info);
    }

    private BtfValueFormatter formatter(MapInfo info) {
        if (info.btfVmlinuxValueTypeId() != 0) {
            if (vmlinux == null) vmlinux = new BtfValueFormatter(Btf.kernel());
            return vmlinux;
        }
        return formatters.computeIfAbsent(info.btfId(), id -> new BtfValueFormatter(loadBtf(id)));
    }

    /** A map's BTF from the kernel: standalone, or split on vmlinux (module BTF). */
    static Btf loadBtf(int id) {
        try (BtfHandle h = BtfHandle.fromId(id)) {
            return parse(h.bytes());
        }
    }

    static Btf parse(byte[] raw) {
        try {
            return Btf.parse(raw);
        } catch (BpfFormatException e) {
            return Btf.parse(raw, Btf.kernel());
        }
    }

    private int valueTypeId(MapInfo info) {
        return info.btfVmlinuxValueTypeId() != 0 ? info.btfVmlinuxValueTypeId() : info.btfValueTypeId();
    }

    // ---- maps with keys

    private void entries(BpfMap map, MapInfo info, int level) {
        boolean btf = hasBtf(info);
        BtfValueFormatter f = btf ? formatter(info) : null;
        Entries e = new Entries(map, info, f, level);
        if (opts.json() || btf) w.beginArray();
        try {
            map.forEach(e);
        } catch (BpfException x) {
            // Maps keyed by fds (socket, task, inode, cgroup storage) or without keys refuse GET_NEXT_KEY.
            if (e.count > 0 || !"next key".equals(x.op())) throw x;
            throw new BpfException(typeName(info) + " map " + Integer.toUnsignedString(info.id()) + ": the kernel cannot list its keys",
                    x.errno(), null, x);
        }
        if (opts.json() || btf) {
            w.endArray();
        } else {
            w.raw("Found ").rawUnsigned(e.count).raw(" element").raw(e.count != 1 ? "s" : "").newline();
        }
    }

    /** Writes each entry as it is read; counts them as bpftool does (successful lookups). */
    private final class Entries implements BpfMap.EntryVisitor {
        final BpfMap map;
        final MapInfo info;
        final MapType type;
        final BtfValueFormatter f;
        final int level, keySize, valueSize, step, cpus;
        final boolean perCpu, ofMaps, ofProgs;
        long count;

        Entries(BpfMap map, MapInfo info, BtfValueFormatter f, int level) {
            this.map = map;
            this.info = info;
            this.type = info.type();
            this.f = f;
            this.level = level;
            this.keySize = info.keySize();
            this.valueSize = info.valueSize();
            this.perCpu = perCpu(type);
            this.ofMaps = mapOfMaps(type);
            this.ofProgs = type == MapType.PROG_ARRAY;
            this.step = (valueSize + 7) & ~7;
            this.cpus = perCpu ? Cpus.possible() : 1;
        }

        @Override
        public boolean entry(MemorySegment key, MemorySegment value) {
            count++;
            if (opts.json()) json(key, value);
            else if (f != null) btfEntry(key, value);
            else plain(key, value);
            return true;
        }

        @Override
        public boolean lookupFailed(MemorySegment key, int errno) {
            // An empty slot of a prog array or map-in-map is no entry, not an error (as bpftool).
            if ((ofMaps || ofProgs) && errno == Errno.ENOENT) return true;
            if (opts.json()) {
                w.beginObject();
                w.name("key");
                w.hexArray(key, 0, keySize);
                w.name("value");
                w.beginObject();
                w.name("error");
                w.string(strerror(errno));
                w.endObject();
                w.endObject();
                return true;
            }
            String msg = errno == Errno.ENOENT ? "<no entry>" : strerror(errno);
            boolean breakNames = keySize > 16 || msg.length() > 16;
            boolean single = keySize + msg.length() <= 24 && !breakNames;
            w.raw("key:").raw(breakNames ? '\n' : ' ').rawHexBytes(key, 0, keySize).raw(single ? "  " : "\n");
            w.raw("value:").raw(breakNames ? '\n' : ' ').raw(msg).newline();
            return true;
        }

        /** bpftool's print_entry_plain, plus the program of a prog array slot and the inner map's entries. */
        private void plain(MemorySegment key, MemorySegment value) {
            if (!perCpu) {
                boolean breakNames = keySize > 16 || valueSize > 16;
                boolean single = keySize + valueSize <= 24 && !breakNames;
                if (keySize > 0) w.raw("key:").raw(breakNames ? '\n' : ' ').rawHexBytes(key, 0, keySize).raw(single ? "  " : "\n");
                if (valueSize > 0) {
                    if (ofMaps) {
                        w.raw("inner_map_id:").raw(breakNames ? '\n' : ' ').rawUnsigned(id(value)).raw(' ');
                    } else {
                        w.raw("value:").raw(breakNames ? '\n' : ' ').rawHexBytes(value, 0, valueSize);
                    }
                }
                if (ofProgs) w.raw("  (").raw(prog(id(value)).text()).raw(')');
                w.newline();
                if (ofMaps) innerText(id(value));
            } else {
                if (keySize > 0) w.raw("key:\n").rawHexBytes(key, 0, keySize).newline();
                if (valueSize > 0) {
                    for (int cpu = 0; cpu < cpus; cpu++) {
                        w.raw("value (CPU ").raw(cpu < 10 ? "0" : "").rawUnsigned(cpu).raw("):").raw(valueSize > 16 ? '\n' : ' ');
                        w.rawHexBytes(value, (long) cpu * step, valueSize).newline();
                    }
                }
            }
        }

        /** bpftool's do_dump_btf: the entry as an object of formatted key and value(s). */
        private void btfEntry(MemorySegment key, MemorySegment value) {
            w.beginObject();
            if (info.btfKeyTypeId() != 0) {
                w.name("key");
                f.format(info.btfKeyTypeId(), key, 0, w);
            }
            int vt = valueTypeId(info);
            if (!perCpu) {
                w.name("value");
                f.format(vt, value, 0, w);
            } else {
                w.name("values");
                w.beginArray();
                for (int cpu = 0; cpu < cpus; cpu++) {
                    w.beginObject();
                    w.name("cpu");
                    w.signed(cpu);
                    w.name("value");
                    f.format(vt, value, (long) cpu * step, w);
                    w.endObject();
                }
                w.endArray();
            }
            w.endObject();
        }

        /** bpftool's print_entry_json, plus "prog" for prog arrays and "inner_map" for map-in-map. */
        private void json(MemorySegment key, MemorySegment value) {
            w.beginObject();
            w.name("key");
            w.hexArray(key, 0, keySize);
            if (!perCpu) {
                w.name("value");
                w.hexArray(value, 0, valueSize);
                if (ofMaps) {
                    int inner = id(value);
                    w.name("inner_map_id");
                    w.unsigned(Integer.toUnsignedLong(inner));
                    innerJson(inner);
                }
                if (ofProgs) {
                    w.name("prog");
                    prog(id(value)).json(w);
                }
            } else {
                w.name("values");
                w.beginArray();
                for (int cpu = 0; cpu < cpus; cpu++) {
                    w.beginObject();
                    w.name("cpu");
                    w.signed(cpu);
                    w.name("value");
                    w.hexArray(value, (long) cpu * step, valueSize);
                    w.endObject();
                }
                w.endArray();
            }
            if (f != null) {
                w.name("formatted");
                btfEntry(key, value);
            }
            w.endObject();
        }

        private void innerText(int id) {
            if (level >= opts.depth()) return;
            int saved = w.indent();
            w.indent(saved + 4);
            try (BpfMap inner = BpfMap.fromId(id)) {
                MapInfo ii = inner.info();
                w.raw(header(ii)).newline();
                w.reset();
                entries(inner, ii, level + 1);
                if (plainBtf(ii)) w.newline();
                w.reset();
            } catch (BpfException e) {
                if (e.errno() != Errno.ENOENT) throw e;
                w.raw("inner map ").rawUnsigned(Integer.toUnsignedLong(id)).raw(": gone").newline();
            } finally {
                w.indent(saved);
            }
        }

        private void innerJson(int id) {
            w.name("inner_map");
            w.beginObject();
            w.name("id");
            w.unsigned(Integer.toUnsignedLong(id));
            try (BpfMap inner = BpfMap.fromId(id)) {
                MapInfo ii = inner.info();
                headerJson(ii);
                if (level < opts.depth()) {
                    w.name("elements");
                    entries(inner, ii, level + 1);
                }
            } catch (BpfException e) {
                if (e.errno() != Errno.ENOENT) throw e;
                w.name("error");
                w.string("gone");
            }
            w.endObject();
        }
    }

    private static int id(MemorySegment value) {
        return value.get(LE_INT, 0);
    }

    /** bpftool's show_map_header_plain: {@code 12: array  name inner  flags 0x0}. */
    static String header(MapInfo i) {
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toUnsignedString(i.id())).append(": ").append(typeName(i)).append("  ");
        if (!i.name().isEmpty()) sb.append("name ").append(i.name()).append("  ");
        sb.append("flags 0x").append(Integer.toHexString(i.flags()));
        return sb.toString();
    }

    /** bpftool's show_map_header_json fields, without the object's braces or "id". */
    private void headerJson(MapInfo i) {
        w.name("type");
        w.string(typeName(i));
        if (!i.name().isEmpty()) {
            w.name("name");
            w.string(i.name());
        }
        w.name("flags");
        w.unsigned(Integer.toUnsignedLong(i.flags()));
    }

    /** libbpf's name of the map type ("array", "lru_hash"), or "type N" for one newer than bpf4j. */
    static String typeName(MapInfo i) {
        MapType t = i.type();
        return t == null ? "type " + Integer.toUnsignedString(i.typeValue()) : t.name().toLowerCase(java.util.Locale.ROOT);
    }

    private ProgSlot prog(int id) {
        return progs.computeIfAbsent(id, ProgSlot::of);
    }

    /** glibc's strerror text, as bpftool prints it. */
    static String strerror(int errno) {
        if (errno == Errno.ENOTSUPP) return "Unknown error 524";
        String m = Errno.message(errno);
        return Character.toUpperCase(m.charAt(0)) + m.substring(1);
    }

    // ---- maps without keys

    /**
     * Queues and stacks: only the head can be read without popping it, as {@code bpftool map
     * peek} does (lookup with no key). A bloom filter has no elements to list at all.
     */
    private void peek(BpfMap map, MapInfo info) {
        if (info.type() == MapType.BLOOM_FILTER)
            throw new BpfException("map " + info.id() + " is a bloom filter: it holds no keys or values to list");
        long vsize = Math.max(1, map.valueBufferSize());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(vsize, 8);
            boolean found = map.lookup(null, value); // no key: a peek
            String what = info.type() == MapType.QUEUE ? "queue" : "stack";
            boolean btf = hasBtf(info);
            Entries e = new Entries(map, info, btf ? formatter(info) : null, 0);
            if (opts.json() || btf) w.beginArray();
            if (found) e.entry(value.asSlice(0, 0), value.asSlice(0, map.valueBufferSize()));
            if (opts.json() || btf) {
                w.endArray();
                w.finish();
            } else {
                if (!found) w.raw("Found 0 elements").newline();
                w.flush();
            }
            if (found) notes.accept(what + " " + info.id() + ": only the " + (what.equals("queue") ? "head" : "top")
                    + " is shown (as bpftool map peek); reading further elements would remove them");
        }
    }

    /** Whether the kernel looks up perf event array slots from user space; when not, say what is known instead. */
    private boolean perfEventArrayReadable(BpfMap map, MapInfo info) {
        try (Arena a = Arena.ofConfined()) {
            map.lookup(a.allocate(Math.max(4, info.keySize()), 8), a.allocate(Math.max(8, map.valueBufferSize()), 8));
        } catch (BpfException e) {
            // The kernel has no lookup for perf event arrays from user space (their ops lack
            // map_fd_sys_lookup_elem: ENOTSUPP), so which slots hold events is not known.
            if (e.errno() == Errno.ENOTSUPP || e.errno() == Errno.EOPNOTSUPP) {
                lookupError = e.errno();
                return false;
            }
            throw e;
        }
        return true;
    }

    private int lookupError;

    private void perfEventArray(MapInfo info) {
        List<Holders.Holder> pids = Holders.of(info.id());
        int cpus = Cpus.possible();
        if (opts.json()) {
            w.beginObject();
            w.name("id");
            w.unsigned(Integer.toUnsignedLong(info.id()));
            headerJson(info);
            w.name("max_entries");
            w.unsigned(Integer.toUnsignedLong(info.maxEntries()));
            w.name("possible_cpus");
            w.signed(cpus);
            w.name("slots_readable");
            w.bool(false);
            Holders.json(w, pids);
            w.endObject();
            return;
        }
        w.raw(header(info)).newline();
        w.raw("\tslots ").rawUnsigned(Integer.toUnsignedLong(info.maxEntries())).raw("  possible cpus ").rawSigned(cpus).newline();
        w.raw("\tthe kernel does not tell which slots hold perf events (lookup: ").raw(Errno.message(lookupError)).raw(')');
        if (!pids.isEmpty()) {
            w.newline().raw("\tpids ");
            Holders.text(w, pids);
        }
    }
}
