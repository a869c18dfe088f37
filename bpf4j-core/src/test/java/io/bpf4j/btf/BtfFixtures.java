package io.bpf4j.btf;

import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Int;
import io.bpf4j.btf.BtfType.Linkage;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import io.bpf4j.btf.BtfType.VarSecinfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** BTF built in code for tests, and helpers to run the reference tools on it. */
final class BtfFixtures {
    private BtfFixtures() {}

    static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    /**
     * One of every kind, with the shapes that are easy to get wrong: both bitfield encodings,
     * negative and 64-bit enumerators, a variadic prototype, a self-referencing struct, a
     * datasec pointing at a VAR and a FUNC. Every type is reachable from C.
     */
    static BtfBuilder everyKind() {
        BtfBuilder b = new BtfBuilder();
        int intT = b.addInt("int", 4, Int.SIGNED); // 1
        int uint = b.addInt("unsigned int", 4, 0); // 2
        int chr = b.addInt("char", 1, Int.CHAR); // 3
        int bool = b.addInt("_Bool", 1, Int.BOOL); // 4
        int ulong = b.addInt("long unsigned int", 8, 0); // 5
        int u32 = b.addTypedef("u32", uint); // 6
        int cchar = b.addConst(chr); // 7
        int pcchar = b.addPtr(cchar); // 8
        int arr = b.addArray(chr, intT, 16); // 9
        int vint = b.addVolatile(intT); // 10
        int node = b.nextId(); // 11: struct node { struct node *next; ... }
        int pnode = node + 1; // 12
        b.addStruct("node", 48, List.of(
                new Member("next", pnode, 0, 0),
                new Member("name", arr, 64, 0),
                new Member("flags", uint, 192, 3),
                new Member("mode", uint, 195, 5),
                new Member("counter", vint, 224, 0),
                new Member("", node + 3, 256, 0),
                new Member("state", node + 4, 320, 0)));
        b.addPtr(node); // 12
        int rptr = b.addRestrict(pnode); // 13
        // 14: anonymous union inside struct node
        b.addUnion("", 8, List.of(new Member("raw", ulong, 0, 0), new Member("half", uint, 0, 0)));
        // 15: enum with a negative value (signed)
        b.addEnum("state", 4, true, List.of(new EnumValue("ST_NEG", -1), new EnumValue("ST_ZERO", 0), new EnumValue("ST_BIG", 0x7fffffff)));
        int fwdU = b.addFwd("opaque_u", true); // 16
        int fwdS = b.addFwd("opaque_s", false); // 17
        int pfwd = b.addPtr(fwdU); // 18
        int proto = b.addFuncProto(intT, List.of(new Param("n", rptr), new Param("fmt", pcchar), new Param("", 0))); // 19
        int func = b.addFunc("do_thing", proto, Linkage.GLOBAL); // 20
        int pproto = b.addPtr(proto); // 21
        int handler = b.addTypedef("handler_t", pproto); // 22
        int dbl = b.addFloat("double", 8); // 23
        int v1 = b.addVar("counter_var", u32, Linkage.GLOBAL); // 24
        b.addDatasec(".data", 8, List.of(new VarSecinfo(v1, 0, 4), new VarSecinfo(func, 4, 0))); // 25
        b.addDeclTag("kfunc", func, -1); // 26
        b.addDeclTag("nonnull", func, 0); // 27
        int user = b.addTypeTag("user", intT); // 28
        int puser = b.addPtr(user); // 29
        b.addEnum64("big", 8, false, List.of(new EnumValue("BIG_MAX", -1L), new EnumValue("BIG_ONE", 1))); // 30
        b.addEnum64("sbig", 8, true, List.of(new EnumValue("SBIG_MIN", Long.MIN_VALUE), new EnumValue("SBIG_ONE", 1))); // 31
        // 32: the old bitfield encoding: an INT with nr_bits narrower than its size as member type
        int bits3 = b.add(new Int(0, "unsigned int", 4, 0, 0, 3));
        b.addStruct("old_bits", 16, List.of(
                new Member("a", bits3, 0, 0), new Member("b", bits3, 3, 0), new Member("p", pfwd, 64, 0))); // 33, kind_flag clear
        b.addStruct("uses", 56, List.of(
                new Member("h", handler, 0, 0),
                new Member("d", dbl, 64, 0),
                new Member("u", puser, 128, 0),
                new Member("b", bool, 192, 0),
                new Member("s", b.nextId() + 1, 320, 0), // after 64 bits of padding
                new Member("o", b.nextId() + 2, 384, 0))); // 34
        b.addPtr(fwdS); // 35
        b.addPtr(b.nextId() - 1); // 36: pointer to pointer
        b.addEnum("", 4, false, List.of(new EnumValue("ANON_A", 1), new EnumValue("ANON_B", 0xffffffffL))); // 37
        b.addStruct("packed_s", 5, List.of(new Member("c", chr, 0, 0), new Member("i", intT, 8, 0))); // 38
        return b;
    }

    /** Runs a command and returns its stdout; fails the test on a non-zero exit or timeout. */
    static String run(List<String> cmd) {
        try {
            Path err = Files.createTempFile("btf-test", ".err");
            Path out = Files.createTempFile("btf-test", ".out");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.delete(out);
            Files.delete(err);
            if (p.exitValue() != 0) throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + stderr);
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.getFirst() + " (install it: apt-get install -y bpftool clang)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String bpftool(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Files.exists(Path.of("/usr/sbin/bpftool")) ? "/usr/sbin/bpftool" : "bpftool");
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
