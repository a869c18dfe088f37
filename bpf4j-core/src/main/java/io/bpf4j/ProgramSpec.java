package io.bpf4j;

import io.bpf4j.asm.Insn;
import io.bpf4j.btf.core.CoreRelo;

import java.util.List;
import java.util.function.Consumer;

/**
 * What a program should be, before it is loaded: {@code BPF_PROG_LOAD}'s parameters, with the
 * instructions as {@link io.bpf4j.asm} values, plus what an object file says about the program
 * ({@link io.bpf4j.loader.ObjectSpec}): its section, attach target, the symbols its instructions
 * refer to and its CO-RE relocations. Load one program with {@link BpfProgram#load(ProgramSpec)}
 * (instructions as they are); an object's programs are relocated and loaded by
 * {@link io.bpf4j.loader.BpfObject#load}. Immutable: the {@code with...} methods return changed
 * copies.
 *
 * <p>Instruction positions ({@code FuncInfo.insnOff}, {@code LineInfo.insnOff},
 * {@link Reference#insn()}, {@link CoreRelo#insn()}) count 8-byte slots, as the kernel does: an
 * {@link Insn.LdImm64} takes two.
 *
 * @param name         the function name; the kernel keeps its first 15 characters
 * @param instructions the program, subprograms appended
 * @param license      {@code "GPL"} unless given (GPL-only helpers need a GPL-compatible one)
 * @param kernelVersion {@code kern_version}, checked by kprobe loads before Linux 5.0
 * @param flags        BPF_F_* load flags ({@link #F_SLEEPABLE}, {@link #F_XDP_HAS_FRAGS}...)
 * @param btf          the program's BTF for {@code funcInfo}/{@code lineInfo}, or null; an
 *                     object's programs get the object's BTF at load
 * @param funcInfo     one record per function, in the program's BTF
 * @param lineInfo     source lines, in the program's BTF
 * @param attachBtfId  BTF id of the attach target: a kernel function or tracepoint type (in
 *                     vmlinux, or in {@code attachBtfObj}), or a function of {@code attachProg}
 * @param attachProg   the program holding the target function of an EXT (freplace) program, or
 *                     of tracing programs attached to a BPF program
 * @param attachBtfObj a kernel module's BTF holding {@code attachBtfId}, or null for vmlinux
 * @param ifindex      the device of an offloaded program, 0 for none
 * @param sectionName  the ELF section of an object's program, e.g. {@code kprobe/do_nanosleep};
 *                     "" for programs made in code
 * @param attachTarget what the program attaches to, by name (a kernel function, a tracepoint
 *                     {@code category/name}, the function an EXT program replaces); {@code
 *                     BpfObject.load} finds {@code attachBtfId} from it. "" for none
 * @param references   instructions that name a map or a kernel symbol, filled in at load
 * @param coreRelos    CO-RE relocations, applied at load against the running kernel's BTF
 * @param subprograms  the functions appended after the program, in order
 * @param autoload     whether {@code BpfObject.load} loads it (libbpf's autoload)
 */
