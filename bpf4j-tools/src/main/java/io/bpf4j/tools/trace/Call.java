package io.bpf4j.tools.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One call of a traced function inside a session, with the calls it made. {@code exitNs} is -1
 * when the call had not returned when the session ended (a lost exit).
 */
public final class Call {
    private final TracedFunction function;
    private final Call parent;
    private final int depth;
    private final long entryNs;
    private final List<Call> children = new ArrayList<>(2);
    long exitNs = -1;
    long result;
    boolean failed;
    /** -A: this call's capture as trace.bpf.c wrote it (struct call_args onwards), or null. */
    byte[] args;
    /** The address it returns to (entry_stacks: -K before 5.15), 0 if not recorded. */
    long returnAddress;

    Call(TracedFunction function, Call parent, int depth, long entryNs) {
        this.function = function;
        this.parent = parent;
        this.depth = depth;
        this.entryNs = entryNs;
        if (parent != null) parent.children.add(this);
    }

    public TracedFunction function() {
        return function;
    }

    public Call parent() {
        return parent;
    }

    public int depth() {
        return depth;
    }

    public List<Call> children() {
        return Collections.unmodifiableList(children);
    }

    public long entryNs() {
        return entryNs;
    }

    public long exitNs() {
        return exitNs;
    }

    public boolean returned() {
        return exitNs >= 0;
    }

    /** An injected probe that fired here (-J): no duration; {@link #result()} is its value. */
    public boolean probe() {
        return function.probe();
    }

    /** The last {@link #args(ArgLayout.Style, int)} rendered, for the form it was asked in. */
    private List<String> argsText;
    private ArgLayout.Style argsStyle;
    private int argsWidth;

    /**
     * -A: the captured arguments, formatted; empty when none were captured. A session prints
     * them twice (table row and error stack): the second time takes the first one's text.
     */
    public List<String> args(ArgLayout.Style style, int width) {
        ArgLayout l = function.argLayout();
        if (args == null || l == null) return List.of();
        if (argsText == null || argsStyle != style || argsWidth != width) {
            argsText = Collections.unmodifiableList(l.format(args, style, width));
            argsStyle = style;
            argsWidth = width;
        }
        return argsText;
    }

    private byte[] argsLine;
    private int argsLineWidth;

    /**
     * -A: the compact arguments joined by spaces, UTF-8 encoded (what the error stack prints
     * beside the call); empty when none were captured.
     */
    byte[] argsLine(int width) {
        ArgLayout l = function.argLayout();
        if (args == null || l == null) return NO_BYTES;
        if (argsLine == null || argsLineWidth != width) {
            argsLine = l.compactLine(args, width);
            argsLineWidth = width;
        }
        return argsLine;
    }

    private static final byte[] NO_BYTES = {};

    /** True if arguments were captured for this call. */
    public boolean hasArgs() {
        return args != null && function.argLayout() != null;
    }

    /** The return address recorded at entry, 0 if none. */
    public long returnAddress() {
        return returnAddress;
    }

    /** The raw return register. */
    public long result() {
        return result;
    }

    public boolean failed() {
        return failed;
    }

    public long durationNs() {
        return exitNs < 0 ? -1 : exitNs - entryNs;
    }

    /** The result as retsnoop prints it, without brackets ({@code -EINVAL}, {@code false}, {@code ...} if unfinished). */
    public String resultText() {
        if (probe()) return function.returns() == ReturnKind.VOID ? "" : function.returns().format(result);
        return exitNs < 0 ? "..." : function.returns().format(result);
    }

    /** The error name if this call failed with an error code ({@code EINVAL}), {@code NULL}, or null. */
    public String errorName() {
        if (!failed) return null;
        if (function.returns() == ReturnKind.POINTER && result == 0) return "NULL";
        int e = function.returns() == ReturnKind.INT32 ? -(int) result : (int) -result;
        return KernelErrors.name(e);
    }

    /** This call and its callers, outermost first. */
    public List<Call> path() {
        List<Call> p = new ArrayList<>();
        for (Call c = this; c != null; c = c.parent) p.add(c);
        Collections.reverse(p);
        return p;
    }

    @Override
    public String toString() {
        return function.name() + "@" + depth + (returned() ? "=" + resultText() : "");
    }
}
