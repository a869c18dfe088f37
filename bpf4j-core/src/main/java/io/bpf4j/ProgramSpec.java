package io.bpf4j;

/**
 * What a program should be, before it is loaded: BPF_PROG_LOAD's parameters.
 *
 * @param instructions  encoded {@code struct bpf_insn} array (8 bytes per slot)
 * @param attachProg    target program for EXT (freplace) and tracing programs on BPF programs
 * @param attachBtfId   BTF id of the attach target (vmlinux function, or the target program's
 *                      BTF function for EXT)
 * @param btf           program BTF for func_info/line_info, or null
 * @param funcInfo      raw bpf_func_info records (rec size 8), or null
 * @param lineInfo      raw bpf_line_info records (rec size 16), or null
 */
public record ProgramSpec(
        ProgType type,
        String name,
        byte[] instructions,
        String license,
        AttachType expectedAttachType,
        int kernelVersion,
        int flags,
        BtfHandle btf,
        byte[] funcInfo,
        byte[] lineInfo,
        int attachBtfId,
        BpfProgram attachProg,
        BtfHandle attachBtfObj,
        int ifindex) {

    public ProgramSpec {
        if (type == null) throw new BpfException("program spec: type is required");
        if (instructions == null || instructions.length == 0 || instructions.length % 8 != 0)
            throw new BpfFormatException("program spec: instructions must be a non-empty multiple of 8 bytes");
        if (name == null) name = "";
        if (license == null) license = "GPL";
    }

    public static ProgramSpec of(ProgType type, byte[] instructions, String license) {
        return new ProgramSpec(type, "", instructions, license, null, 0, 0, null, null, null, 0, null, null, 0);
    }

    public ProgramSpec withName(String n) {
        return new ProgramSpec(type, n, instructions, license, expectedAttachType, kernelVersion, flags, btf, funcInfo, lineInfo, attachBtfId, attachProg, attachBtfObj, ifindex);
    }

    public ProgramSpec withExpectedAttachType(AttachType t) {
        return new ProgramSpec(type, name, instructions, license, t, kernelVersion, flags, btf, funcInfo, lineInfo, attachBtfId, attachProg, attachBtfObj, ifindex);
    }

    public ProgramSpec withKernelVersion(int v) {
        return new ProgramSpec(type, name, instructions, license, expectedAttachType, v, flags, btf, funcInfo, lineInfo, attachBtfId, attachProg, attachBtfObj, ifindex);
    }

    public ProgramSpec withFlags(int f) {
        return new ProgramSpec(type, name, instructions, license, expectedAttachType, kernelVersion, f, btf, funcInfo, lineInfo, attachBtfId, attachProg, attachBtfObj, ifindex);
    }

    public ProgramSpec withBtf(BtfHandle b, byte[] funcInfoRecords, byte[] lineInfoRecords) {
        return new ProgramSpec(type, name, instructions, license, expectedAttachType, kernelVersion, flags, b, funcInfoRecords, lineInfoRecords, attachBtfId, attachProg, attachBtfObj, ifindex);
    }

    /** Attach target inside another BPF program (EXT/freplace, or fentry on a BPF program). */
    public ProgramSpec withAttachProg(BpfProgram target, int btfFuncId) {
        return new ProgramSpec(type, name, instructions, license, expectedAttachType, kernelVersion, flags, btf, funcInfo, lineInfo, btfFuncId, target, null, ifindex);
    }

    /** Attach target in kernel BTF (vmlinux when obj is null, else a module's BTF). */
    public ProgramSpec withAttachBtf(BtfHandle obj, int btfId) {
        return new ProgramSpec(type, name, instructions, license, expectedAttachType, kernelVersion, flags, btf, funcInfo, lineInfo, btfId, null, obj, ifindex);
    }

    public int instructionCount() {
        return instructions.length / 8;
    }

    /** BPF_F_* program flags. */
    public static final int F_STRICT_ALIGNMENT = 1, F_ANY_ALIGNMENT = 2, F_TEST_RND_HI32 = 4,
            F_TEST_STATE_FREQ = 8, F_SLEEPABLE = 16, F_XDP_HAS_FRAGS = 32;
}
