package io.bpf4j.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpf4j.BpfFormatException;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The C dump and the other recursive walks recurse once per nesting level and stop at
 * {@link Btf#MAX_DEPTH}: BTF nested right up to that limit, in each of the shapes that recurse,
 * must dump on a thread with a 512 KB stack, and one level more must be a
 * {@link BpfFormatException} there, never a StackOverflowError. The kernel's own BTF must stay far
 * below the limit.
 */
class BtfCDumpDepthTest {
    static final long STACK = 512 * 1024;

    /** Runs {@code task} on a fresh thread with a 512 KB stack; returns what it threw, or null. */
    static Throwable onSmallStack(Runnable task) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                task.run();
            } catch (StackOverflowError e) {
                // Which frames filled the stack: the message says what recursed.
                java.util.Map<String, Integer> frames = new java.util.TreeMap<>();
                for (StackTraceElement f : e.getStackTrace()) frames.merge(f.getClassName().replaceAll(".*\\.", "") + "." + f.getMethodName(), 1, Integer::sum);
                thrown.set(new AssertionError("StackOverflowError after " + e.getStackTrace().length + " frames " + frames, e));
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "512k-stack", STACK);
        t.start();
        t.join();
        return thrown.get();
    }

    /** The smallest thread stack, to 8 KB, on which {@code task} completes: how much room 512 KB leaves. */
    static long smallestStack(Runnable task) throws InterruptedException {
        long lo = 8 * 1024, hi = STACK; // lo fails, hi succeeds
        while (hi - lo > 8 * 1024) {
            long mid = (lo + hi) / 2;
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = new Thread(null, () -> {
                try {
                    task.run();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            }, "stack-probe", mid);
            t.start();
            t.join();
            if (thrown.get() == null) hi = mid;
            else lo = mid;
        }
        return hi;
    }

    /**
     * Named structs, each holding the next by value: define -> need -> define. The outermost has
     * the lowest id, so the dump, which goes in id order, meets the whole chain at once.
     */
    static Btf namedStructs(int levels) {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.addInt("int", 4, BtfType.Int.SIGNED);
        for (int i = 1; i <= levels; i++) {
            int inner = i < levels ? b.nextId() + 1 : i32;
            b.addStruct("s" + i, 4, List.of(new Member("m", inner, 0, 0)));
        }
        return b.build();
    }

    /** A named struct around anonymous structs, each holding the next: need -> need, body -> declaration -> body. */
    static Btf anonymousStructs(int levels) {
        BtfBuilder b = new BtfBuilder();
        int next = b.addInt("int", 4, BtfType.Int.SIGNED);
        for (int i = levels; i > 1; i--) next = b.addStruct("", 4, List.of(new Member("m", next, 0, 0)));
        b.addStruct("top", 4, List.of(new Member("m", next, 0, 0)));
        return b.build();
    }

    /** Typedefs of pointers to typedefs, outermost first: need -> define -> need. */
    static Btf typedefs(int levels) {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.addInt("int", 4, BtfType.Int.SIGNED);
        for (int i = 1; i <= levels; i++) {
            int inner = i < levels ? b.nextId() + 3 : i32; // typedef, const, ptr, then the next typedef
            int t = b.addTypedef("t" + i, b.nextId() + 1);
            b.addConst(t + 2);
            b.addPtr(inner);
        }
        return b.build();
    }

    /** A function pointer taking a function pointer taking ...: declaration -> declaration through parameters. */
    static Btf prototypes(int levels) {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.addInt("int", 4, BtfType.Int.SIGNED), next = i32;
        for (int i = levels; i > 1; i--) next = b.addPtr(b.addFuncProto(i32, List.of(new Param("", next))));
        b.addTypedef("fn", next);
        return b.build();
    }

    private static final List<IntFunction<Btf>> SHAPES =
            List.of(BtfCDumpDepthTest::namedStructs, BtfCDumpDepthTest::anonymousStructs, BtfCDumpDepthTest::typedefs, BtfCDumpDepthTest::prototypes);

    private static boolean dumps(Btf btf) {
        try {
            btf.dumpC();
            return true;
        } catch (BpfFormatException e) {
            assertTrue(e.getMessage().contains("deeper than " + Btf.MAX_DEPTH), e.getMessage());
            return false;
        }
    }

    /** The most levels of this shape the dump accepts, found on this (large-stack) test thread. */
    private static int deepestAccepted(IntFunction<Btf> shape) {
        int lo = 1, hi = 2 * Btf.MAX_DEPTH + 2; // lo dumps, hi does not
        assertTrue(dumps(shape.apply(lo)));
        assertTrue(!dumps(shape.apply(hi)), "a shape must hit the limit within " + hi + " levels");
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (dumps(shape.apply(mid))) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    @Test
    void everyShapeAtTheLimitDumpsOnA512KStackAndOneLevelMoreIsAFormatError() throws Exception {
        for (int s = 0; s < SHAPES.size(); s++) {
            IntFunction<Btf> shape = SHAPES.get(s);
            int max = deepestAccepted(shape);
            Btf atLimit = shape.apply(max), beyond = shape.apply(max + 1);
            BtfCDumper d = new BtfCDumper(atLimit);
            assertNull(onSmallStack(d::dump), "shape " + s + " at " + max + " levels");
            assertTrue(d.deepest >= Btf.MAX_DEPTH - 2, "shape " + s + " reached only " + d.deepest);
            // Stacks asked for below the JVM's minimum get the minimum: a small figure means "fits in it".
            System.out.println("shape " + s + ": " + max + " levels, nesting " + d.deepest + ", dumps on a thread asked for "
                    + smallestStack(() -> new BtfCDumper(atLimit).dump()) / 1024 + " KB of stack");
            Throwable e = onSmallStack(beyond::dumpC);
            assertTrue(e instanceof BpfFormatException, "shape " + s + " at " + (max + 1) + " levels: " + e);
            // The walks a dump makes on the side, each at its own limit, on the same small stack.
            Throwable w = onSmallStack(() -> {
                for (BtfType t : atLimit.types()) {
                    try {
                        atLimit.alignOf(t);
                        atLimit.sizeOf(t);
                        atLimit.memberByPath(t, "m.m.m.m");
                    } catch (BpfFormatException ok) {
                        // types without size or alignment say so; only an Error would fail here
                    }
                }
            });
            assertNull(w, "shape " + s + " walks");
        }
    }

    @Test
    void anonymousStructsAtTheLimitStillAlignAndResolvePaths() throws Exception {
        Btf btf = anonymousStructs(Btf.MAX_DEPTH);
        BtfType top = btf.findByName("top", BtfKind.STRUCT).orElseThrow();
        AtomicReference<Integer> align = new AtomicReference<>();
        assertNull(onSmallStack(() -> align.set(btf.alignOf(top))));
        assertEquals(4, align.get());
        Btf deeper = anonymousStructs(Btf.MAX_DEPTH + 2);
        Throwable e = onSmallStack(() -> deeper.alignOf(deeper.findByName("top", BtfKind.STRUCT).orElseThrow()));
        assertTrue(e instanceof BpfFormatException && e.getMessage().contains("deeper than"), String.valueOf(e));
    }

    /** The kernel's BTF is the deepest real input: it must stay well inside the limit. */
    @Test
    void theKernelsBtfNestsFarLessThanTheLimit() {
        if (!Files.exists(BtfFixtures.VMLINUX)) fail("no " + BtfFixtures.VMLINUX + " on this host");
        BtfCDumper d = new BtfCDumper(Btf.kernel());
        d.dump();
        System.out.println("vmlinux C dump: deepest nesting " + d.deepest + " of " + Btf.MAX_DEPTH);
        assertTrue(d.deepest > 4 && d.deepest < Btf.MAX_DEPTH / 4, "deepest " + d.deepest);
    }
}
