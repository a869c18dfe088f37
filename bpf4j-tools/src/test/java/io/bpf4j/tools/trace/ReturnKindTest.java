package io.bpf4j.tools.trace;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReturnKindTest {
    /** A BTF with one function per return type, as the kernel's BTF describes them. */
    static Btf btf() {
        BtfBuilder b = new BtfBuilder();
        int intT = b.addInt("int", 4, BtfType.Int.SIGNED), uint = b.addInt("unsigned int", 4, 0);
        int lng = b.addInt("long", 8, BtfType.Int.SIGNED), ulong = b.addInt("long unsigned int", 8, 0);
        int bool = b.addInt("_Bool", 1, BtfType.Int.BOOL), chr = b.addInt("char", 1, BtfType.Int.SIGNED | BtfType.Int.CHAR);
        int s = b.addStruct("bpf_map", 8, List.of());
        int ptr = b.addPtr(s);
        int boolTd = b.addTypedef("bool", bool), constInt = b.addConst(intT);
        int fd = b.addStruct("fd", 16, List.of());
        Object[][] fns = {{"f_void", 0}, {"f_int", intT}, {"f_uint", uint}, {"f_long", lng}, {"f_ulong", ulong},
                {"f_bool", boolTd}, {"f_char", chr}, {"f_ptr", ptr}, {"f_const_int", constInt}, {"f_struct", fd}};
        for (Object[] f : fns) b.addFunc((String) f[0], b.addFuncProto((Integer) f[1], List.of(new BtfType.Param("x", intT))), BtfType.Linkage.GLOBAL);
        return b.build();
    }

    @Test
    void classifiesByTheBtfReturnTypeThroughTypedefsAndQualifiers() {
        Btf b = btf();
        assertEquals(ReturnKind.VOID, ReturnKind.of(b, "f_void"));
        assertEquals(ReturnKind.INT32, ReturnKind.of(b, "f_int"));
        assertEquals(ReturnKind.INT32, ReturnKind.of(b, "f_const_int"));
        assertEquals(ReturnKind.UNSIGNED, ReturnKind.of(b, "f_uint"));
        assertEquals(ReturnKind.LONG, ReturnKind.of(b, "f_long"));
        assertEquals(ReturnKind.UNSIGNED, ReturnKind.of(b, "f_ulong"));
        assertEquals(ReturnKind.BOOL, ReturnKind.of(b, "f_bool"));
        assertEquals(ReturnKind.SMALL_INT, ReturnKind.of(b, "f_char"));
        assertEquals(ReturnKind.POINTER, ReturnKind.of(b, "f_ptr"));
        assertEquals(ReturnKind.UNSIGNED, ReturnKind.of(b, "f_struct"), "struct fd returned in registers is a value");
        assertEquals(ReturnKind.UNKNOWN, ReturnKind.of(b, "no_such_function"));
        assertEquals(ReturnKind.INT32, ReturnKind.of(b, "f_int.isra.0"), "a clone reads as its original");
    }

    @Test
    void voidBoolAndUnsignedNeverFail() {
        for (ReturnKind k : List.of(ReturnKind.VOID, ReturnKind.BOOL, ReturnKind.UNSIGNED, ReturnKind.SMALL_INT)) {
            assertFalse(k.failed(-22L), k.name());
            assertFalse(k.failed(0), k.name());
        }
    }

    @Test
    void signedIntsFailOnMinus4095ToMinus1Only() {
        // A 32-bit int in rax: the upper half is not defined, only the low 32 bits count.
        assertTrue(ReturnKind.INT32.failed(0x00000000ffffffeaL));
        assertTrue(ReturnKind.INT32.failed(-4095L));
        assertFalse(ReturnKind.INT32.failed(-4096L));
        assertFalse(ReturnKind.INT32.failed(0));
        assertFalse(ReturnKind.INT32.failed(5));
        assertTrue(ReturnKind.LONG.failed(-1L));
        assertFalse(ReturnKind.LONG.failed(0x00000000ffffffeaL), "a long's upper half counts");
        assertEquals("-EINVAL", ReturnKind.INT32.format(0x00000000ffffffeaL));
        assertEquals("-EINVAL", ReturnKind.LONG.format(-22L));
        assertEquals("-ENOTSUPP", ReturnKind.LONG.format(-524L));
        assertEquals("3", ReturnKind.LONG.format(3));
    }

    @Test
    void pointersFailOnNullAndErrorPointers() {
        assertTrue(ReturnKind.POINTER.failed(0));
        assertTrue(ReturnKind.POINTER.failed(-12L));
        assertFalse(ReturnKind.POINTER.failed(0xffff888003a1c000L));
        assertEquals("NULL", ReturnKind.POINTER.format(0));
        assertEquals("-ENOMEM", ReturnKind.POINTER.format(-12L));
        assertEquals("0xffff888003a1c000", ReturnKind.POINTER.format(0xffff888003a1c000L));
    }

    @Test
    void boolsPrintTrueOrFalseFromTheLowByte() {
        assertEquals("false", ReturnKind.BOOL.format(0xffffff00L));
        assertEquals("true", ReturnKind.BOOL.format(1));
        assertEquals("void", ReturnKind.VOID.format(12345));
    }

    @Test
    void errorNamesCoverTheKernelInternalCodes() {
        assertEquals("EBUSY", KernelErrors.name(16));
        assertEquals("EHWPOISON", KernelErrors.name(133));
        assertEquals("ERESTARTSYS", KernelErrors.name(512));
        assertEquals("ENOTSUPP", KernelErrors.name(524));
        assertEquals("ENOGRACE", KernelErrors.name(531));
        assertEquals("4000", KernelErrors.name(4000));
        for (int e = 1; e < 134; e++) {
            String n = io.bpf4j.internal.sys.Errno.name(e);
            if (!n.startsWith("errno")) assertEquals(n, KernelErrors.name(e), "errno " + e);
        }
        assertEquals(22, KernelErrors.byName("-EINVAL"));
        assertEquals(22, KernelErrors.byName("einval"));
        assertEquals(-1, KernelErrors.byName("EWHATEVER"));
    }
}
