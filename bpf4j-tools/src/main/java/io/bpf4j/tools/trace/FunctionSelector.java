package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the functions to trace from entry ({@code -e}), allow ({@code -a}) and deny
 * ({@code -d}) patterns, with retsnoop's rules: deny always wins, entry wins over allow, an entry
 * pattern that matches nothing is an error. Unlike retsnoop, an allow pattern that matches nothing
 * gets a warning (and the new name when the function was renamed), because a silently empty
 * glob is exactly how the blog's {@code bpf_prog_array_compatible} vanished on 5.18+ kernels.
 * A built-in list of functions that are unsafe to trace (the tracer's own machinery, or what it
 * runs inside) is always denied.
 */
public final class FunctionSelector {
    /** One chosen function and why; {@code bpf} is set for a BPF program's function ({@code bpf:} patterns). */
    public record Selected(KernelFunction function, boolean entry, FunctionPattern by, int namesakes, BpfTargets.Func bpf) {
        public Selected(KernelFunction function, boolean entry, FunctionPattern by, int namesakes) {
            this(function, entry, by, namesakes, null);
        }

        /** True if no other traceable function has this name (a kprobe by name can find it). */
        public boolean uniqueName() {
            return namesakes <= 1;
        }
    }

    /** The result: functions in kallsyms order, warnings for the user, and what was denied. */
    public record Selection(List<Selected> functions, List<String> warnings, List<String> denied) {
        public int entryCount() {
            return (int) functions.stream().filter(Selected::entry).count();
        }
    }

    /**
     * Functions the tracer calls while it runs (map lookups, the ring buffer, stack walking,
     * time), or that kprobes, fentry trampolines and RCU run inside. Tracing them would recurse
     * into the tracer, or be skipped by the kernel's recursion protection and break the call
     * stack. Patterns written by us after reading what a BPF program hits (kernel/bpf/*.c,
     * kernel/trace/bpf_trace.c, arch/x86/kernel/kprobes), not copied from retsnoop.
     */
    public static final List<String> UNSAFE = List.of(
            "__bpf_prog_enter*", "__bpf_prog_exit*", "bpf_prog_start_time", "bpf_trampoline_*", "__bpf_tramp_*",
            "bpf_trace_run*", "__bpf_trace_run", "trace_call_bpf", "bpf_get_stack*", "__bpf_get_stack*", "bpf_get_stackid*",
            "get_perf_callchain", "perf_callchain_*", "stack_trace_*", "arch_stack_walk*", "unwind_*", "__unwind_start",
            "__orc_find", "orc_find", "__kernel_text_address", "kernel_text_address", "core_kernel_text",
            "is_bpf_text_address", "bpf_ksym_find", "is_ftrace_trampoline", "is_module_text_address", "__module_address",
            "__module_text_address", "bpf_ringbuf_*", "__bpf_ringbuf_*", "ringbuf_*", "irq_work_queue*", "irq_work_*",
            "__htab_map_lookup_elem", "htab_map_update_elem", "htab_map_delete_elem", "htab_map_lookup_elem",
            "lookup_elem_raw", "lookup_nulls_elem_raw", "alloc_htab_elem", "free_htab_elem", "htab_elem_free*",
            "pcpu_freelist_*", "__pcpu_freelist_*", "___pcpu_freelist_*", "htab_lock_bucket", "htab_unlock_bucket",
            "bpf_get_current_comm", "bpf_get_current_pid_tgid", "bpf_ktime_get_ns", "ktime_get_mono_fast_ns",
            "bpf_get_attach_cookie*", "bpf_get_func_ip*", "bpf_probe_read*", "copy_from_kernel_nofault*",
            "kprobe_*", "kretprobe_*", "__kretprobe_*", "*kprobe_trampoline*", "arch_rethook_*", "rethook_*",
            "fprobe_*", "__fprobe_*", "kprobe_multi_*", "bpf_kprobe_multi_*", "ftrace_*", "__ftrace_*", "fentry_*",
            "rcu_read_lock*", "rcu_read_unlock*", "__rcu_read_lock", "__rcu_read_unlock", "rcu_is_watching",
            "migrate_disable", "migrate_enable", "preempt_count_*", "__preempt_count_*",
            "_raw_spin_*", "__raw_spin_*", "queued_spin_*", "native_queued_spin_*", "__pv_queued_spin_*",
            "lock_acquire*", "lock_release", "lock_is_held*", "lockdep_*", "__lock_*",
            "__x86_return_thunk", "__x86_indirect_*", "do_int3*", "exc_int3", "poke_int3_handler", "bpf_prog_active",
            "__this_cpu_preempt_check", "check_preemption_disabled", "debug_smp_processor_id",
            "__cant_migrate", "__cant_sleep", "__might_sleep", "__might_fault");

    /** retsnoop's {@code -c bpf} idea (entry: the bpf syscall; allow: the BPF subsystem), our lists. */
    public record Preset(List<String> entry, List<String> allow, List<String> deny) {}

