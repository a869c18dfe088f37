package io.bpf4j.tools.trace;

import io.bpf4j.kernel.Kallsyms;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;

import static io.bpf4j.tools.trace.SessionFormatTest.*;
import static org.junit.jupiter.api.Assertions.*;

/** DWARF's inlined functions under a frame, as retsnoop prints them: {@code . name  (file:line)}, outermost first. */
class SessionFormatInlineTest {
    /** Lines and inlines for two addresses, as addr2line -i would give them. */
    record Dwarf(Map<Long, String> own, Map<Long, List<SessionFormat.Inlined>> inl) implements SessionFormat.InlineSource {
        @Override
        public String apply(long addr) {
            return own.get(addr);
        }

        @Override
        public List<SessionFormat.Inlined> inlined(long addr) {
            return inl.getOrDefault(addr, List.of());
        }
    }

    @Test
    void inlinedFunctionsFollowTheirFrameWithTheirOwnLines() {
        try (Arena a = Arena.ofConfined()) {
            List<Session> s = blogFexitSession(a);
            Dwarf d = new Dwarf(Map.of(0xffffffff81100033L, "arch/x86/entry/common.c:80", 0xffffffff812027a8L, "kernel/bpf/syscall.c:4380"),
                    Map.of(0xffffffff81100033L, List.of(new SessionFormat.Inlined("do_syscall_x64", "arch/x86/entry/common.c:50")),
                            0xffffffff812027a8L, List.of(new SessionFormat.Inlined("map_update_elem", "kernel/bpf/syscall.c:1200"),
                                    new SessionFormat.Inlined("bpf_map_update_value", "kernel/bpf/syscall.c:230"))));
            SessionFormat f = new SessionFormat(Kallsyms.parse(KALLSYMS), d);
            assertEquals(String.join("\n",
                    "                     entry_SYSCALL_64_after_hwframe+0x67  ",
                    "                     do_syscall_64+0x33                   (arch/x86/entry/common.c:80)",
                    "                     . do_syscall_x64                     (arch/x86/entry/common.c:50)",
                    "   2230us [-EINVAL]  __x64_sys_bpf+0x5                    ",
                    "                     __do_sys_bpf+0x17a8                  (kernel/bpf/syscall.c:4380)",
                    "                     . map_update_elem                    (kernel/bpf/syscall.c:1200)",
                    "                     . bpf_map_update_value               (kernel/bpf/syscall.c:230)",
                    "   1029us [-EINVAL]  bpf_fd_array_map_update_elem+0x5     ") + "\n", f.errorStack(s.getFirst()));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> stack = (List<Map<String, Object>>) f.json(s.getFirst()).get("stack");
            assertEquals(Map.of("symbol", ". do_syscall_x64", "line", "arch/x86/entry/common.c:50"), stack.get(2));
        }
    }
}
