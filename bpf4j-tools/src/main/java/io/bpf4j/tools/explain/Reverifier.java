package io.bpf4j.tools.explain;

import io.bpf4j.BpfCommand;
import io.bpf4j.Fd;
import io.bpf4j.asm.Disassembler;
import io.bpf4j.explain.BpfCall;
import io.bpf4j.explain.FdResolver;
import io.bpf4j.explain.Gatherer;
import io.bpf4j.explain.VerifierReport;
import io.bpf4j.internal.sys.Bpf;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Loads a program that a traced process failed to load, again, in explain's own process and
 * with a verifier log, to get the reason the process did not ask for (log_level 0). The same
 * instructions and attributes; every fd the load names (maps in ld_imm64 instructions and
 * fd_array, the program BTF, the attach target, the token) duplicated from the process with
 * pidfd_getfd and rewritten to the duplicate. The process's own call and result are untouched.
 */
final class Reverifier {
    /** Log buffer: enough for a level-1 log of any program the 1M-instruction limit lets through. */
    static final int LOG_SIZE = 16 << 20;
    static final int MAX_INSNS = 1_000_000;

    private final FdResolver fds;
    private final Gatherer.Memory memory;

    Reverifier(FdResolver fds, Gatherer.Memory memory) {
        this.fds = fds;
        this.memory = memory;
    }

    /** The verifier's report for {@code call}, or null when the load cannot be repeated (memory gone, an fd not duplicable). */
    VerifierReport reverify(BpfCall call) {
        int n = call.u32("insn_cnt");
        if (n <= 0 || n > MAX_INSNS) return null;
        byte[] insns = memory.read(call.get("insns"), n * 8);
        if (insns == null) return null;
        List<Fd> dups = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            int size = Math.max(call.size(), 168);
            MemorySegment attr = a.allocate(size, 8);
            byte[] orig = call.attrBytes();
            MemorySegment.copy(MemorySegment.ofArray(orig), 0, attr, 0, Math.min(orig.length, Math.min(size, call.size())));
            byte[] patched = insns.clone();
            long fdArray = call.covers("fd_array") ? call.get("fd_array") : 0;
            int maxIdx = -1;
            for (int i = 0; i + 16 <= patched.length; i += 8) {
                if ((patched[i] & 0xff) != 0x18) continue;
                int src = (patched[i + 1] >> 4) & 0xf;
                int imm = imm(patched, i);
                if (src == 1 || src == 2) {
                    Fd d = dup(imm, dups);
                    if (d == null) return null;
                    setImm(patched, i, d.raw());
                } else if (src == 5 || src == 6) {
                    maxIdx = Math.max(maxIdx, imm);
                }
                i += 8;
            }
            MemorySegment ins = a.allocate(patched.length, 8);
            MemorySegment.copy(MemorySegment.ofArray(patched), 0, ins, 0, patched.length);
            attr.set(JAVA_LONG, 8, ins.address());
            if (fdArray != 0) {
                int cnt = Math.max(maxIdx + 1, call.covers("fd_array_cnt") ? call.u32("fd_array_cnt") : 0);
                if (cnt > 0) {
                    byte[] arr = memory.read(fdArray, cnt * 4);
                    if (arr == null) return null;
                    MemorySegment our = a.allocate(4L * cnt, 4);
                    for (int k = 0; k < cnt; k++) {
                        int fd = (arr[k * 4] & 0xff) | (arr[k * 4 + 1] & 0xff) << 8 | (arr[k * 4 + 2] & 0xff) << 16 | arr[k * 4 + 3] << 24;
                        Fd d = dup(fd, dups);
                        if (d == null) return null;
                        our.setAtIndex(JAVA_INT, k, d.raw());
                    }
                    attr.set(JAVA_LONG, 120, our.address());
                }
            }
            copyPointer(call, attr, a, "license", 16, 128, true);
            copyPointer(call, attr, a, "func_info", 80, (long) call.u32("func_info_rec_size") * call.u32("func_info_cnt"), false);
            copyPointer(call, attr, a, "line_info", 96, (long) call.u32("line_info_rec_size") * call.u32("line_info_cnt"), false);
            if (call.covers("core_relos"))
                copyPointer(call, attr, a, "core_relos", 128, (long) call.u32("core_relo_rec_size") * call.u32("core_relo_cnt"), false);
            if (call.covers("signature") && call.get("signature") != 0)
                copyPointer(call, attr, a, "signature", 152, call.u32("signature_size"), false);
            for (String[] f : new String[][] {{"prog_btf_fd", "72"}, {"attach_prog_fd", "112"}, {"prog_token_fd", "144"}}) {
                if (!call.covers(f[0]) || call.u32(f[0]) == 0) continue;
                Fd d = dup(call.u32(f[0]), dups);
                if (d == null) return null;
                attr.set(JAVA_INT, Integer.parseInt(f[1]), d.raw());
            }
            MemorySegment log = a.allocate(LOG_SIZE);
            attr.set(JAVA_INT, 24, 1);
            attr.set(JAVA_INT, 28, LOG_SIZE);
            attr.set(JAVA_LONG, 32, log.address());
            if (size >= 144) attr.set(JAVA_INT, 140, 0);
            long r = Bpf.call(BpfCommand.PROG_LOAD.value(), attr.asSlice(0, Math.max(call.size(), 120)));
            if (r >= 0) Syscalls.close((int) r);
            String text = log.getString(0, StandardCharsets.UTF_8);
            VerifierReport v = new VerifierReport(text, true, r < 0 ? (int) -r : 0, null);
            int at = v.insnIndex();
            String insn = null;
            if (at >= 0 && at < n) {
                try {
                    insn = Disassembler.original(Disassembler.Symbols.NONE).insn(insns, at);
                } catch (RuntimeException e) {
                    // a cut-off ld_imm64: the log's own line stands
                }
            }
            return new VerifierReport(text, true, v.rerunErrno(), insn);
        } finally {
            for (Fd d : dups) d.close();
        }
    }

    private Fd dup(int fd, List<Fd> dups) {
        Fd d = fds.duplicate(fd);
        if (d != null) dups.add(d);
        return d;
    }

    /** Copies what a pointer field points at into our memory and points our attr at the copy. */
    private void copyPointer(BpfCall call, MemorySegment attr, Arena a, String field, int offset, long length, boolean string) {
        long p = call.covers(field) ? call.get(field) : 0;
        if (p == 0 || length <= 0 || length > (64 << 20)) return;
        byte[] b = memory.read(p, (int) length);
        if (b == null && string) {
            // a short string at the end of a mapping: byte by byte up to its NUL
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < length; i++) {
                byte[] c = memory.read(p + i, 1);
                if (c == null || c[0] == 0) break;
                out.write(c[0]);
            }
            b = out.toByteArray();
        }
        if (b == null) return;
        MemorySegment s = a.allocate(b.length + 1);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, s, 0, b.length);
        s.set(JAVA_BYTE, b.length, (byte) 0);
        attr.set(JAVA_LONG, offset, s.address());
    }

    static int imm(byte[] b, int i) {
        return (b[i + 4] & 0xff) | (b[i + 5] & 0xff) << 8 | (b[i + 6] & 0xff) << 16 | b[i + 7] << 24;
    }

    static void setImm(byte[] b, int i, int v) {
        b[i + 4] = (byte) v;
        b[i + 5] = (byte) (v >> 8);
        b[i + 6] = (byte) (v >> 16);
        b[i + 7] = (byte) (v >> 24);
    }
}
