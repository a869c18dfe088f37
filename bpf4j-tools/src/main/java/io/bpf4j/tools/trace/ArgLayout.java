package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How {@code -A} captures one traced function's arguments (or an injected probe's context) and
 * prints them. Built from BTF: each parameter gets its x86-64 argument register(s); a pointer is
 * followed one level when BTF says what it points at (a struct or union, an integer, a
 * {@code char *} string), and a {@code void *key} or {@code value} beside a
 * {@code struct bpf_map *} is read with that map's key or value size ({@link #spec()} is the BPF
 * side's {@code struct arg_spec}). The BPF side keeps the registers at the function's entry and
 * reads what pointers point at when it returns: the memory as it was at exit. An injected probe's
 * context is read when the probe fires.
 */
public final class ArgLayout {
    /** trace.bpf.c AK_*. */
    static final int AK_NONE = 0, AK_BYTES = 1, AK_STR = 2, AK_SIZED = 3, AK_CTX = 4;
    /** trace.bpf.c MAX_ARGS, AREA_HALF, MAX_ARG_READ; sizeof(struct call_args), sizeof(struct arg_data). */
    static final int MAX_ARGS = 6, AREA_HALF = 4096, MAX_ARG_READ = 4096, CALL_HDR = 56, ARG_HDR = 8;
    /** sizeof(struct arg_spec). */
    static final int SPEC_SIZE = 40;

    /** How captured arguments are printed (retsnoop's args.fmt-mode). */
    public enum Style {
        /** All arguments on the call's line, each cut at the width. */
        COMPACT,
        /** One argument per line under the call, each cut at the width. */
        MULTILINE,
        /** One argument per line, structs one member per line, nothing cut. */
        VERBOSE;

        public static Style parse(String s) {
            return switch (s) {
                case "compact", "c" -> COMPACT;
                case "multiline", "multi-line", "m" -> MULTILINE;
                case "verbose", "v" -> VERBOSE;
                default -> throw new io.bpf4j.BpfException("--args-format " + s + ": use compact, multiline or verbose");
            };
        }
    }

    /**
     * Byte limits of a capture (retsnoop: 3 KB per call and 256 bytes per argument by default).
     * The BPF side's area holds at most {@value #AREA_HALF} bytes per call (header and registers
     * included) and reads at most {@value #MAX_ARG_READ} per argument.
     *
     * @param everyCall capture every call's arguments; false: only those of calls on an error's
     *                  path (the failing call and the callers it failed through), which are all
     *                  an error stack shows. A session shipped in full ({@code -S}) captures
     *                  every call's either way.
     */
    public record Limits(int perCall, int perArg, boolean everyCall) {
        public static final Limits DEFAULT = new Limits(3072, 256, false);

        /** Limits for the calls on an error's path. */
        public Limits(int perCall, int perArg) {
            this(perCall, perArg, false);
        }

        public Limits {
            if (perCall < CALL_HDR + ARG_HDR || perCall > AREA_HALF)
                throw new io.bpf4j.BpfException("--args-max-call " + perCall + ": must be between " + (CALL_HDR + ARG_HDR) + " and " + AREA_HALF + " bytes");
            if (perArg < 1 || perArg > MAX_ARG_READ)
                throw new io.bpf4j.BpfException("--args-max-arg " + perArg + ": must be between 1 and " + MAX_ARG_READ + " bytes");
        }
    }

    /**
     * One printed argument. {@code slot}: its first value (register, or context word); {@code slots}:
     * 1, 2 for a struct passed in two registers, 0 when it is not captured (passed on the stack).
     * {@code typeId} 0: a raw 64-bit word.
     */
    record Param(String name, int typeId, int slot, int slots, int kind, int len, int sizeArg, int sizeOff, int target) {
        Param(String name, int typeId, int slot, int slots, int kind, int len, int sizeArg, int sizeOff) {
            this(name, typeId, slot, slots, kind, len, sizeArg, sizeOff, 0);
        }
    }

