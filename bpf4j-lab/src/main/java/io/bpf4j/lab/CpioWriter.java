package io.bpf4j.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format (magic 070701), the only one the kernel unpacks as
 * an initramfs. Written in Java rather than by running {@code cpio} so the archive can hold
 * {@code /dev/console} without root and without a staging directory, and byte-identical inputs
 * give byte-identical archives (mtime 0), so the cached initramfs can be compared.
 */
public final class CpioWriter implements AutoCloseable {
    private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int ino = 1;
    private boolean finished;

    public CpioWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String path, int perm) throws IOException {
        entry(path, S_IFDIR | perm, 0, 0, new byte[0]);
    }

    public void file(String path, int perm, byte[] data) throws IOException {
        entry(path, S_IFREG | perm, 0, 0, data);
    }

    public void symlink(String path, String target) throws IOException {
        entry(path, S_IFLNK | 0777, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    public void charDevice(String path, int perm, int major, int minor) throws IOException {
        entry(path, S_IFCHR | perm, major, minor, new byte[0]);
    }

    private void entry(String path, int mode, int rdevMajor, int rdevMinor, byte[] data) throws IOException {
        if (finished) throw new IllegalStateException("cpio archive already finished");
        String name = path.startsWith("/") ? path.substring(1) : path;
        if (name.isEmpty() || name.contains("\0")) throw new IllegalArgumentException("cpio: bad path '" + path + "'");
        header(name, ino++, mode, (mode & S_IFDIR) == S_IFDIR ? 2 : 1, data.length, rdevMajor, rdevMinor);
        out.write(data);
        written += data.length;
        pad4();
    }

    private void header(String name, int inode, int mode, int nlink, long size, int rmaj, int rmin) throws IOException {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(110).append("070701");
        // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
        for (long v : new long[] {inode, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin, n.length, 0}) {
            h.append(String.format("%08x", v));
        }
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(hb);
        out.write(n);
        written += hb.length + n.length;
        pad4();
    }

    private void pad4() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    /** Writes the TRAILER!!! entry; the archive is complete after this. */
    public void finish() throws IOException {
        if (finished) return;
        header("TRAILER!!!", 0, 0, 1, 0, 0, 0);
        while (written % 512 != 0) {
            out.write(0);
            written++;
        }
        finished = true;
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }
}
