package io.bpf4j.tools.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * One per-thread session: the call of an entry function and everything traced under it.
 *
 * @param root        the entry function's call
 * @param errorCall   the deepest call of the error the session ended with (the first failure
 *                    not cleared by a later success), or null if the session succeeded
 * @param stack       kernel stack addresses taken at {@code errorCall}'s return, innermost
 *                    first, or empty
 * @param lostRecords ring buffer records of this session that never arrived (calls missing)
 * @param truncated   calls deeper than the BPF side's depth limit were not recorded
 * @param stackAtEntry the stack was taken at the root call's entry, not at the error (-K before 5.15,
 *                    whose kretprobe stacks end at the trampoline); calls carry their return addresses
 * @param lbr         -B: last branch records at the error, {from, to, flags} per record, oldest last; empty if none
 * @param lbrError    -B: the error bpf_get_branch_snapshot returned (negative), 0 if it worked
 */
public record Session(int tid, int pid, String comm, long startNs, long endNs, Call root, Call errorCall, long[] stack,
                      int lostRecords, boolean truncated, boolean stackAtEntry, long[] lbr, int lbrError) {
    public Session(int tid, int pid, String comm, long startNs, long endNs, Call root, Call errorCall, long[] stack,
                   int lostRecords, boolean truncated) {
        this(tid, pid, comm, startNs, endNs, root, errorCall, stack, lostRecords, truncated, false, new long[0], 0);
    }

    public boolean failed() {
        return errorCall != null;
    }

    public long durationNs() {
        return endNs - startNs;
    }

    /** Every call, depth first in call order. */
    public List<Call> calls() {
        List<Call> out = new ArrayList<>();
        walk(root, out);
        return out;
    }

    private static void walk(Call c, List<Call> out) {
        out.add(c);
        for (Call k : c.children()) walk(k, out);
    }

    /** The error's call chain, outermost first (empty for a successful session). */
    public List<Call> errorPath() {
        return errorCall == null ? List.of() : errorCall.path();
    }
}
