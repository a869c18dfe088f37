package io.bpf4j.tools.explain;

import io.bpf4j.BpfException;
import io.bpf4j.internal.sys.Syscalls;
import io.bpf4j.tools.trace.Call;
import io.bpf4j.tools.trace.FunctionSelector;
import io.bpf4j.tools.trace.KernelErrors;
import io.bpf4j.tools.trace.ReturnKind;
import io.bpf4j.tools.trace.Session;
import io.bpf4j.tools.trace.TraceOptions;
import io.bpf4j.tools.trace.TraceableFunctions;
import io.bpf4j.tools.trace.Tracer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The kernel's own error path of a failed call, where kprobes let BPF trace kernel/bpf: the
 * {@code trace} tool's sessions under the bpf syscall, limited to the traced processes, matched
 * to a failed call by thread and time. For the story: {@code bpf_fd_array_map_update_elem
 * [-EINVAL]} under which {@code bpf_prog_array_compatible [false]}.
 */
final class KernelChain implements AutoCloseable {
    /**
     * The bpf syscall and the functions behind each command's checks (a few dozen, so that
     * attaching stays quick on emulated lab kernels); names missing on a kernel are skipped.
     */
    static final List<String> FUNCTIONS = List.of("__sys_bpf", "map_create", "map_lookup_elem", "map_update_elem",
            "map_delete_elem", "map_get_next_key", "map_freeze", "map_lookup_and_delete_elem", "bpf_map_update_value",
            "bpf_map_copy_value", "array_map_update_elem", "array_map_delete_elem", "bpf_fd_array_map_update_elem",
            "prog_fd_array_get_ptr", "bpf_prog_array_compatible", "bpf_prog_map_compatible", "__bpf_prog_map_compatible",
            "bpf_map_fd_get_ptr", "bpf_map_meta_alloc", "bpf_prog_load", "bpf_check", "bpf_prog_select_runtime",
            "bpf_check_tail_call", "bpf_obj_pin_user", "bpf_obj_get_user", "bpf_obj_do_pin", "bpf_obj_do_get", "link_create",
            "bpf_prog_attach", "bpf_prog_detach", "bpf_raw_tracepoint_open", "bpf_raw_tp_link_attach", "bpf_btf_load",
            "btf_new_fd", "btf_parse", "bpf_prog_test_run", "bpf_tracing_prog_attach", "bpf_check_attach_target");

    private final Tracer tracer;

    /** How it attached: the tracer's mode and how many functions ("kprobe/kretprobe ..., 30 of 38 functions"). */
    String attached() {
        return tracer.reason() + "; " + tracer.attachedCount() + " functions" + (tracer.skipped().isEmpty() ? "" : ", skipped: " + tracer.skipped());
    }
    private final List<Session> sessions = new ArrayList<>();

    private KernelChain(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Attaches, or throws a one-line reason (no kprobes; the kernel refused the programs). */
    static KernelChain attach() {
        if (!Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type")))
            throw new BpfException("this kernel has no kprobes, so the functions behind bpf() cannot be traced; explaining without them");
        FunctionSelector sel = new FunctionSelector().entry("*_sys_bpf");
        for (String f : FUNCTIONS) sel.allow(f);
        FunctionSelector.Selection s = sel.select(TraceableFunctions.load());
        // Pid 0 is never a caller of bpf(): it only turns the allow list on; the traced processes join as they start.
        TraceOptions o = TraceOptions.defaults().withRingBufBytes(1 << 20).withDenyTgid(Syscalls.getpid()).withPids(Set.of(0), Set.of());
        return new KernelChain(Tracer.attach(s, o));
    }

    /** Traces bpf() calls of this process from now on. */
    void allow(int tgid) {
        tracer.allowPid(tgid);
    }

    /** The calls behind the failure, outermost first, as lines; empty when no session matches. */
    List<String> errorPath(CallEvent e) {
        tracer.drain(sessions::add);
        Session best = null;
        for (Session s : sessions)
            if (s.tid() == e.tid() && s.failed() && (best == null || s.endNs() > best.endNs())) best = s;
        if (best == null) return List.of();
        sessions.remove(best);
        sessions.removeIf(s -> s.tid() == e.tid());
        List<String> out = new ArrayList<>();
        tree(best.root(), 0, out);
        return out;
    }

    /** The session's calls depth first, as trace -T lists them, at most {@link #MAX_LINES}. */
    static final int MAX_LINES = 40;

    private static void tree(Call c, int depth, List<String> out) {
        if (out.size() == MAX_LINES) out.add("  ".repeat(depth) + "...");
        if (out.size() > MAX_LINES) return;
        out.add(line(c, depth));
        for (Call k : c.children()) tree(k, depth + 1, out);
    }

    static String line(Call c, int depth) {
        return "  ".repeat(depth) + (depth == 0 ? "" : "<- ") + c.function().name() + " [" + result(c) + "]";
    }

    /**
     * The call's result as trace prints it, except for a compiler clone without BTF
     * ({@code bpf_map_update_value.isra.0}): its return type is unknown, and an int -errno comes
     * back zero-extended (0xffffffea), which is shown as the error (-EINVAL) rather than 4294967274.
     */
    static String result(Call c) {
        return c.returned() ? result(c.function().name(), c.function().returns(), c.result(), c.resultText()) : c.resultText();
    }

    /** {@code traceText}, or the error of a clone's zero-extended int -errno (see {@link #result(Call)}). */
    static String result(String function, ReturnKind returns, long raw, String traceText) {
        if (returns == ReturnKind.UNKNOWN && function.contains(".") && raw >= (1L << 32) - 4095 && raw < (1L << 32))
            return "-" + KernelErrors.name(-(int) raw);
        return traceText;
    }

    @Override
    public void close() {
        tracer.close();
    }
}
