package io.bpf4j.tools.explain;

import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Processes;
import io.bpf4j.internal.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.bpf4j.internal.sys.Processes.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Puts a seccomp filter into a traced process without code of our own in it: at a syscall-entry
 * stop the thread's registers are rewritten so that it makes seccomp(2) itself (a filter can only
 * be installed by the task it applies to), then restored with the instruction pointer moved back
 * over the {@code syscall} instruction, so its own syscall runs next, unchanged. The filter and
 * its program header go onto the live stack above rsp, saved and restored around the call
 * (writing below rsp can fault: since 6.5 GUP does not grow the stack). x86-64 only.
 */
final class Seccomp {
    private Seccomp() {}

    /** struct user_regs_struct word indexes. */
    static final int R10 = 7, R9 = 8, R8 = 9, RAX = 10, RDX = 12, RSI = 13, RDI = 14, ORIG_RAX = 15, RIP = 16, RSP = 19;
    static final long SYS_PRCTL = 157, SYS_SECCOMP = 317, PR_SET_NO_NEW_PRIVS = 38, SECCOMP_SET_MODE_FILTER = 1;
    static final int AUDIT_ARCH_X86_64 = 0xc000003e, AUDIT_ARCH_I386 = 0x40000003;
    static final int RET_TRACE = 0x7ff00000, RET_ALLOW = 0x7fff0000;

    /** bpf() (x86-64 321, i386 357) stops the tracee; everything else runs. 9 classic BPF instructions. */
    static byte[] filter() {
        ByteBuffer b = ByteBuffer.allocate(9 * 8).order(ByteOrder.LITTLE_ENDIAN);
        insn(b, 0x20, 0, 0, 4);                      // 0: A = seccomp_data.arch
        insn(b, 0x15, 0, 2, AUDIT_ARCH_X86_64);      // 1: x86-64? else 4
        insn(b, 0x20, 0, 0, 0);                      // 2: A = seccomp_data.nr
        insn(b, 0x15, 3, 4, 321);                    // 3: bpf? 7 : 8
        insn(b, 0x15, 0, 3, AUDIT_ARCH_I386);        // 4: i386? else 8
        insn(b, 0x20, 0, 0, 0);                      // 5: A = nr
        insn(b, 0x15, 0, 1, 357);                    // 6: bpf? 7 : 8
        insn(b, 0x06, 0, 0, RET_TRACE);              // 7
        insn(b, 0x06, 0, 0, RET_ALLOW);              // 8
        return b.array();
    }

    private static void insn(ByteBuffer b, int code, int jt, int jf, int k) {
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }

    /**
     * Installs the filter from the thread {@code tid}, which is at a syscall-entry stop; returns
     * null, or why not. A non-root process needs no_new_privs for a filter, so it gets that first
     * (then setuid programs it runs no longer gain privileges).
     */
    static String install(int tid, MemorySegment regs, MemorySegment status) {
        if (!"amd64".equals(System.getProperty("os.arch")) && !"x86_64".equals(System.getProperty("os.arch")))
            return "the register rewrite is written for x86-64 only";
        if (Syscalls.geteuid() != 0) {
            long r = hijack(tid, regs, status, SYS_PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, null);
            if (r != 0) return "prctl(PR_SET_NO_NEW_PRIVS) in the tracee: " + (r < 0 ? Errno.name((int) -r) : r);
            // The hijacked thread is now at the re-executed syscall's entry again: reach that stop.
            ptrace(PTRACE_SYSCALL, tid, 0, 0);
            if (Processes.wait(tid, status, __WALL) != tid) return "the tracee did not stop again";
        }
        long r = hijack(tid, regs, status, SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, 0, 0, filter());
        return r == 0 ? null : "seccomp() in the tracee: " + (r < 0 ? Errno.name((int) -r) : r);
    }

    /**
     * Makes the thread run syscall {@code nr}(a, b, c) in place of the one it is entering and
     * returns its result; the thread is left at that syscall's exit stop with its registers
     * restored to re-execute its own syscall. With {@code blob}, {@code c} is replaced by the
     * address of a sock_fprog for it, written on the stack.
     */
    static long hijack(int tid, MemorySegment regs, MemorySegment status, long nr, long a, long b, long c, byte[] blob) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment saved = arena.allocate(regs.byteSize(), 8);
            if (ptrace(PTRACE_GETREGS, tid, 0, saved.address()) < 0) return -Errno.ESRCH;
            long rsp = saved.get(JAVA_LONG, RSP * 8L);
            MemorySegment old = null;
            if (blob != null) {
                // struct sock_fprog { u16 len; u64 filter; } then the filter itself.
                MemorySegment prog = arena.allocate(16 + blob.length, 8);
                prog.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) (blob.length / 8));
                prog.set(JAVA_LONG, 8, rsp + 16);
                MemorySegment.copy(MemorySegment.ofArray(blob), 0, prog, 16, blob.length);
                old = arena.allocate(prog.byteSize(), 8);
                if (Processes.readMemory(tid, old, rsp, old.byteSize()) != old.byteSize()) return -Errno.EFAULT;
                if (Processes.writeMemory(tid, prog, rsp, prog.byteSize()) != prog.byteSize()) return -Errno.EFAULT;
                c = rsp;
            }
            MemorySegment.copy(saved, 0, regs, 0, regs.byteSize());
            regs.set(JAVA_LONG, ORIG_RAX * 8L, nr);
            regs.set(JAVA_LONG, RDI * 8L, a);
            regs.set(JAVA_LONG, RSI * 8L, b);
            regs.set(JAVA_LONG, RDX * 8L, c);
            // The other argument registers still hold the hijacked syscall's: prctl() refuses
            // PR_SET_NO_NEW_PRIVS with EINVAL unless its arguments 4 and 5 are 0.
            regs.set(JAVA_LONG, R10 * 8L, 0);
            regs.set(JAVA_LONG, R8 * 8L, 0);
            regs.set(JAVA_LONG, R9 * 8L, 0);
            long result;
            if (ptrace(PTRACE_SETREGS, tid, 0, regs.address()) < 0) {
                result = -Errno.ESRCH;
            } else {
                ptrace(PTRACE_SYSCALL, tid, 0, 0);
                int w = Processes.wait(tid, status, __WALL);
                if (w != tid || !stopped(status.get(JAVA_INT, 0))) return -Errno.ESRCH;
                ptrace(PTRACE_GETREGS, tid, 0, regs.address());
                result = regs.get(JAVA_LONG, RAX * 8L);
            }
            if (old != null) Processes.writeMemory(tid, old, rsp, old.byteSize());
            // Back over the 2-byte syscall instruction, with the number in rax, to run it again.
            saved.set(JAVA_LONG, RIP * 8L, saved.get(JAVA_LONG, RIP * 8L) - 2);
            saved.set(JAVA_LONG, RAX * 8L, saved.get(JAVA_LONG, ORIG_RAX * 8L));
            ptrace(PTRACE_SETREGS, tid, 0, saved.address());
            return result;
        }
    }
}