    private final Btf btf;
    private final List<Param> params;
    /** The reader's view of {@link #params}: an array, and each one's {@code name=} / {@code name = } as UTF-8. */
    private final Param[] paramArray;
    private final byte[][] compactLabels, verboseLabels;
    private final boolean asciiLabels;
    private final int nvals;
    private final int total;
    private final TracepointFormat tracepoint;
    /** Compact (pointer members left out) and verbose renderers, each with its member cache. */
    private final BtfValueFormat compactFormat, verboseFormat;

    private ArgLayout(Btf btf, List<Param> params, int nvals, int total, TracepointFormat tracepoint) {
        this.btf = btf;
        this.params = List.copyOf(params);
        this.paramArray = this.params.toArray(new Param[0]);
        this.compactLabels = new byte[paramArray.length][];
        this.verboseLabels = new byte[paramArray.length][];
        boolean ascii = true;
        for (int i = 0; i < paramArray.length; i++) {
            compactLabels[i] = TextBuffer.utf8(paramArray[i].name() + "=");
            verboseLabels[i] = TextBuffer.utf8(paramArray[i].name() + " = ");
            ascii &= TextBuffer.isAscii(compactLabels[i]);
        }
        this.asciiLabels = ascii;
        this.nvals = nvals;
        this.total = total;
        this.tracepoint = tracepoint;
        this.compactFormat = btf == null ? null : new BtfValueFormat(btf, true);
        this.verboseFormat = btf == null ? null : new BtfValueFormat(btf, false);
    }

    /**
     * A kernel function's (or a BPF program function's) arguments from its BTF prototype.
     * {@code follow}: read what pointers point at (false for BPF programs, whose context types
     * are UAPI mirrors of other kernel structs).
     */
    public static ArgLayout of(Btf btf, BtfType.FuncProto proto, Limits limits, boolean follow) {
        List<Param> ps = new ArrayList<>();
        int slot = 0;
        int mapSlot = -1;
        for (BtfType.Param p : proto.params()) {
            if (p.type() == 0) break; // "...": a variadic tail is not captured
            BtfType t = btf.resolve(p.type());
            int slots = 1;
            if (t instanceof BtfType.Composite c) slots = c.size() <= 8 ? 1 : c.size() <= 16 ? 2 : 0;
            String name = p.name().isEmpty() ? "arg" + ps.size() : p.name();
            if (slots == 0 || slot + slots > MAX_ARGS) {
                ps.add(new Param(name, p.type(), slot, 0, AK_NONE, 0, 0, 0));
                if (slots != 0) slot = MAX_ARGS;
                continue;
            }
            if (t instanceof BtfType.Ptr ptr && isStruct(btf, ptr.type(), "bpf_map")) mapSlot = slot;
            ps.add(new Param(name, p.type(), slot, slots, AK_NONE, 0, 0, 0));
            slot += slots;
        }
        int nvals = Math.min(slot, MAX_ARGS);
        if (follow) {
            int budget = limits.perCall() - CALL_HDR;
            for (int i = 0; i < ps.size(); i++) {
                Param p = ps.get(i);
                if (p.slots() != 1 || !(btf.resolve(p.typeId()) instanceof BtfType.Ptr ptr)) continue;
                Param r = reading(btf, p, ptr, limits, mapSlot);
                if (r == null) continue;
                int need = ARG_HDR + ((r.len() + 7) & ~7);
                if (need > budget) continue; // over the per-call limit: the pointer alone (retsnoop does the same)
                budget -= need;
                ps.set(i, r);
            }
        }
        int total = CALL_HDR;
        for (Param p : ps) if (p.kind() != AK_NONE) total += ARG_HDR + ((p.len() + 7) & ~7);
        return new ArgLayout(btf, ps, nvals, total, null);
    }

    /**
     * The type a pointer points at, completed: BTF sometimes keeps only a declaration of a struct
     * ({@code FWD pt_regs} in 5.10's {@code __x64_sys_*(const struct pt_regs *)}) that is defined
     * elsewhere in the same BTF under its name.
     */
    static int pointee(Btf btf, BtfType.Ptr ptr) {
        if (btf.resolve(ptr.type()) instanceof BtfType.Fwd fwd && !fwd.name().isEmpty()) {
            Optional<BtfType> full = btf.findByName(fwd.name(), fwd.union() ? BtfKind.UNION : BtfKind.STRUCT);
            if (full.isPresent()) return full.get().id();
        }
        return ptr.type();
    }

