package io.bpf4j.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Member;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C dump is judged by clang: it must compile for BPF and reproduce the kernel's layouts. */
class BtfCDumpTest {
    private static void clang(Path dir, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("clang", "-target", "bpf", "-I", dir.toString()));
        cmd.addAll(List.of(args));
        BtfFixtures.run(cmd);
    }

    @Test
    void vmlinuxHeaderCompilesAProgramReadingTaskStructAndBpfMap(@TempDir Path dir) throws IOException {
        String header = Btf.kernel().dumpC();
        assertTrue(header.startsWith("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n"));
        assertTrue(header.contains("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)"));
        assertTrue(header.endsWith("#endif /* __VMLINUX_H__ */\n"));
        Files.writeString(dir.resolve("vmlinux.h"), header);
        Path src = dir.resolve("prog.bpf.c");
        try (InputStream in = getClass().getResourceAsStream("/btf/uses_vmlinux.bpf.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path obj = dir.resolve("prog.bpf.o");
        clang(dir, "-g", "-O2", "-Wall", "-Werror", "-c", src.toString(), "-o", obj.toString());
        // The object's own BTF (pulled out with llvm-objcopy) holds the CO-RE local types we emitted.
        Path btfFile = dir.resolve("prog.btf");
        BtfFixtures.run(List.of("llvm-objcopy", "--dump-section", ".BTF=" + btfFile, obj.toString()));
        Btf prog = Btf.read(btfFile);
        assertTrue(prog.findByName("task_struct", BtfKind.STRUCT).isPresent());
        assertTrue(prog.findByName("bpf_map", BtfKind.STRUCT).isPresent());
    }

    /**
     * Static asserts on sizeof and offsetof for every uniquely named struct and union: the
     * padding and packed decisions must give clang the kernel's layout. Types holding a va_list
     * by value are left out: BPF's va_list is a pointer, x86's an array of a struct (as with bpftool).
     */
    @Test
    void vmlinuxHeaderReproducesEveryStructSizeAndMemberOffset(@TempDir Path dir) throws IOException {
        Btf k = Btf.kernel();
        Files.writeString(dir.resolve("vmlinux.h"), k.dumpC());
        Map<String, Integer> nameCount = new HashMap<>();
        for (BtfType t : k.types()) {
            // struct, union and enum tags share one C namespace; a shared name gets a ___N suffix
            if ((t instanceof Composite || t instanceof BtfType.Enumeration) && !t.name().isEmpty()) nameCount.merge(t.name(), 1, Integer::sum);
        }
        StringBuilder c = new StringBuilder("#define BPF_NO_PRESERVE_ACCESS_INDEX\n#include \"vmlinux.h\"\n");
        Map<Integer, Boolean> vaList = new HashMap<>();
        int structs = 0, members = 0;
        for (BtfType t : k.types()) {
            if (!(t instanceof Composite comp) || comp.name().isEmpty() || nameCount.get(comp.name()) != 1) continue;
            if (holdsVaList(k, t.id(), vaList, 0)) continue;
            String tag = (t instanceof BtfType.Union ? "union " : "struct ") + comp.name();
            c.append("_Static_assert(sizeof(").append(tag).append(") == ").append(k.sizeOf(t)).append(", \"").append(tag).append("\");\n");
            structs++;
            for (Member m : comp.members()) {
                Btf.Field f = k.member(comp, m);
                if (m.name().isEmpty() || f.isBitfield()) continue;
                c.append("_Static_assert(__builtin_offsetof(").append(tag).append(", ").append(m.name()).append(") == ")
                        .append(f.byteOffset()).append(", \"").append(tag).append('.').append(m.name()).append("\");\n");
                members++;
            }
        }
        assertTrue(structs > 5000 && members > 30000, structs + " structs, " + members + " members");
        Path src = Files.writeString(dir.resolve("layout.c"), c.toString());
        clang(dir, "-fsyntax-only", src.toString());
    }

    private static boolean holdsVaList(Btf btf, int id, Map<Integer, Boolean> memo, int depth) {
        Boolean known = memo.get(id);
        if (known != null) return known;
        if (depth > 100) return false;
        BtfType t = btf.typeById(id);
        boolean r = switch (t) {
            case BtfType.Typedef td when td.name().contains("va_list") -> true;
            case BtfType.Typedef td -> holdsVaList(btf, td.type(), memo, depth + 1);
            case BtfType.Qualifier q -> holdsVaList(btf, q.type(), memo, depth + 1);
            case BtfType.Array a -> holdsVaList(btf, a.elemType(), memo, depth + 1);
            case Composite comp -> comp.members().stream().anyMatch(m -> holdsVaList(btf, m.type(), memo, depth + 1));
            default -> false;
        };
        memo.put(id, r);
        return r;
    }

    @Test
    void everyKindHeaderCompilesWithItsLayouts(@TempDir Path dir) throws IOException {
        Btf btf = BtfFixtures.everyKind().build();
        String header = btf.dumpC();
        assertTrue(header.contains("} __attribute__((packed));"), "packed_s is packed");
        assertTrue(header.contains("\tlong: 64;\n"), "uses has 64 bits of padding before s");
        assertTrue(header.contains("typedef int (*handler_t)(struct node *restrict, const char *, ...);"), header);
        Files.writeString(dir.resolve("vmlinux.h"), header);
        String use = """
                #include "vmlinux.h"
                _Static_assert(sizeof(struct node) == 48, "node");
                _Static_assert(sizeof(struct uses) == 56, "uses");
                _Static_assert(__builtin_offsetof(struct uses, s) == 40, "uses.s");
                _Static_assert(sizeof(struct old_bits) == 16, "old_bits");
                _Static_assert(sizeof(struct packed_s) == 5, "packed_s");
                _Static_assert(sizeof(enum big) == 8, "enum64");
                _Static_assert(SBIG_MIN < 0 && ANON_B == 4294967295u && ST_NEG == -1, "values");
                int use(struct uses *u, struct node *n, struct old_bits *o, struct packed_s *p, u32 x) {
                    return n->mode + n->flags + o->b + p->i + (int)n->raw + n->state + x + (u->h ? u->h(n, "", 1) : 0);
                }
                """;
        Path src = Files.writeString(dir.resolve("use.c"), use, StandardCharsets.UTF_8);
        clang(dir, "-g", "-O2", "-Wall", "-Werror", "-Wno-unused-function", "-c", src.toString(), "-o", dir.resolve("use.o").toString());
    }

    @Test
    void duplicateNamesGetSuffixesSoBothDefinitionsCompile(@TempDir Path dir) throws IOException {
        BtfBuilder b = new BtfBuilder();
        int i = b.addInt("int", 4, BtfType.Int.SIGNED);
        b.addStruct("dup", 4, List.of(new Member("a", i, 0, 0)));
        b.addStruct("dup", 8, List.of(new Member("a", i, 0, 0), new Member("b", i, 32, 0)));
        b.addEnum("e1", 4, false, List.of(new BtfType.EnumValue("SAME", 1)));
        b.addEnum("e2", 4, false, List.of(new BtfType.EnumValue("SAME", 2)));
        String header = b.build().dumpC();
        assertTrue(header.contains("struct dup___2 {"), header);
        assertTrue(header.contains("SAME___2 = 2,"), header);
        Files.writeString(dir.resolve("vmlinux.h"), header);
        Path src = Files.writeString(dir.resolve("d.c"),
                "#include \"vmlinux.h\"\n_Static_assert(sizeof(struct dup___2) == 8 && SAME___2 == 2, \"\");\n");
        clang(dir, "-fsyntax-only", src.toString());
    }

    @Test
    void structContainingItselfIsMalformed() {
        BtfBuilder b = new BtfBuilder();
        b.addStruct("loop", 8, List.of(new Member("self", 2, 0, 0)));
        b.addTypedef("loop_t", 1);
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> b.build().dumpC());
        assertTrue(e.getMessage().contains("contains itself") || e.getMessage().contains("reference cycle"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'));
    }
}
