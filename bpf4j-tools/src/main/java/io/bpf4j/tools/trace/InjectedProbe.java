package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;

/**
 * An injected probe ({@code -J}, retsnoop's {@code --inject}): {@code kprobe:FUNC[+OFF]},
 * {@code kretprobe:FUNC}, {@code tp:CATEGORY:NAME} or {@code rawtp:NAME}. It never starts or
 * ends a session; it shows ({@code ◎}) in the session open on the thread it fires on, under the
 * call it fired inside, with its context as arguments under {@code -A}.
 */
public record InjectedProbe(Type type, String function, long offset, String category, String name) {
    /** The probe kinds of -J: kprobe:FUNC+OFF, kretprobe:FUNC, tp:CATEGORY:NAME, rawtp:NAME. */
    public enum Type { KPROBE, KRETPROBE, TRACEPOINT, RAW_TRACEPOINT }

    public static InjectedProbe parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon), rest = colon < 0 ? "" : t.substring(colon + 1);
        switch (kind) {
            case "kprobe", "k" -> {
                int plus = rest.indexOf('+');
                String fn = plus < 0 ? rest : rest.substring(0, plus);
                long off = 0;
                if (plus >= 0) {
                    String o = rest.substring(plus + 1);
                    try {
                        off = o.startsWith("0x") || o.startsWith("0X") ? Long.parseLong(o.substring(2), 16) : Long.parseLong(o);
                    } catch (NumberFormatException e) {
                        throw new BpfException("-J " + text + ": offset '" + o + "' is not a number (decimal or 0x hex)");
                    }
                    if (off < 0) throw new BpfException("-J " + text + ": negative offset");
                }
                requireName(text, fn);
                return new InjectedProbe(Type.KPROBE, fn, off, null, null);
            }
            case "kretprobe", "kr" -> {
                requireName(text, rest);
                if (rest.contains("+")) throw new BpfException("-J " + text + ": a kretprobe takes no offset");
                return new InjectedProbe(Type.KRETPROBE, rest, 0, null, null);
            }
            case "tp", "tracepoint" -> {
                int c2 = rest.indexOf(':');
                if (c2 <= 0 || c2 == rest.length() - 1) throw new BpfException("-J " + text + ": use tp:CATEGORY:NAME (e.g. tp:sched:sched_process_exec)");
                return new InjectedProbe(Type.TRACEPOINT, null, 0, rest.substring(0, c2), rest.substring(c2 + 1));
            }
            case "rawtp", "raw_tp", "raw_tracepoint" -> {
                requireName(text, rest);
                return new InjectedProbe(Type.RAW_TRACEPOINT, null, 0, null, rest);
            }
            default -> throw new BpfException("-J " + text + ": use kprobe:FUNC[+OFF], kretprobe:FUNC, tp:CATEGORY:NAME or rawtp:NAME");
        }
    }

    private static void requireName(String text, String name) {
        if (name.isEmpty() || !name.matches("[A-Za-z0-9_.]+")) throw new BpfException("-J " + text + ": '" + name + "' is not a kernel function or event name");
    }

    /** How the trace shows it: {@code kprobe:bprm_execve+0x5}, {@code tp:sched:sched_process_exec}. */
    public String label() {
        return switch (type) {
            case KPROBE -> "kprobe:" + function + (offset != 0 ? "+0x" + Long.toHexString(offset) : "");
            case KRETPROBE -> "kretprobe:" + function;
            case TRACEPOINT -> "tp:" + category + ":" + name;
            case RAW_TRACEPOINT -> "rawtp:" + name;
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