    public static final Map<String, Preset> PRESETS = Map.of(
            "bpf", new Preset(List.of("*_sys_bpf", "__sys_bpf", "bpf_sys_bpf", "kern_sys_bpf"),
                    List.of("*bpf*", "*btf*", "do_check*", "check_*", "map_*", "array_*", "htab_*", "prog_*",
                            "*copy_from_user*", "*copy_to_user*", "__bpf_*", "resolve_pseudo_ldimm64", "replace_map_fd_with_map_ptr"),
                    List.of("bpf_lsm_*", "*migrate*", "check_preemption_disabled", "*_sys_bpf*_ret*")));

    /** Kernel renames that make an old glob match nothing: old name, new name, version. */
    static final Map<String, String> RENAMED = new LinkedHashMap<>();

    static {
        RENAMED.put("bpf_prog_array_compatible", "bpf_prog_map_compatible (renamed in Linux 5.18)");
        RENAMED.put("__bpf_prog_charge", "bpf_prog_charge_memlock, then memcg accounting (5.11)");
        RENAMED.put("kretprobe_trampoline", "__kretprobe_trampoline (5.15)");
    }

    private final List<FunctionPattern> entry = new ArrayList<>();
    private final List<FunctionPattern> allow = new ArrayList<>();
    private final List<FunctionPattern> deny = new ArrayList<>();
    private final List<FunctionPattern> unsafe = new ArrayList<>();
    /** {@code bpf:} patterns: [text, entry?] */
    private final List<String[]> bpf = new ArrayList<>();
    /** {@code :path-glob} patterns (source files, from DWARF): the glob is over the unit's path. */
    private final List<FunctionPattern> srcEntry = new ArrayList<>(), srcAllow = new ArrayList<>(), srcDeny = new ArrayList<>();
    private java.util.function.Function<KernelFunction, String> sourceOf;

    /** True if a pattern names source files ({@code :kernel/bpf/*.c}), which needs {@link #sources}. */
    public boolean usesSourcePaths() {
        return !srcEntry.isEmpty() || !srcAllow.isEmpty() || !srcDeny.isEmpty();
    }

    /**
     * Where each core-kernel function was compiled from ({@code kernel/bpf/arraymap.c}), from a
     * vmlinux's DWARF; null for a function it does not know. Needed by source-path patterns.
     */
    public FunctionSelector sources(java.util.function.Function<KernelFunction, String> sourceOf) {
        this.sourceOf = sourceOf;
        return this;
    }

    private static boolean source(String arg) {
        return arg.startsWith(":");
    }

    private static FunctionPattern sourcePattern(String arg, String origin) {
        if (arg.length() < 2) throw new BpfException("pattern '" + arg + "': give a source path glob after ':' (e.g. :kernel/bpf/*.c)");
        return new FunctionPattern(Glob.of(arg.substring(1)), null, origin);
    }

    public FunctionSelector() {
        for (String u : UNSAFE) unsafe.add(FunctionPattern.parse(u, "built-in deny list"));
    }

    public FunctionSelector entry(String arg) {
        if (BpfTargets.isPattern(arg)) bpf.add(new String[] {arg, "e"});
        else if (source(arg)) srcEntry.add(sourcePattern(arg, "-e " + arg));
        else entry.addAll(FunctionPattern.expand(arg, "-e " + arg));
        return this;
    }

    public FunctionSelector allow(String arg) {
        if (BpfTargets.isPattern(arg)) bpf.add(new String[] {arg, "a"});
        else if (source(arg)) srcAllow.add(sourcePattern(arg, "-a " + arg));
        else allow.addAll(FunctionPattern.expand(arg, "-a " + arg));
        return this;
    }

    public FunctionSelector deny(String arg) {
        if (source(arg)) {
            srcDeny.add(sourcePattern(arg, "-d " + arg));
            return this;
        }
        deny.addAll(FunctionPattern.expand(arg, "-d " + arg));
        return this;
    }

    public FunctionSelector preset(String name) {
        Preset p = PRESETS.get(name);
        if (p == null) throw new BpfException("unknown preset '" + name + "' (known: " + String.join(", ", PRESETS.keySet()) + ")");
        for (String s : p.entry) entry.add(FunctionPattern.parse(s, "-c " + name));
        for (String s : p.allow) allow.add(FunctionPattern.parse(s, "-c " + name));
        for (String s : p.deny) deny.add(FunctionPattern.parse(s, "-c " + name));
        return this;
    }

