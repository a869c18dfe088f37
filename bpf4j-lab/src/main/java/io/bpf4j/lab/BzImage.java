package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads the release string an x86 bzImage carries in its boot-protocol header, so a vmlinuz
 * given by path can be checked against the guest's {@code uname -r} like a Debian one.
 */
public final class BzImage {
    private BzImage() {}

    /** The first word of the image's kernel_version string, e.g. "6.1.0-56-amd64". */
    public static String release(byte[] head) {
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        // Boot protocol: "HdrS" at 0x202, version >= 2.00 at 0x206, kernel_version pointer at 0x20e (relative to 0x200).
        if (head.length < 0x210 || b.getInt(0x202) != 0x53726448) {
            throw new BpfFormatException("bzImage: no 'HdrS' boot header (not an x86 kernel image?)");
        }
        int ptr = Short.toUnsignedInt(b.getShort(0x20e));
        int at = ptr + 0x200;
        if (ptr == 0 || at >= head.length) throw new BpfFormatException("bzImage: kernel_version pointer 0x" + Integer.toHexString(ptr) + " is outside the header");
        int end = at;
        while (end < head.length && head[end] != 0 && head[end] != ' ') end++;
        if (end == at || end == head.length) throw new BpfFormatException("bzImage: unterminated kernel_version string");
        return new String(head, at, end - at, StandardCharsets.US_ASCII);
    }

    public static String release(Path vmlinuz) {
        try (FileChannel ch = FileChannel.open(vmlinuz)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), 64 * 1024));
            while (buf.hasRemaining() && ch.read(buf) > 0) { }
            return release(java.util.Arrays.copyOf(buf.array(), buf.position()));
        } catch (IOException e) {
            throw new UncheckedIOException("read " + vmlinuz + ": " + e.getMessage(), e);
        }
    }
}
