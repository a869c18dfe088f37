package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.kernel.Kallsyms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FunctionSelectorTest {
    static final String KALLSYMS = """
            ffffffff81000000 T _stext
            ffffffff81100000 T __x64_sys_bpf
            ffffffff81100100 T __ia32_sys_bpf
            ffffffff81100200 t __do_sys_bpf
            ffffffff81100300 T bpf_fd_array_map_update_elem
            ffffffff81100400 T bpf_fd_array_map_lookup_elem
            ffffffff81100500 T bpf_prog_array_compatible
            ffffffff81100600 t bpf_prog_array_compatible.part.0
            ffffffff81100700 T __htab_map_lookup_elem
            ffffffff81100800 t bpf_iter_detach_map
            ffffffff81100900 t bpf_iter_detach_map
            ffffffff81100a00 T rcu_read_lock_held
            ffffffff81100b00 D some_data
            ffffffffc0000000 t mod_func\t[mymod]
            ffffffffc0000100 t bpf_fd_array_other\t[othermod]
            """;
    static final String FILTER = """
            __x64_sys_bpf
            __ia32_sys_bpf
            bpf_fd_array_map_update_elem
            bpf_fd_array_map_lookup_elem
            bpf_prog_array_compatible
            bpf_prog_array_compatible.part.0
            __htab_map_lookup_elem
            bpf_iter_detach_map
            bpf_iter_detach_map
            rcu_read_lock_held
            mod_func [mymod]
            bpf_fd_array_other [othermod]
            """;

    static TraceableFunctions universe() {
        return TraceableFunctions.of(Kallsyms.parse(KALLSYMS), FILTER);
    }

    static List<String> names(FunctionSelector.Selection s) {
        return s.functions().stream().map(x -> (x.entry() ? "e:" : "a:") + x.function()).toList();
    }

    @Test
    void universeIsKallsymsFunctionsThatFtraceLists() {
        TraceableFunctions u = universe();
        List<String> n = u.functions().stream().map(KernelFunction::toString).toList();
        assertFalse(n.contains("__do_sys_bpf"), "not in available_filter_functions");
        assertFalse(n.contains("some_data"), "not a function");
        assertTrue(n.contains("mod_func [mymod]"));
        assertEquals(2, u.count("bpf_iter_detach_map"), "two static functions, one name");
        assertNull(u.note());
    }

    @Test
    void withoutFtraceListItSaysSoAndUsesKallsymsFunctions() {
        TraceableFunctions u = TraceableFunctions.of(Kallsyms.parse(KALLSYMS), null);
        assertNotNull(u.note());
        assertTrue(u.functions().stream().anyMatch(f -> f.name().equals("__do_sys_bpf")));
        assertTrue(u.functions().stream().noneMatch(f -> f.name().equals("_stext")), "section markers are not functions");
    }

    @Test
    void theBlogsGlobsSelectEntryAndAllowedFunctionsAndTheClone() {
        FunctionSelector.Selection s = new FunctionSelector().entry("*sys_bpf").allow("bpf_fd_array_*")
                .allow("bpf_prog_array_compatible").select(universe());
        assertEquals(List.of("e:__x64_sys_bpf", "e:__ia32_sys_bpf", "a:bpf_fd_array_map_update_elem",
                "a:bpf_fd_array_map_lookup_elem", "a:bpf_prog_array_compatible", "a:bpf_prog_array_compatible.part.0",
                "a:bpf_fd_array_other [othermod]"), names(s));
        assertEquals(List.of(), s.warnings());
    }

    @Test
    void aPatternWithADotMatchesOnlyThatName() {
        FunctionSelector.Selection s = new FunctionSelector().entry("__x64_sys_bpf").allow("bpf_prog_array_compatible.part.0").select(universe());
        assertEquals(List.of("e:__x64_sys_bpf", "a:bpf_prog_array_compatible.part.0"), names(s));
    }

    @Test
    void denyWinsAndEntryWinsOverAllow() {
        FunctionSelector.Selection s = new FunctionSelector().entry("__x64_sys_bpf").allow("*sys_bpf").allow("bpf_fd_array_*")
                .deny("*lookup*").select(universe());
        assertEquals(List.of("e:__x64_sys_bpf", "a:__ia32_sys_bpf", "a:bpf_fd_array_map_update_elem",
                "a:bpf_fd_array_other [othermod]"), names(s));
        assertTrue(s.denied().stream().anyMatch(d -> d.startsWith("bpf_fd_array_map_lookup_elem (-d *lookup*")), s.denied().toString());
    }

    @Test
    void functionsThatAreUnsafeToTraceAreAlwaysDenied() {
        FunctionSelector.Selection s = new FunctionSelector().entry("__x64_sys_bpf").allow("*").select(universe());
        List<String> n = names(s);
        assertFalse(n.contains("a:__htab_map_lookup_elem"), "the tracer's own map lookups");
        assertFalse(n.contains("a:rcu_read_lock_held"));
        assertTrue(s.denied().stream().anyMatch(d -> d.contains("built-in deny list")));
    }

    @Test
    void moduleGlobsRestrictToModules() {
        FunctionSelector.Selection s = new FunctionSelector().entry("__x64_sys_bpf").allow("* [mymod]").select(universe());
        assertEquals(List.of("e:__x64_sys_bpf", "a:mod_func [mymod]"), names(s));
    }

    @Test
    void anEntryPatternMatchingNothingIsAnError() {
        BpfException e = assertThrows(BpfException.class, () -> new FunctionSelector().entry("no_such_fn*").select(universe()));
        assertTrue(e.getMessage().contains("no_such_fn*"), e.getMessage());
        assertThrows(BpfException.class, () -> new FunctionSelector().allow("__x64_sys_bpf").select(universe()), "no entry at all");
    }

    @Test
    void anAllowPatternMatchingNothingWarnsAndNamesTheRename() {
        String ks = KALLSYMS.replace("bpf_prog_array_compatible", "bpf_prog_map_compatible");
        String ff = FILTER.replace("bpf_prog_array_compatible", "bpf_prog_map_compatible");
        FunctionSelector.Selection s = new FunctionSelector().entry("*sys_bpf").allow("bpf_prog_array_compatible")
                .select(TraceableFunctions.of(Kallsyms.parse(ks), ff));
        assertEquals(1, s.warnings().size());
        assertTrue(s.warnings().getFirst().contains("bpf_prog_map_compatible"), s.warnings().getFirst());
    }

    @Test
    void patternsComeFromFilesAndPresets(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("fns");
        Files.writeString(f, "# the update path\nbpf_fd_array_map_update_elem\n\nbpf_prog_array_compatible\n");
        FunctionSelector.Selection s = new FunctionSelector().entry("__x64_sys_bpf").allow("@" + f).select(universe());
        assertEquals(List.of("e:__x64_sys_bpf", "a:bpf_fd_array_map_update_elem", "a:bpf_prog_array_compatible",
                "a:bpf_prog_array_compatible.part.0"), names(s));
        assertTrue(s.functions().get(2).by().origin().endsWith(":4"), "origin names the line");
        FunctionSelector.Selection p = new FunctionSelector().preset("bpf").select(universe());
        assertTrue(p.entryCount() >= 2);
        assertThrows(BpfException.class, () -> new FunctionSelector().preset("nope"));
    }

    @Test
    void malformedPatternsAreFormatErrors() {
        assertThrows(BpfFormatException.class, () -> FunctionPattern.parse("foo [mod", "-a"));
        assertThrows(BpfFormatException.class, () -> FunctionPattern.parse("[mod]", "-a"));
        assertThrows(BpfFormatException.class, () -> FunctionPattern.parse("a b", "-a"));
        assertThrows(BpfException.class, () -> FunctionPattern.expand("@/nonexistent/file", "-a"));
    }
}