    /**
     * Applies the patterns to {@code universe}.
     *
     * @throws BpfException if there is no entry pattern, or one matches nothing
     */
    public Selection select(TraceableFunctions universe) {
        if (entry.isEmpty() && srcEntry.isEmpty() && bpf.stream().noneMatch(b -> b[1].equals("e")))
            throw new BpfException("no entry functions: give at least one -e GLOB (or -c bpf)");
        if (usesSourcePaths() && sourceOf == null)
            throw new BpfException("source-path patterns (:" + (srcEntry.isEmpty() ? srcAllow.isEmpty() ? srcDeny : srcAllow : srcEntry).getFirst().name()
                    + ") need a vmlinux with DWARF: -k VMLINUX or $BPF4J_VMLINUX (Debian: linux-image-*-dbg)");
        List<Selected> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> denied = new ArrayList<>();
        int[] entryHits = new int[entry.size()], allowHits = new int[allow.size()];
        int[] srcEntryHits = new int[srcEntry.size()], srcAllowHits = new int[srcAllow.size()];
        for (KernelFunction f : universe.functions()) {
            FunctionPattern e = first(entry, f, entryHits), a = e == null ? first(allow, f, allowHits) : null;
            String src = usesSourcePaths() && f.module() == null ? sourceOf.apply(f) : null;
            if (e == null && a == null && src != null) {
                e = firstSource(srcEntry, src, srcEntryHits);
                if (e == null) a = firstSource(srcAllow, src, srcAllowHits);
            }
            if (e == null && a == null) continue;
            FunctionPattern d = first(deny, f, null);
            if (d == null && src != null) d = firstSource(srcDeny, src, null);
            if (d == null) d = first(unsafe, f, null);
            if (d != null) {
                denied.add(f + " (" + d.origin() + ": " + d + ")");
                continue;
            }
            out.add(new Selected(f, e != null, e != null ? e : a, universe.count(f.name())));
        }
        // BPF programs' functions, after the kernel's: entry wins over allow, deny applies to their bpf:ID:NAME.
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String e : new String[] {"e", "a"}) {
            for (String[] b : bpf) {
                if (!b[1].equals(e)) continue;
                FunctionPattern by = new FunctionPattern(Glob.of("*"), null, "-" + b[1] + " " + b[0]);
                int hits = 0;
                for (BpfTargets.Func f : BpfTargets.match(b[0])) {
                    hits++;
                    if (!seen.add(f.name())) continue;
                    KernelFunction kf = new KernelFunction(f.name(), null, f.address());
                    FunctionPattern d = first(deny, kf, null);
                    if (d != null) {
                        denied.add(f.name() + " (" + d.origin() + ": " + d + ")");
                        continue;
                    }
                    out.add(new Selected(kf, e.equals("e"), by, 1, f));
                }
                if (hits == 0 && e.equals("e")) throw new BpfException("entry pattern '" + b[0] + "' matches no loaded BPF program function");
                if (hits == 0) warnings.add("allow pattern '" + b[0] + "' matches no loaded BPF program function");
            }
        }
        for (int i = 0; i < srcEntry.size(); i++)
            if (srcEntryHits[i] == 0) throw new BpfException("entry pattern ':" + srcEntry.get(i).name() + "' matches no traceable function of those source files");
        for (int i = 0; i < srcAllow.size(); i++)
            if (srcAllowHits[i] == 0) warnings.add("allow pattern ':" + srcAllow.get(i).name() + "' matches no traceable function of those source files");
        for (int i = 0; i < entry.size(); i++)
            if (entryHits[i] == 0 && !entry.get(i).origin().startsWith("-c "))
                throw new BpfException("entry pattern " + entry.get(i).label() + " matches no traceable kernel function" + renameHint(entry.get(i)));
        // Lines of one @file that match nothing make one warning, however long the file.
        Map<String, List<String>> fileMisses = new LinkedHashMap<>();
        for (int i = 0; i < allow.size(); i++) {
            FunctionPattern a = allow.get(i);
            if (allowHits[i] != 0 || a.origin().startsWith("-c ")) continue;
            int colon = a.origin().lastIndexOf(':');
            if (a.origin().startsWith("@") && colon > 0)
                fileMisses.computeIfAbsent(a.origin().substring(0, colon), k -> new ArrayList<>()).add(a.origin().substring(colon + 1));
            else warnings.add("allow pattern " + a.label() + " matches no traceable kernel function" + renameHint(a));
        }
        fileMisses.forEach((file, lines) -> warnings.add("allow pattern" + (lines.size() == 1 ? " at " + file + ":" + lines.getFirst()
                : "s at " + file + " lines " + String.join(", ", lines.subList(0, Math.min(10, lines.size())))
                        + (lines.size() > 10 ? " and " + (lines.size() - 10) + " more" : ""))
                + (lines.size() == 1 ? " matches" : " match") + " no traceable kernel function"));
        if (out.stream().noneMatch(Selected::entry))
            throw new BpfException("every entry function is denied: nothing could start a session");
        return new Selection(out, warnings, denied);
    }

    private static String renameHint(FunctionPattern p) {
        for (Map.Entry<String, String> r : RENAMED.entrySet())
            if (p.name().matches(r.getKey())) return " on this kernel; " + r.getKey() + " is now " + r.getValue();
        return " on this kernel (inlined, notrace, renamed, or in a module not loaded)";
    }

    private static FunctionPattern firstSource(List<FunctionPattern> ps, String src, int[] hits) {
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).name().matches(src)) {
                if (hits != null) hits[i]++;
                return ps.get(i);
            }
        }
        return null;
    }

    private static FunctionPattern first(List<FunctionPattern> ps, KernelFunction f, int[] hits) {
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).matches(f)) {
                if (hits != null) hits[i]++;
                return ps.get(i);
            }
        }
        return null;
    }
}
