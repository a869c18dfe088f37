package io.bpf4j.lab;

import static io.bpf4j.lab.FuzzChecks.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bpf4j.BpfFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Debian version comparison from any bytes: the input's lines are up to three version strings.
 * A rejection is a one-line format error; the versions that parse print back to themselves and
 * compare as a total order: reflexive, antisymmetric, transitive on the triple, and equal
 * versions rank the same against a third. The committed corpus is also compared with dpkg's own
 * {@code --compare-versions}.
 */
class DebianVersionFuzzTest {
    static List<DebianVersion> check(byte[] data) {
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", 4);
        List<DebianVersion> vs = new ArrayList<>();
        for (int i = 0; i < Math.min(3, lines.length); i++) {
            try {
                vs.add(DebianVersion.parse(lines[i]));
            } catch (BpfFormatException e) {
                assertOneLine(e);
            }
        }
        for (DebianVersion a : vs) {
            assertEquals(0, a.compareTo(a));
            DebianVersion printed = DebianVersion.parse(a.toString());
            assertEquals(a, printed, "parse(toString()) of " + a);
            for (DebianVersion b : vs) {
                int ab = Integer.signum(a.compareTo(b));
                assertEquals(-ab, Integer.signum(b.compareTo(a)), a + " vs " + b);
                for (DebianVersion c : vs) {
                    int bc = Integer.signum(b.compareTo(c)), ac = Integer.signum(a.compareTo(c));
                    if (ab <= 0 && bc <= 0) assertTrue(ac <= 0, a + " <= " + b + " <= " + c + " but " + a + " > " + c);
                    if (ab == 0) assertEquals(ac, bc, a + " == " + b + " rank differently against " + c);
                }
            }
        }
        return vs;
    }

    @FuzzTest
    void compare(byte[] data) {
        check(data);
    }

    /** dpkg is the reference: on every pair it accepts from the committed corpus, it must agree. */
    @Test
    void theCommittedCorpusComparesAsDpkgCompares() throws Exception {
        List<DebianVersion> all = new ArrayList<>();
        for (byte[] in : FuzzChecks.inputs(DebianVersionFuzzTest.class, "compare")) all.addAll(check(in));
        assertTrue(all.size() >= 20, "only " + all.size() + " versions parse in the corpus");
        int compared = 0;
        for (int i = 0; i + 1 < all.size() && compared < 150; i++) {
            String a = all.get(i).toString(), b = all.get(i + 1).toString();
            if (a.indexOf('\0') >= 0 || b.indexOf('\0') >= 0) continue; // not a command-line argument
            Boolean lt = dpkgLess(a, b);
            if (lt == null) continue; // dpkg refuses one of them
            assertEquals(lt, all.get(i).compareTo(all.get(i + 1)) < 0, a + " < " + b + " per dpkg");
            compared++;
        }
        assertTrue(compared >= 10, "dpkg accepted only " + compared + " pairs");
    }

    /** dpkg's answer to "a < b", or null when it rejects a version. */
    private static Boolean dpkgLess(String a, String b) throws Exception {
        Process p = new ProcessBuilder("dpkg", "--compare-versions", a, "lt", b).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return switch (p.exitValue()) {
            case 0 -> true;
            case 1 -> false;
            default -> null;
        };
    }
}
