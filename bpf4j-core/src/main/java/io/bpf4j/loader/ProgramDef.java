package io.bpf4j.loader;

import io.bpf4j.AttachType;
import io.bpf4j.BpfProgram;
import io.bpf4j.ProgType;
import io.bpf4j.btf.core.CoreRelo;

import java.util.List;

/**
 * A program of an object, with its subprograms linked in as libbpf links them: each
 * bpf-to-bpf callee (static or global, in {@code .text} or the same section) is appended once
 * and every call points at its copy. Instructions are still unrelocated: map references and
 * CO-RE relocations are listed with their instruction indices and applied at load.
 *
 * <p>Type, attach type and target come from the section name ({@link SectionKind}) and may be
 * changed from Java before load.
 */
public final class ProgramDef {
    private final String name;
    private final String section;
    private final byte[] insns;
    private final List<MapRef> mapRefs;
    private final List<CoreRelo> coreRelos;
    private final List<BtfExt.FuncInfo> funcInfo;
    private final List<BtfExt.LineInfo> lineInfo;
    private final List<String> subprograms;
    SectionKind kind;
    ProgType type;
    AttachType attachType;
    int flags;
    String attachTarget;
    BpfProgram attachProgram;
    boolean autoload = true;

    ProgramDef(String name, String section, SectionKind kind, byte[] insns, List<MapRef> mapRefs, List<CoreRelo> coreRelos,
               List<BtfExt.FuncInfo> funcInfo, List<BtfExt.LineInfo> lineInfo, List<String> subprograms) {
        this.name = name;
        this.section = section;
        this.kind = kind;
        this.insns = insns;
        this.mapRefs = List.copyOf(mapRefs);
        this.coreRelos = List.copyOf(coreRelos);
        this.funcInfo = List.copyOf(funcInfo);
        this.lineInfo = List.copyOf(lineInfo);
        this.subprograms = List.copyOf(subprograms);
        if (kind != null) {
            type = kind.type();
            attachType = kind.attachType();
            flags = kind.flags();
            attachTarget = kind.target();
        }
    }

    ProgramDef copy() {
        ProgramDef p = new ProgramDef(name, section, kind, insns, mapRefs, coreRelos, funcInfo, lineInfo, subprograms);
        p.type = type;
        p.attachType = attachType;
        p.flags = flags;
        p.attachTarget = attachTarget;
        p.attachProgram = attachProgram;
        p.autoload = autoload;
        return p;
    }

    /** The C function name. */
    public String name() {
        return name;
    }

    /** The ELF section, e.g. {@code kprobe/do_nanosleep}. */
    public String section() {
        return section;
    }

    /** What the section name says, or null for a section that follows no known convention. */
    public SectionKind kind() {
        return kind;
    }

    /** The program type; null when the section name says nothing and none was set. */
    public ProgType type() {
        return type;
    }

    public AttachType attachType() {
        return attachType;
    }

    /** BPF_F_* load flags (sleepable, XDP frags). */
    public int flags() {
        return flags;
    }

    /** The attach target: a kernel function, tracepoint, or the function an EXT program replaces. */
    public String attachTarget() {
        return attachTarget;
    }

    /** For EXT programs (and fentry/fexit on BPF programs): the program holding the target. */
    public BpfProgram attachProgram() {
        return attachProgram;
    }

    /** Linked instructions (a copy), 8 bytes per slot, before map and CO-RE relocation. */
    public byte[] instructions() {
        return insns.clone();
    }

    byte[] rawInstructions() {
        return insns;
    }

    public int instructionCount() {
        return insns.length / 8;
    }

    public List<MapRef> mapRefs() {
        return mapRefs;
    }

    public List<CoreRelo> coreRelos() {
        return coreRelos;
    }

    /** func_info for the program and each appended subprogram, instruction indices in this program. */
    public List<BtfExt.FuncInfo> funcInfo() {
        return funcInfo;
    }

    public List<BtfExt.LineInfo> lineInfo() {
        return lineInfo;
    }

    /** The names of the subprograms appended, in order. */
    public List<String> subprograms() {
        return subprograms;
    }

    /** Whether {@link BpfObject#load} loads this program (libbpf's autoload); true by default. */
    public boolean autoload() {
        return autoload;
    }

    /** Leaves the program out of {@link BpfObject#load}, e.g. one for another kernel version. */
    public ProgramDef autoload(boolean load) {
        this.autoload = load;
        return this;
    }

    public ProgramDef type(ProgType t) {
        this.type = t;
        return this;
    }

    public ProgramDef attachType(AttachType t) {
        this.attachType = t;
        return this;
    }

    public ProgramDef flags(int f) {
        this.flags = f;
        return this;
    }

    /** Sets the attach target, overriding the section name's (e.g. the function of {@code SEC("kprobe")}). */
    public ProgramDef attachTarget(String target) {
        this.attachTarget = target == null ? "" : target;
        return this;
    }

    /**
     * For EXT (freplace) programs: replace function {@code function} of {@code target}. For
     * fentry/fexit: trace a BPF program's function. The loader finds the function's BTF id in
     * the target's BTF.
     */
    public ProgramDef attachTo(BpfProgram target, String function) {
        this.attachProgram = target;
        this.attachTarget = function;
        return this;
    }

    @Override
    public String toString() {
        return "ProgramDef[" + name + " section " + section + " " + (type == null ? "?" : type.kernelName())
                + " " + instructionCount() + " insns" + (subprograms.isEmpty() ? "" : " subprogs " + subprograms) + "]";
    }
}
