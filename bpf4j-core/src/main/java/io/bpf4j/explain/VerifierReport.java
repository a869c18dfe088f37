package io.bpf4j.explain;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verifier log for a refused BPF_PROG_LOAD: the loader's own, or the one explain got by loading
 * the same instructions again with a log.
 *
 * @param log          the log text
 * @param rerun        true if explain loaded the program again to get it
 * @param rerunErrno   the errno of that load (0 if it loaded: then the environment differed)
 * @param instruction  the disassembled instruction the reason points at, or null
 */
public record VerifierReport(String log, boolean rerun, int rerunErrno, String instruction) {
    private static final Pattern INSN = Pattern.compile("^(\\d+): \\(([0-9a-f]{2})\\)");

    public static VerifierReport ofLog(String log) {
        return new VerifierReport(log, false, 0, null);
    }

    /**
     * The line that says why: the last line that is not statistics or a state dump. 7.x logs may
     * end in "Reason:"/"Suggestion:" sections; the reason line is then the one after "Reason:".
     */
    public String reason() {
        List<String> lines = log.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("Reason:")) {
                String r = l.substring(7).strip();
                if (!r.isEmpty()) return r;
                if (i + 1 < lines.size()) return lines.get(i + 1);
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (isNoise(l)) continue;
            return l;
        }
        return "";
    }

    /**
     * True when the log has no error line: the verifier accepted the program (its statistics are
     * printed either way), so the refusal came after verification.
     */
    public boolean clean() {
        return !log.isBlank() && reason().isEmpty();
    }

    static boolean isNoise(String l) {
        return l.startsWith("processed ") || l.startsWith("verification time") || l.startsWith("stack depth")
                || l.startsWith("-- END PROG LOAD LOG --") || l.startsWith("Suggestion:") || INSN.matcher(l).find()
                || l.matches("^\\d+: R\\d.*") || l.matches("^R\\d+[_=].*") || l.startsWith("func#")
                || l.startsWith("mark_precise") || l.startsWith("last_idx") || l.startsWith("regs=") || l.startsWith(";")
                || l.matches("^from \\d+ to \\d+:.*") || l.startsWith("Live regs") || l.matches("^\\d+: .*");
    }

    /** The index of the instruction the verifier was at when it gave up, or -1. */
    public int insnIndex() {
        int idx = -1;
        String reason = reason();
        for (String l : log.lines().map(String::strip).toList()) {
            if (l.equals(reason)) break;
            Matcher m = INSN.matcher(l);
            if (m.find()) idx = Integer.parseInt(m.group(1));
        }
        return idx;
    }

    /** The log's line for that instruction ({@code 0: (61) r0 = *(u32 *)(r1 +4096)}), or null. */
    public String insnLine() {
        int idx = insnIndex();
        if (idx < 0) return null;
        String found = null;
        for (String l : log.lines().map(String::strip).toList()) {
            Matcher m = INSN.matcher(l);
            if (m.find() && Integer.parseInt(m.group(1)) == idx) found = l;
            if (l.equals(reason())) break;
        }
        return found;
    }
}
