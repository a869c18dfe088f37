package io.bpf4j.lab;

import io.bpf4j.BpfException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a kernel's initramfs: a static busybox, the guest init and the 9p/overlay modules, as a
 * gzipped newc cpio. Cached next to the kernel under a name that hashes its inputs, so a new
 * bpf4j with a changed init script rebuilds it and an unchanged one reuses it.
 */
public final class Initramfs {
    private Initramfs() {}

    static final List<String> BUSYBOX_CANDIDATES = List.of("/bin/busybox", "/usr/bin/busybox");

    /** The cached initramfs for {@code k}, built now if missing. */
    public static Path forKernel(CachedKernel k) {
        Path busybox = staticBusybox();
        try {
            byte[] bb = Files.readAllBytes(busybox);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(GuestInit.SCRIPT.getBytes(StandardCharsets.UTF_8));
            md.update(bb);
            for (String m : k.modules()) {
                md.update(m.getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(k.dir().resolve("modules").resolve(m)));
            }
            String hash = HexFormat.of().formatHex(md.digest()).substring(0, 12);
            Path out = k.dir().resolve("initramfs-" + hash + ".cpio.gz");
            if (Files.isRegularFile(out)) return out;
            Path tmp = Files.createTempFile(k.dir(), ".initramfs-", ".tmp");
            try (var cleanup = Temp.register(tmp);
                 OutputStream os = new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16) {{ def.setLevel(Deflater.BEST_SPEED); }}) {
                write(os, bb, k);
                os.close();
                try (Stream<Path> old = Files.list(k.dir())) {
                    for (Path p : old.filter(p -> p.getFileName().toString().startsWith("initramfs-")).toList()) Files.deleteIfExists(p);
                }
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("build initramfs for " + k.release() + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(OutputStream os, byte[] busybox, CachedKernel k) throws IOException {
        CpioWriter c = new CpioWriter(os);
        for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "mnt", "mnt/root", "mnt/ctl", "mnt/upper", "lib", "lib/modules")) {
            c.directory(d, 0755);
        }
        // The kernel opens /dev/console for PID 1 before /init can mount devtmpfs.
        c.charDevice("dev/console", 0600, 5, 1);
        c.charDevice("dev/null", 0666, 1, 3);
        c.file("bin/busybox", 0755, busybox);
        c.symlink("bin/sh", "busybox");
        c.file("init", 0755, GuestInit.SCRIPT.getBytes(StandardCharsets.UTF_8));
        StringBuilder order = new StringBuilder();
        for (String m : k.modules()) {
            c.file("lib/modules/" + m, 0644, Files.readAllBytes(k.dir().resolve("modules").resolve(m)));
            order.append(m).append('\n');
        }
        c.file("lib/modules/load-order", 0644, order.toString().getBytes(StandardCharsets.UTF_8));
        c.finish();
    }

    /** A statically linked busybox: the initramfs has no libc for a dynamic one to load. */
    static Path staticBusybox() {
        for (String c : BUSYBOX_CANDIDATES) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p) && isStaticElf(p)) return p;
        }
        throw new BpfException("find busybox", 0, "no statically linked busybox in " + BUSYBOX_CANDIDATES + " (apt-get install busybox-static)");
    }

    /** True when {@code p} is an ELF64 executable without a PT_INTERP program header. */
    static boolean isStaticElf(Path p) {
        try {
            byte[] h = new byte[4096];
            int n;
            try (var in = Files.newInputStream(p)) {
                n = in.readNBytes(h, 0, h.length);
            }
            ByteBuffer b = ByteBuffer.wrap(h, 0, n).order(ByteOrder.LITTLE_ENDIAN);
            if (n < 64 || b.getInt(0) != 0x464c457f || h[4] != 2) return false;
            long phoff = b.getLong(0x20);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36));
            int phnum = Short.toUnsignedInt(b.getShort(0x38));
            for (int i = 0; i < phnum; i++) {
                long off = phoff + (long) i * phentsize;
                if (off + 4 > n) return false; // headers beyond the first page: be conservative
                if (b.getInt((int) off) == 3) return false; // PT_INTERP
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static byte[] toBytes(CachedKernel k) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        write(bos, Files.readAllBytes(staticBusybox()), k);
        return bos.toByteArray();
    }
}