public record ProgramSpec(
        ProgType type,
        String name,
        List<Insn> instructions,
        String license,
        AttachType expectedAttachType,
        int kernelVersion,
        int flags,
        BtfHandle btf,
        List<FuncInfo> funcInfo,
        List<LineInfo> lineInfo,
        int attachBtfId,
        BpfProgram attachProg,
        BtfHandle attachBtfObj,
        int ifindex,
        String sectionName,
        String attachTarget,
        List<Reference> references,
        List<CoreRelo> coreRelos,
        List<String> subprograms,
        boolean autoload) {

    /**
     * An instruction whose operand names a symbol the loader resolves: a map's fd into an
     * {@code ld_imm64}, a kernel function's BTF id into a {@code call}.
     *
     * @param insn   the instruction's slot
     * @param symbol the map (as named in the object) or kernel symbol
     */
    public record Reference(int insn, Kind kind, String symbol) {
        /** What the symbol is. */
        public enum Kind {
            /**
             * A map, in an {@code ld_imm64} of {@link io.bpf4j.asm.Pseudo#MAP_FD} (the map) or
             * {@link io.bpf4j.asm.Pseudo#MAP_VALUE} (an address in a global data map's value; the
             * offset is the instruction's high half). The loader puts the map's fd in.
             */
            MAP,
            /**
             * A kernel function declared {@code extern ... __ksym} and called: the loader makes
             * the call a {@link io.bpf4j.asm.CallKind#KFUNC} call of its id in the kernel's BTF.
             * Requires Linux 5.13 (and a kernel that allows the function to the program type).
             */
            KFUNC,
            /** Any other extern ({@code __kconfig}, {@code __ksym} variables): loading fails naming it. */
            EXTERN
        }
    }

    public ProgramSpec {
        if (type == null) throw new BpfException("program spec: type is required");
        if (instructions == null || instructions.isEmpty())
            throw new BpfFormatException("program spec: no instructions");
        instructions = List.copyOf(instructions);
        if (name == null) name = "";
        if (license == null) license = "GPL";
        funcInfo = funcInfo == null ? List.of() : List.copyOf(funcInfo);
        lineInfo = lineInfo == null ? List.of() : List.copyOf(lineInfo);
        if (sectionName == null) sectionName = "";
        if (attachTarget == null) attachTarget = "";
        references = references == null ? List.of() : List.copyOf(references);
        coreRelos = coreRelos == null ? List.of() : List.copyOf(coreRelos);
        subprograms = subprograms == null ? List.of() : List.copyOf(subprograms);
    }

    /** A program of these instructions and nothing else set. */
    public static ProgramSpec of(ProgType type, List<? extends Insn> instructions, String license) {
        return new ProgramSpec(type, "", List.copyOf(instructions), license, null, 0, 0, null, null, null, 0, null, null, 0,
                "", "", null, null, null, true);
    }

    /**
     * A program of encoded instructions (8 bytes per slot, as {@code BPF_PROG_LOAD} takes them),
     * decoded into {@link Insn} values.
     *
     * @throws BpfFormatException when the bytes are not a valid instruction stream
     */
    public static ProgramSpec of(ProgType type, byte[] instructions, String license) {
        if (instructions == null || instructions.length == 0)
            throw new BpfFormatException("program spec: no instructions");
        return of(type, Insn.decode(instructions), license);
    }

    /** The mutable copy behind the {@code with...} methods. */
    private static final class Builder {
        ProgType type;
        String name, license, sectionName, attachTarget;
        List<Insn> instructions;
        AttachType expectedAttachType;
        int kernelVersion, flags, attachBtfId, ifindex;
        BtfHandle btf, attachBtfObj;
        List<FuncInfo> funcInfo;
        List<LineInfo> lineInfo;
        BpfProgram attachProg;
        List<Reference> references;
        List<CoreRelo> coreRelos;
        List<String> subprograms;
        boolean autoload;

        Builder(ProgramSpec s) {
            type = s.type;
            name = s.name;
            instructions = s.instructions;
            license = s.license;
            expectedAttachType = s.expectedAttachType;
            kernelVersion = s.kernelVersion;
            flags = s.flags;
            btf = s.btf;
            funcInfo = s.funcInfo;
            lineInfo = s.lineInfo;
            attachBtfId = s.attachBtfId;
            attachProg = s.attachProg;
            attachBtfObj = s.attachBtfObj;
            ifindex = s.ifindex;
            sectionName = s.sectionName;
            attachTarget = s.attachTarget;
            references = s.references;
            coreRelos = s.coreRelos;
            subprograms = s.subprograms;
            autoload = s.autoload;
        }

        ProgramSpec build() {
            return new ProgramSpec(type, name, instructions, license, expectedAttachType, kernelVersion, flags, btf, funcInfo,
                    lineInfo, attachBtfId, attachProg, attachBtfObj, ifindex, sectionName, attachTarget, references, coreRelos,
                    subprograms, autoload);
        }
    }

    private ProgramSpec with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    public ProgramSpec withType(ProgType t) {
        return with(b -> b.type = t);
    }

    public ProgramSpec withName(String n) {
        return with(b -> b.name = n);
    }

    /**
     * Other instructions. Positions in {@code funcInfo}, {@code lineInfo}, {@code references}
     * and {@code coreRelos} stay as they are: keep them true.
     */
    public ProgramSpec withInstructions(List<? extends Insn> insns) {
        List<Insn> copy = List.copyOf(insns);
        return with(b -> b.instructions = copy);
    }

    public ProgramSpec withLicense(String l) {
        return with(b -> b.license = l);
    }

    public ProgramSpec withExpectedAttachType(AttachType t) {
        return with(b -> b.expectedAttachType = t);
    }

    public ProgramSpec withKernelVersion(int v) {
        return with(b -> b.kernelVersion = v);
    }

    public ProgramSpec withFlags(int f) {
        return with(b -> b.flags = f);
    }

    public ProgramSpec withIfindex(int i) {
        return with(b -> b.ifindex = i);
    }

    /** The program's BTF with its func_info and line_info records (either may be null). */
    public ProgramSpec withBtf(BtfHandle handle, List<FuncInfo> funcs, List<LineInfo> lines) {
        return with(b -> {
            b.btf = handle;
            b.funcInfo = funcs;
            b.lineInfo = lines;
        });
    }

    /** Attach target inside another BPF program (EXT/freplace, or fentry on a BPF program), by BTF id. */
    public ProgramSpec withAttachProg(BpfProgram target, int btfFuncId) {
        return with(b -> {
            b.attachProg = target;
            b.attachBtfId = btfFuncId;
            b.attachBtfObj = null;
        });
    }

    /** Attach target in kernel BTF (vmlinux when obj is null, else a module's BTF). */
    public ProgramSpec withAttachBtf(BtfHandle obj, int btfId) {
        return with(b -> {
            b.attachBtfObj = obj;
            b.attachBtfId = btfId;
            b.attachProg = null;
        });
    }

    /**
     * The attach target by name, overriding the section name's (e.g. the function of
     * {@code SEC("kprobe")}); {@code BpfObject.load} and {@code attach} resolve it.
     */
    public ProgramSpec withAttachTarget(String target) {
        return with(b -> b.attachTarget = target);
    }

    /**
     * For EXT (freplace) programs: replace function {@code function} of {@code target}; for
     * fentry/fexit: trace a BPF program's function. {@code BpfObject.load} finds the function's
     * BTF id in the target's BTF.
     */
    public ProgramSpec withAttachTo(BpfProgram target, String function) {
        return with(b -> {
            b.attachProg = target;
            b.attachTarget = function;
            b.attachBtfId = 0;
            b.attachBtfObj = null;
        });
    }

    /** Leaves the program out of {@code BpfObject.load} (false), e.g. one for another kernel version. */
    public ProgramSpec withAutoload(boolean load) {
        return with(b -> b.autoload = load);
    }

    /** Slots: the number of 8-byte {@code struct bpf_insn}s, as {@code insn_cnt} counts them. */
    public int instructionCount() {
        int n = 0;
        for (Insn i : instructions) n += i.slots();
        return n;
    }

    @Override
    public String toString() {
        return "ProgramSpec[" + name + (sectionName.isEmpty() ? "" : " section " + sectionName) + " " + type.kernelName()
                + " " + instructionCount() + " insns" + (subprograms.isEmpty() ? "" : " subprogs " + subprograms) + "]";
    }

    /** BPF_F_* program flags. */
    public static final int F_STRICT_ALIGNMENT = 1, F_ANY_ALIGNMENT = 2, F_TEST_RND_HI32 = 4,
            F_TEST_STATE_FREQ = 8, F_SLEEPABLE = 16, F_XDP_HAS_FRAGS = 32;
}
