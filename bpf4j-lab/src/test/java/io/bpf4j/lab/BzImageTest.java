package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bpf4j.BpfFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BzImageTest {

    /** A boot sector + setup header as the x86 boot protocol lays it out, with the version string at 0x200+ptr. */
    private static byte[] image(String version, int ptr) {
        byte[] b = new byte[0x4000];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0x202, 0x53726448); // "HdrS"
        bb.putShort(0x206, (short) 0x020f);
        bb.putShort(0x20e, (short) ptr);
        byte[] v = version.getBytes(StandardCharsets.US_ASCII);
        if (0x200 + ptr < b.length) System.arraycopy(v, 0, b, 0x200 + ptr, v.length);
        return b;
    }

    @Test
    void readsTheReleaseFromTheSetupHeader() {
        assertEquals("6.1.0-56-amd64", BzImage.release(image("6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP", 0x3a00)));
        assertEquals("7.3.4+deb13-amd64", BzImage.release(image("7.3.4+deb13-amd64\0", 0x1000)));
    }

    @Test
    void somethingElseIsAFormatError() {
        assertThrows(BpfFormatException.class, () -> BzImage.release(new byte[0x1000]), "no HdrS");
        assertThrows(BpfFormatException.class, () -> BzImage.release(image("x", 0x7000)), "pointer beyond the bytes");
        assertThrows(BpfFormatException.class, () -> BzImage.release(new byte[10]));
        byte[] unterminated = image("6.1", 0x1000);
        java.util.Arrays.fill(unterminated, 0x1200, unterminated.length, (byte) 'x');
        assertThrows(BpfFormatException.class, () -> BzImage.release(unterminated));
    }
}
