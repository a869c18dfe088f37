package io.bpf4j;

import java.util.List;

/**
 * The verifier rejected a program. Keeps the whole log; the message shows the cause (the
 * log's last meaningful line) and {@link #tail(int)} gives the last lines, as cilium/ebpf's
 * VerifierError does.
 */
public class VerifierException extends BpfException {
    private final String log;
    private final boolean truncated;

    public VerifierException(String op, int errno, String log, boolean truncated) {
        super(op, errno, cause(log) + (truncated ? " (log truncated)" : ""));
        this.log = log;
        this.truncated = truncated;
    }

    /** The complete verifier log. */
    public String log() {
        return log;
    }

    public boolean truncated() {
        return truncated;
    }

    /** The last {@code n} non-empty log lines. */
    public List<String> tail(int n) {
        List<String> lines = log.lines().filter(l -> !l.isBlank()).toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    /**
     * The line that says why: the last line that is not statistics ("processed N insns") or
     * a bare verification-time summary.
     */
    static String cause(String log) {
        List<String> lines = log.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (l.startsWith("processed ") || l.startsWith("verification time") || l.startsWith("stack depth")
                    || l.startsWith("-- END PROG LOAD LOG --")) continue;
            return l;
        }
        return "verifier rejected the program (empty log)";
    }
}
