package io.bpf4j;

import io.bpf4j.internal.sys.Errno;
import io.bpf4j.internal.sys.Syscalls;

/**
 * Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK (memcg accounting came with
 * 97306be45fbe, 5.11), often 64 KiB. Like libbpf and cilium/ebpf, we raise the limit once
 * when a create fails with EPERM under a finite limit, then retry.
 */
final class Memlock {
    private Memlock() {}

    private static volatile boolean raised;

    /** True if a retry may help: EPERM, a finite limit, and we could raise it. */
    static boolean raiseAfter(int errno) {
        if (errno != Errno.EPERM || raised) return false;
        long limit = Syscalls.memlockLimit();
        if (limit == -1) return false;
        raised = true;
        return Syscalls.raiseMemlock() == 0;
    }
}
