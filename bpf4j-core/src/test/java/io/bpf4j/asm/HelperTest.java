package io.bpf4j.asm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class HelperTest {

    @Test
    void idsAreOrdinalsUpToTheFrozenEnd() {
        assertEquals(212, Helper.values().length);
        for (Helper h : Helper.values()) {
            assertEquals(h.ordinal(), h.id());
            assertSame(h, Helper.byId(h.id()));
        }
        assertNull(Helper.byId(-1));
        assertNull(Helper.byId(212));
        assertEquals("bpf_map_lookup_elem", Helper.byId(1).kernelName());
        assertEquals(12, Helper.TAIL_CALL.id());
        assertEquals(209, Helper.USER_RINGBUF_DRAIN.id());
        assertEquals(210, Helper.CGRP_STORAGE_GET.id());
        assertEquals(Helper.MAX_ID, Helper.CGRP_STORAGE_DELETE.id());
    }

    /** The installed uapi header (package linux-libc-dev) must agree with every id it lists. */
    @Test
    void matchesTheInstalledUapiHeader() throws IOException {
        Path header = Path.of("/usr/include/linux/bpf.h");
        Assumptions.assumeTrue(Files.isReadable(header), "/usr/include/linux/bpf.h is not installed (package linux-libc-dev)");
        String src = Files.readString(header);
        int start = src.indexOf("define ___BPF_FUNC_MAPPER");
        if (start < 0) start = src.indexOf("define __BPF_FUNC_MAPPER");
        assertTrue(start >= 0, "no helper list in " + header);
        int end = src.indexOf("\n\n", start);
        // FN(name) before Linux 6.2, FN(name, id, ##ctx) since
        Matcher m = Pattern.compile("FN\\((\\w+)(?:,\\s*(\\d+))?").matcher(src.substring(start, end));
        int count = 0;
        while (m.find()) {
            int id = m.group(2) != null ? Integer.parseInt(m.group(2)) : count;
            Helper h = Helper.byId(id);
            assertNotNull(h, "header has helper " + m.group(1) + " = " + id);
            assertEquals("bpf_" + m.group(1), h.kernelName());
            count++;
        }
        assertTrue(count >= 200, "read only " + count + " helpers from " + header);
    }
}
