package io.bpf4j;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** FdInfo reads what the kernel's fdinfo file holds, through its own open/read/close. */
class FdInfoReadTest {
    @Test
    void readsTheSameFieldsAsTheFileHolds() throws Exception {
        try (BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, 4, 8, 16).withName("t_fdinfo"))) {
            int fd = m.fd().raw();
            String file = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
            FdInfo self = FdInfo.of(m.fd());
            assertEquals(FdInfo.parse(file).fields(), self.fields());
            assertEquals(m.id(), self.mapId().getAsInt());
            assertEquals(FdInfo.parse(file).fields(), FdInfo.of((int) ProcessHandle.current().pid(), fd).fields());
        }
    }

    @Test
    void readsTextLongerThanOneBuffer() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) sb.append("key_").append(i).append(":\t").append(i * 7L).append('\n');
        Path dir = Files.createTempDirectory("fdinfo"); // a path longer than the scratch buffer's room, too
        Path f = Files.createDirectories(dir.resolve("a".repeat(40)).resolve("b".repeat(40))).resolve("fdinfo");
        try {
            Files.writeString(f, sb, StandardCharsets.ISO_8859_1);
            assertTrue(sb.length() > 3 * 4096);
            FdInfo read = FdInfo.read(f.toString());
            assertEquals(FdInfo.parse(sb.toString()).fields(), read.fields());
            assertEquals(1999 * 7L, read.number("key_1999").getAsLong());
        } finally {
            Files.delete(f);
            Files.delete(f.getParent());
            Files.delete(f.getParent().getParent());
            Files.delete(dir);
        }
    }

    @Test
    void aMissingFdIsOneLine() {
        int pid = (int) ProcessHandle.current().pid();
        BpfException e = assertThrows(BpfException.class, () -> FdInfo.of(pid, 999_999));
        assertEquals("read /proc/" + pid + "/fdinfo/999999: no such fd", e.getMessage());
    }
}
