package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.kernel.Kallsyms;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A kernel to explore: its memory, its BTF (the types) and its symbols (the addresses of
 * globals). The entry point for typed access, as drgn's {@code prog} is:
 * {@code kernel.variable("prog_idr", "struct idr")}, {@code kernel.object(addr, "struct bpf_map")}.
 *
 * <p>Types come from BTF only, never from a kernel version: code written against a member path
 * works on every kernel whose BTF has that path, and {@link #hasMember} asks before reading.
 */
public final class Kernel implements AutoCloseable {
    private final KernelMemory memory;
    private final Btf btf;
    private final Kallsyms symbols;
    private final Map<Integer, Integer> ptrTo = new HashMap<>();
    private volatile boolean ptrIndexed;

    public Kernel(KernelMemory memory, Btf btf, Kallsyms symbols) {
        this.memory = memory;
        this.btf = btf;
        this.symbols = symbols;
    }

    /**
     * The running kernel: {@code /proc/kcore}, {@code /sys/kernel/btf/vmlinux} and
     * {@code /proc/kallsyms}. Fails with one clear line when any of them is unusable.
     */
    public static Kernel open() {
        Kcore kcore = Kcore.open();
        try {
            Kallsyms syms = Kallsyms.load();
            if (!syms.addressesVisible()) {
                throw new BpfException("read /proc/kallsyms", 0, "addresses are hidden (kptr_restrict); run as root");
            }
            Kernel k = new Kernel(kcore, Btf.kernel(), syms);
            long text = k.symbolAddress("_text");
            if (!kcore.isMapped(text)) {
                throw new BpfException(String.format("/proc/kcore does not map _text at 0x%x: kallsyms and kcore disagree", text));
            }
            return k;
        } catch (RuntimeException e) {
            kcore.close();
            throw e;
        }
    }

    public KernelMemory memory() {
        return memory;
    }

    public Btf btf() {
        return btf;
    }

    public Kallsyms symbols() {
        return symbols;
    }

    /** Drops cached memory, so that the next reads see the kernel as it is now. */
    public void refresh() {
        memory.invalidate();
    }

    /**
     * Where the kernel was loaded. {@code text} is {@code _text} from kallsyms; {@code offset} is
     * the KASLR slide, from the kernel's own VMCOREINFO when kcore has it, else computed from the
     * x86-64 default load address {@code 0xffffffff81000000} ({@code fromVmcoreinfo} false).
     */
    public record Kaslr(long text, long offset, boolean fromVmcoreinfo) {}

    public static final long X86_64_START_KERNEL = 0xffffffff81000000L;

    public Kaslr kaslr() {
        long text = symbols.first("_text").or(() -> symbols.first("_stext")).map(Kallsyms.Symbol::address)
                .orElseThrow(() -> new BpfException("kallsyms has neither _text nor _stext"));
        if (memory instanceof Kcore k && k.kernelOffset().isPresent()) return new Kaslr(text, k.kernelOffset().get(), true);
        return new Kaslr(text, text - X86_64_START_KERNEL, false);
    }

    /** The address of a kernel symbol (the first, if there are several). */
    public long symbolAddress(String name) {
        if (symbols == null) throw new BpfException("no symbols: cannot find " + name);
        return symbols.first(name).map(Kallsyms.Symbol::address)
                .orElseThrow(() -> new BpfException("kernel symbol " + name + " not found in kallsyms"));
    }

    /** A global variable, typed: {@code variable("prog_idr", "struct idr")}. */
    public KObject variable(String symbol, String type) {
        return new KObject(this, type(type), symbolAddress(symbol), 0, 0, symbol);
    }

    /** The object of {@code type} at {@code address}. */
    public KObject object(long address, String type) {
        return object(address, type(type));
    }

    public KObject object(long address, BtfType type) {
        return new KObject(this, type, address, 0, 0, String.format("*(%s *)0x%x", KObject.typeName(btf, type), address));
    }

    /** A pointer-typed object: what a field holding {@code address} would be. */
    public KObject pointer(long address, String pointeeType) {
        BtfType t = type(pointeeType);
        return object(address, t).addressOf();
    }

    /**
     * A type by its C spelling: {@code struct bpf_map}, {@code union bpf_attr},
     * {@code enum bpf_prog_type}, a typedef or base type ({@code u32}, {@code int}), any of them
     * followed by {@code *}.
     */
    public BtfType type(String name) {
        return findType(name).orElseThrow(() -> new BpfException("type '" + name + "' not found in kernel BTF"));
    }

    public Optional<BtfType> findType(String name) {
        String n = name.trim();
        if (n.endsWith("*")) {
            return findType(n.substring(0, n.length() - 1)).flatMap(t -> pointerTo(t.id()).map(btf::typeById));
        }
        if (n.startsWith("struct ")) return btf.findByName(n.substring(7).trim(), BtfKind.STRUCT);
        if (n.startsWith("union ")) return btf.findByName(n.substring(6).trim(), BtfKind.UNION);
        if (n.startsWith("enum ")) {
            String e = n.substring(5).trim();
            return btf.findByName(e, BtfKind.ENUM).or(() -> btf.findByName(e, BtfKind.ENUM64));
        }
        if (n.equals("void")) return Optional.of(BtfType.Void.INSTANCE);
        return btf.findByName(n, BtfKind.TYPEDEF).or(() -> btf.findByName(n, BtfKind.INT))
                .or(() -> btf.findByName(n, BtfKind.STRUCT)).or(() -> btf.findByName(n, BtfKind.UNION));
    }

    /** A PTR type in BTF that points at {@code id}; pointers are only what BTF already has. */
    Optional<Integer> pointerTo(int id) {
        if (!ptrIndexed) {
            synchronized (ptrTo) {
                if (!ptrIndexed) {
                    for (int i = 1; i < btf.typeCount(); i++) {
                        if (btf.typeById(i) instanceof BtfType.Ptr p) ptrTo.putIfAbsent(p.type(), i);
                    }
                    ptrIndexed = true;
                }
            }
        }
        return Optional.ofNullable(ptrTo.get(id));
    }

    /** Whether {@code type} has the member path (pointers followed by type), without reading memory. */
    public boolean hasMember(String type, String path) {
        return findType(type).map(t -> KObject.pathType(this, t, path).isPresent()).orElse(false);
    }

    @Override
    public void close() {
        if (memory instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // read-only resources
            }
        }
    }
}