    /** What to read for pointer parameter p, or null for the pointer alone. */
    private static Param reading(Btf btf, Param p, BtfType.Ptr ptr, Limits limits, int mapSlot) {
        int target = pointee(btf, ptr);
        BtfType to = btf.resolve(target);
        int cap = limits.perArg();
        switch (to) {
            case BtfType.Int i when i.size() == 1 && (i.encoding() & BtfType.Int.BOOL) == 0 ->
                    { return new Param(p.name(), p.typeId(), p.slot(), 1, AK_STR, cap, 0, 0, target); }
            case BtfType.Int i -> { return new Param(p.name(), p.typeId(), p.slot(), 1, AK_BYTES, Math.min(cap, i.size()), 0, 0, target); }
            case BtfType.Enumeration e -> { return new Param(p.name(), p.typeId(), p.slot(), 1, AK_BYTES, (int) Math.min(cap, btf.sizeOf(e)), 0, 0, target); }
            case BtfType.Composite c -> {
                if (c.size() == 0) return null;
                return new Param(p.name(), p.typeId(), p.slot(), 1, AK_BYTES, Math.min(cap, c.size()), 0, 0, target);
            }
            case BtfType.Void v -> {
                // A map operation's key or value: as many bytes as the map says (BPF's own convention).
                String field = switch (p.name()) {
                    case "key", "next_key" -> "key_size";
                    case "value" -> "value_size";
                    default -> null;
                };
                if (field == null || mapSlot < 0) return null;
                Optional<BtfType> map = btf.findByName("bpf_map", BtfKind.STRUCT);
                Optional<Btf.Field> f = map.flatMap(m -> btf.memberByPath(m, field));
                if (f.isEmpty()) return null;
                return new Param(p.name(), p.typeId(), p.slot(), 1, AK_SIZED, cap, mapSlot, (int) f.get().byteOffset());
            }
            default -> { return null; }
        }
    }

    static boolean isStruct(Btf btf, int typeId, String name) {
        return btf.resolve(typeId) instanceof BtfType.Struct s && s.name().equals(name);
    }

    /**
     * A function without BTF (a module's on kernels without module BTF, before 5.11; a compiler
     * clone's): its six argument registers as raw words, {@code arg0}..{@code arg5}, as retsnoop
     * shows them.
     */
    public static ArgLayout raw() {
        List<Param> ps = new ArrayList<>();
        for (int i = 0; i < MAX_ARGS; i++) ps.add(new Param("arg" + i, 0, i, 1, AK_NONE, 0, 0, 0));
        return new ArgLayout(null, ps, MAX_ARGS, CALL_HDR, null);
    }

    /** An injected kprobe's or kretprobe's context: its {@code struct pt_regs}, read whole. */
    public static ArgLayout regs(Btf btf, Limits limits) {
        Optional<BtfType> regs = btf.findByName("pt_regs", BtfKind.STRUCT);
        if (regs.isEmpty()) return null;
        int len = (int) Math.min(btf.sizeOf(regs.get()), Math.min(limits.perArg(), limits.perCall() - CALL_HDR - ARG_HDR));
        Param p = new Param("regs", regs.get().id(), 0, 1, AK_CTX, len, 0, 0);
        // One value: the context's address, which the BPF side reads the bytes from.
        return new ArgLayout(btf, List.of(p), 1, CALL_HDR + ARG_HDR + ((len + 7) & ~7), null);
    }

    /** A tracepoint's record, decoded with its tracefs format. */
    public static ArgLayout tracepoint(TracepointFormat format, Limits limits) {
        int len = Math.min(limits.perCall() - CALL_HDR - ARG_HDR, Math.max(format.recordSize(), Math.min(limits.perArg() + format.recordSize(), MAX_ARG_READ)));
        len = Math.min(len, MAX_ARG_READ);
        Param p = new Param("record", 0, 0, 1, AK_CTX, len, 0, 0);
        return new ArgLayout(null, List.of(p), 1, CALL_HDR + ARG_HDR + ((len + 7) & ~7), format);
    }

