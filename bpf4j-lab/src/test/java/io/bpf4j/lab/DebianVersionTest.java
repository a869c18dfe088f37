package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfFormatException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebianVersionTest {

    private static int cmp(String a, String b) {
        return Integer.signum(DebianVersion.parse(a).compareTo(DebianVersion.parse(b)));
    }

    @Test
    void securityUpdateBeatsPointRelease() {
        assertEquals(1, cmp("6.1.192-2", "6.1.176-1"));
    }

    @Test
    void numericRunsCompareAsNumbersNotText() {
        assertEquals(1, cmp("6.12.117-1", "6.1.192-2"));
        assertEquals(1, cmp("5.10.223-1", "5.10.99-1"));
    }

    @Test
    void backportTildeSortsBeforeTheReleaseItBackports() {
        assertEquals(-1, cmp("7.3.4-1~bpo13+1", "7.3.4-1"));
        assertEquals(1, cmp("7.3.4-1~bpo13+1", "7.2.13-1"));
        assertEquals(-1, cmp("1.0~rc1", "1.0"));
    }

    @Test
    void epochWinsOverEverything() {
        assertEquals(1, cmp("1:0.1", "9.9"));
    }

    @Test
    void equalVersionsCompareEqualIgnoringLeadingZeros() {
        assertEquals(0, cmp("6.01-1", "6.1-1"));
    }

    @Test
    void agreesWithDpkgOnAShuffledList() throws Exception {
        List<String> vs = new ArrayList<>(List.of("7.3.4-1~bpo13+1", "6.1.192-2", "6.1.176-1", "6.12.117-1", "5.10.223-1",
                "7.2.13-1", "1:1.0", "1.0+b1", "1.0", "1.0~", "1.0a", "1.0-0", "2:0"));
        List<String> sorted = new ArrayList<>(vs);
        sorted.sort(DebianVersion.ORDER);
        for (int i = 0; i + 1 < sorted.size(); i++) {
            Process p = new ProcessBuilder("dpkg", "--compare-versions", sorted.get(i), "le", sorted.get(i + 1)).start();
            assertEquals(0, p.waitFor(), sorted.get(i) + " <= " + sorted.get(i + 1) + " per dpkg");
        }
        assertTrue(sorted.indexOf("1.0~") < sorted.indexOf("1.0"));
    }

    @Test
    void garbageIsAFormatError() {
        assertThrows(BpfFormatException.class, () -> DebianVersion.parse(""));
        assertThrows(BpfFormatException.class, () -> DebianVersion.parse("x:1.0"));
        assertThrows(BpfFormatException.class, () -> DebianVersion.parse("1.0 2"));
    }

    /** Found by fuzzing: forms that did not print back to themselves, or that dpkg refuses. */
    @Test
    void dpkgSyntaxIsEnforcedAndEveryVersionPrintsBackToItself() {
        for (String bad : List.of("1.0-", "6.1-117-", "-1:1.0", "+1:1.0", "9!:0-1", "a1.0", "1.0 2", "1.0-1_2", "1.0\u001b[2J", "1:", ":1"))
            assertThrows(BpfFormatException.class, () -> DebianVersion.parse(bad), bad);
        DebianVersion colon = DebianVersion.parse("0:1:2-3");
        assertEquals("1:2", colon.upstream());
        assertEquals("0:1:2-3", colon.toString(), "the epoch stays, or the colon would read as one");
        assertEquals(colon, DebianVersion.parse(colon.toString()));
        assertEquals("1.0", DebianVersion.parse("00:1.0").toString());
    }
}
