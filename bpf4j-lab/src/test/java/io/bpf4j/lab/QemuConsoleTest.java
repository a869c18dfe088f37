package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class QemuConsoleTest {
    private static final String M = "BPF4J-LAB-0123456789abcdef:";

    private static Qemu.Console feed(List<String> out, String... lines) {
        Qemu.Console c = new Qemu.Console(M, out::add);
        for (String l : lines) c.line(l);
        return c;
    }

    @Test
    void onlyTheCommandsOutputIsRelayedWithoutCarriageReturns() {
        List<String> out = new ArrayList<>();
        Qemu.Console c = feed(out, "[    0.000000] Linux version 6.1.0-56-amd64", M + " up 6.1.0-56-amd64\r", M + " start\r",
                "hello\r", "", "world\r", M + " exit 3\r", "[    2.9] reboot: Power down");
        assertEquals(List.of("hello", "", "world"), out);
        assertEquals("6.1.0-56-amd64", c.release);
        assertEquals(3, c.exit);
        assertEquals("world", c.lastLine, "the last non-blank line");
    }

    @Test
    void aNoteOfTheGuestInitIsReportedAndNotRelayedAsOutput() {
        List<String> out = new ArrayList<>(), notes = new ArrayList<>();
        Qemu.Console c = new Qemu.Console(M, out::add);
        c.onNote = notes::add;
        for (String l : List.of(M + " up 5.10.0-32-amd64", M + " note /tmp: the host's files are not visible (overlayfs refused)\r",
                M + " start", "hi", M + " exit 0")) c.line(l);
        assertEquals(List.of("/tmp: the host's files are not visible (overlayfs refused)"), notes);
        assertEquals(List.of("hi"), out);
        assertEquals(0, c.exit);
    }

    @Test
    void markersWithAnotherNonceAreOrdinaryOutput() {
        List<String> out = new ArrayList<>();
        Qemu.Console c = feed(out, M + " up 6.12.117+deb13-amd64", M + " start", "BPF4J-LAB-ffffffffffffffff: exit 0", M + " exit 1");
        assertEquals(List.of("BPF4J-LAB-ffffffffffffffff: exit 0"), out);
        assertEquals(1, c.exit, "a command cannot end the run early by printing a marker");
    }

    @Test
    void aPanicIsRecognisedWithItsReason() {
        Qemu.Console c = feed(new ArrayList<>(), M + " up 5.10.0-32-amd64", M + " start",
                "[   12.1] Kernel panic - not syncing: sysrq triggered crash");
        assertEquals("Kernel panic - not syncing: sysrq triggered crash", c.panic);
        assertNull(c.exit);
        assertTrue(c.panicAt != 0);
    }

    @Test
    void initFailuresAndBootOutputAreKeptForTheReport() {
        Qemu.Console c = feed(new ArrayList<>(), "insmod: can't insert '9p.ko': unknown symbol in module", M + " fail insmod 9p.ko");
        assertEquals("insmod 9p.ko", c.fail);
        assertEquals(0, c.upAt, "never came up");
        assertTrue(c.tail.contains("insmod: can't insert '9p.ko': unknown symbol in module"));
    }

    @Test
    void qemuCommandSharesTheRootReadOnlyAndUsesKvmOnlyWhenAsked() {
        Properties p = new Properties();
        p.setProperty("release", "6.1.0-56-amd64");
        CachedKernel k = new CachedKernel(Path.of("/cache/kernels/6.1.0-56-amd64"), p);
        GuestRequest req = new GuestRequest(List.of("true"), Path.of("/work"), Map.of(), List.of(Path.of("/work/target")),
                "2G", 2, Duration.ofSeconds(60));
        List<String> tcg = Qemu.command(k, Path.of("/i.gz"), req, Qemu.Accel.TCG, "ab", Path.of("/tmp/ctl"), false);
        String s = String.join(" ", tcg);
        assertTrue(s.contains("-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap"), s);
        assertTrue(s.contains("-virtfs local,path=/work/target,mount_tag=share0,"), s);
        assertTrue(s.contains("-kernel /cache/kernels/6.1.0-56-amd64/vmlinuz -initrd /i.gz"), s);
        assertTrue(s.contains("panic=-1") && tcg.contains("-no-reboot"), "a panic must end QEMU: " + s);
        assertTrue(!tcg.contains("-enable-kvm"), s);
        // One host thread for all vCPUs unless asked: JVMs in a multi-threaded TCG guest crash (Qemu.Accel.TCG).
        assertTrue(s.contains("-accel tcg,thread=single"), s);
        String multi = String.join(" ", Qemu.command(k, Path.of("/i.gz"), req, Qemu.Accel.TCG_MULTI, "ab", null, false));
        assertTrue(multi.contains("-accel tcg,thread=multi") && !multi.contains("thread=single"), multi);
        List<String> kvm = Qemu.command(k, Path.of("/i.gz"), req, Qemu.Accel.KVM, "ab", null, true);
        assertTrue(String.join(" ", kvm).contains("-enable-kvm -cpu host"));
        assertTrue(String.join(" ", kvm).contains("bpf4j.probe=1"));
    }
}