    /** A raw tracepoint's arguments, from the kernel's {@code btf_trace_NAME} typedef (its first parameter is not passed). */
    public static ArgLayout rawTracepoint(Btf btf, String name, Limits limits) {
        Optional<BtfType> td = btf.findByName("btf_trace_" + name, BtfKind.TYPEDEF);
        if (td.isEmpty() || !(btf.resolve(td.get()) instanceof BtfType.Ptr p) || !(btf.resolve(p.type()) instanceof BtfType.FuncProto fp))
            return null;
        List<BtfType.Param> rest = fp.params().size() <= 1 ? List.of() : fp.params().subList(1, fp.params().size());
        BtfType.FuncProto shifted = new BtfType.FuncProto(fp.id(), fp.name(), fp.returnType(), rest);
        // Raw tracepoint arguments are one u64 each, whatever their type: no two-register structs.
        return of(btf, shifted, limits, true);
    }

    /** trace.bpf.c's {@code struct arg_spec} for this layout. */
    public byte[] spec() {
        ByteBuffer b = ByteBuffer.allocate(SPEC_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) total);
        b.put(2, (byte) nvals);
        for (Param p : params) {
            if (p.kind() == AK_NONE) continue;
            int i = p.slot();
            b.put(4 + i, (byte) p.kind());
            b.put(10 + i, (byte) p.sizeArg());
            b.putShort(16 + 2 * i, (short) p.len());
            b.putShort(28 + 2 * i, (short) p.sizeOff());
        }
        return b.array();
    }

    /**
     * A capture of this layout as trace.bpf.c ships it, with made-up contents that change with
     * {@code seed}: every register a kernel address or a number, every read argument filled to
     * its length with lower-case letters (so integers, enums, pointers, structs and strings all
     * render). The reader's warm-up ({@link ReaderWarmup}) renders these.
     */
    byte[] sample(long seed) {
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(2, (byte) nvals);
        for (int i = 0; i < nvals; i++) b.putLong(8 + 8 * i, i % 2 == 0 ? 0xffff888000100000L + 64 * seed + i : seed + i);
        int pos = CALL_HDR, nread = 0;
        for (Param p : params) {
            if (p.kind() == AK_NONE) continue;
            // A string or a map's key and value: a few bytes, as most are; the rest to their limit.
            int len = p.kind() == AK_STR || p.kind() == AK_SIZED ? Math.min(p.len(), 12) : p.len();
            b.putShort(pos, (short) len);
            b.put(pos + 2, (byte) (p.kind() == AK_CTX ? 0 : p.slot()));
            b.put(pos + 3, (byte) p.kind());
            for (int k = 0; k < len; k++) b.put(pos + ARG_HDR + k, (byte) ('a' + (seed + k) % 26));
            if (p.kind() == AK_STR && len > 0) b.put(pos + ARG_HDR + len - 1, (byte) 0);
            pos += ARG_HDR + ((len + 7) & ~7);
            nread++;
        }
        b.putShort(0, (short) pos);
        b.put(3, (byte) nread);
        return Arrays.copyOf(b.array(), pos);
    }

    /** Bytes one call's capture takes at most. */
    int total() {
        return total;
    }

    /** Arguments whose value is captured. */
    public List<String> names() {
        return params.stream().map(Param::name).toList();
    }

    /** True if {@code name} is a parameter, for filters. */
    Optional<Param> param(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    Btf btf() {
        return btf;
    }

    /** The size of one call's capture at the start of {@code blob}, from its header. */
    static int size(byte[] blob, int off) {
        return (blob[off] & 0xff) | (blob[off + 1] & 0xff) << 8;
    }

    /**
     * Each argument as {@code name=value} (compact, multi-line) or {@code name = value} (verbose,
     * whose structs span several lines), from one call's capture. {@code width} cuts each
     * argument's text (0: never; verbose never cuts).
     */
    public List<String> format(byte[] blob, Style style, int width) {
        List<String> out = new ArrayList<>();
        format(blob, style, width, new Sink() {
            @Override
            public void text(String s) {
                out.add(s);
            }

            @Override
            public void text(TextBuffer value, int cut) {
                out.add(cut >= 0 ? new String(value.toByteArray(), 0, cut, StandardCharsets.UTF_8) + BtfValueFormat.ELLIPSIS : value.toString());
            }
        });
        return out;
    }

    /** Where {@link #format(byte[], Style, int, Sink)} puts each argument's text. */
    private interface Sink {
        void text(String s);

        /** The argument's text in {@code value}; if {@code cut >= 0}, only its bytes before {@code cut} (its first {@code width} chars) are kept, then {@code …}. */
        void text(TextBuffer value, int cut);
    }

    /**
     * The compact form's arguments joined by spaces, as UTF-8: what the error stack prints beside
     * a call ({@code String.join(" ", format(blob, COMPACT, width))}, encoded). A cut argument's
     * text stays Latin-1 up to the cut and its {@code …} is appended as bytes, so the reader never
     * builds and encodes a UTF-16 string for it.
     */
    byte[] compactLine(byte[] blob, int width) {
        // A loop calls a function with the same arguments again and again (the same map, key and
        // attr on the same stack): the line of the last capture is kept, and an equal capture
        // costs one comparison of its bytes instead of a rendering.
        Memo m = last;
        if (m != null && m.width() == width && Arrays.equals(m.blob(), blob)) return m.line();
        byte[] line = renderCompactLine(blob, width);
        last = new Memo(blob, width, line);
        return line;
    }

    /** The last {@link #compactLine} rendered: its capture (never changed after it arrived), width and line. */
    private record Memo(byte[] blob, int width, byte[] line) {}

    private Memo last;

    private byte[] renderCompactLine(byte[] blob, int width) {
        TextBuffer line = new TextBuffer(256);
        format(blob, Style.COMPACT, width, new Sink() {
            @Override
            public void text(String s) {
                if (line.length() > 0) line.append(' ');
                line.append(s.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void text(TextBuffer value, int cut) {
                if (line.length() > 0) line.append(' ');
                line.append(value, cut >= 0 ? cut : value.length());
                if (cut >= 0) line.append(BtfValueFormat.ELLIPSIS_UTF8);
            }
        });
        return line.toByteArray();
    }

    private void format(byte[] blob, Style style, int width, Sink out) {
        if (blob == null || blob.length < CALL_HDR) return;
        int nv = blob[2] & 0xff, nread = blob[3] & 0xff;
        // The registers are decoded where a parameter uses one (value() reads vals[p.slot()]).
        long[] vals = new long[MAX_ARGS];
        for (Param p : paramArray) {
            for (int k = 0; k < p.slots() && p.slot() + k < MAX_ARGS; k++) {
                int i = p.slot() + k;
                vals[i] = BtfValueFormat.le(blob, 8 + 8 * i, 8, blob.length);
            }
        }
        // The read arguments: arg index -> [data offset, length, kind]
        int[][] reads = new int[MAX_ARGS][];
        int pos = CALL_HDR;
        for (int k = 0; k < nread && pos + ARG_HDR <= blob.length; k++) {
            int len = (short) ((blob[pos] & 0xff) | (blob[pos + 1] & 0xff) << 8);
            int arg = blob[pos + 2] & 0xff;
            int kind = blob[pos + 3] & 0xff;
            if (arg < MAX_ARGS) reads[arg] = new int[] {pos + ARG_HDR, len, kind};
            pos += ARG_HDR + (len > 0 ? (len + 7) & ~7 : 0);
        }
        boolean verbose = style == Style.VERBOSE;
        // One buffer for every parameter (the sink copies each one's text out before the next).
        // Sized for a cut argument, which is rendered a little past the width: no growth on the way.
        TextBuffer sb = new TextBuffer(!verbose && width > 0 ? width + 64 : 256);
        for (int pi = 0; pi < paramArray.length; pi++) {
            Param p = paramArray[pi];
            sb.clear();
            byte[] label = verbose ? verboseLabels[pi] : compactLabels[pi];
            if (asciiLabels) sb.appendAscii(label); // keeps the buffer's one-byte-per-char cut
            else sb.append(label);
            if (tracepoint != null) {
                int[] r = reads[0];
                if (r == null || r[1] <= 0) sb.append("?");
                else {
                    for (String t : tracepoint.format(blob, r[0], Math.min(blob.length, r[0] + r[1]), verbose)) out.text(t);
                    continue;
                }
            } else if (p.slots() == 0 || (p.kind() != AK_CTX && p.slot() >= nv)) {
                sb.append("?"); // passed on the stack: not captured
            } else {
                // A cut argument is rendered only as far as the cut (a union such as bpf_attr
                // renders to kilobytes, of which compact keeps the first line's width). The
                // renderer stops once the bytes pass the width: exact for ASCII, which is one
                // byte per char. Text with other chars is shorter in chars than in bytes, so
                // where it came out under the width in chars, it is rendered again in full.
                int[] read = p.kind() == AK_CTX ? reads[0] : reads[p.slot()];
                int limit = !verbose && width > 0 ? width : Integer.MAX_VALUE;
                value(p, vals, read, blob, sb, verbose, limit);
                if (limit != Integer.MAX_VALUE && sb.length() > width && sb.indexOfChar(width) == sb.length()) {
                    sb.clear();
                    sb.append(p.name()).append('=');
                    value(p, vals, read, blob, sb, false, Integer.MAX_VALUE);
                }
            }
            int cut = !verbose && width > 0 && sb.length() > width ? sb.indexOfChar(width) : sb.length();
            out.text(sb, cut < sb.length() ? cut : -1);
        }
    }

    private void value(Param p, long[] vals, int[] read, byte[] blob, TextBuffer sb, boolean verbose, int limit) {
        BtfValueFormat f = verbose ? verboseFormat : compactFormat;
        if (p.kind() == AK_CTX) {
            if (read == null || read[1] <= 0) sb.append('?');
            else f.value(p.typeId(), blob, read[0], read[0] + read[1], sb, 0, limit);
            return;
        }
        long v = vals[p.slot()];
        BtfType t = p.typeId() == 0 ? null : btf.resolve(p.typeId());
        if (t == null) {
            BtfValueFormat.appendInteger(sb, v, false, 8);
            return;
        }
        if (t instanceof BtfType.Ptr ptr) {
            if (read == null || read[1] < 0 || (read[1] == 0 && read[2] != AK_STR) || v == 0) {
                BtfValueFormat.appendPointer(sb, v);
                return;
            }
            int start = read[0], end = Math.min(blob.length, read[0] + read[1]);
            switch (read[2]) {
                case AK_STR -> {
                    int n = Math.max(0, end - start - 1); // the count includes the NUL
                    sb.append('\'');
                    BtfValueFormat.escape(new String(blob, start, n, StandardCharsets.UTF_8), sb);
                    sb.append('\'');
                    if (read[1] >= p.len()) sb.append(BtfValueFormat.ELLIPSIS_UTF8);
                }
                case AK_SIZED -> {
                    sb.append('&').append('[').append(BYTES.formatHex(blob, start, Math.max(start, end))).append(']');
                }
                default -> {
                    sb.append('&');
                    f.value(p.target() != 0 ? p.target() : ptr.type(), blob, start, end, sb, 0, limit);
                }
            }
            return;
        }
        // By value: the register(s), little-endian.
        byte[] bytes = new byte[16];
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(0, v);
        if (p.slots() == 2 && p.slot() + 1 < MAX_ARGS) bb.putLong(8, vals[p.slot() + 1]);
        f.value(p.typeId(), bytes, 0, 8 * Math.max(1, p.slots()), sb, 0, limit);
    }

    /** A sized read's bytes: lower-case hex pairs, space-separated ({@code 09 00 00 00}). */
    private static final java.util.HexFormat BYTES = java.util.HexFormat.ofDelimiter(" ");

    /** The raw values of one call's capture (argument registers in order), for tests and JSON. */
    static long[] values(byte[] blob) {
        long[] vals = new long[blob[2] & 0xff];
        for (int i = 0; i < vals.length; i++) vals[i] = BtfValueFormat.le(blob, 8 + 8 * i, 8, blob.length);
        return vals;
    }
}
