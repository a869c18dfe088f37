package io.bpf4j.tools.top;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The /proc walk on a /proc-shaped directory of our own (fd links to anon inodes, fdinfo text). */
class HoldersTest {
    static void fd(Path proc, int pid, int fd, String target, String fdinfo) throws IOException {
        Path p = proc.resolve(Integer.toString(pid));
        Files.createDirectories(p.resolve("fd"));
        Files.createDirectories(p.resolve("fdinfo"));
        Files.createSymbolicLink(p.resolve("fd").resolve(Integer.toString(fd)), Path.of(target));
        Files.writeString(p.resolve("fdinfo").resolve(Integer.toString(fd)), fdinfo);
    }

    @Test
    void programAndLinkFdsNameTheirProgramAndStatsFdsTheirHolder(@TempDir Path proc) throws IOException {
        String progInfo = "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t1052\nprog_type:\t6\nprog_jited:\t1\n"
                + "prog_tag:\t3b185187f1855c4c\nmemlock:\t4096\nprog_id:\t41\nrun_time_ns:\t0\nrun_cnt:\t0\n";
        String linkInfo = "pos:\t0\nflags:\t02000000\nmnt_id:\t16\nino:\t1053\nlink_type:\tperf\nlink_id:\t9\n"
                + "prog_tag:\t3b185187f1855c4c\nprog_id:\t42\n";
        fd(proc, 300, 5, "anon_inode:bpf-prog", progInfo);
        fd(proc, 300, 6, "anon_inode:bpf_link", linkInfo.replace("prog_id:\t42", "prog_id:\t41"));
        fd(proc, 300, 7, "anon_inode:bpf-stats", "pos:\t0\nflags:\t02000002\n");
        Files.writeString(proc.resolve("300/comm"), "agent\n");
        fd(proc, 12, 3, "anon_inode:bpf_link", linkInfo);
        fd(proc, 12, 4, "anon_inode:bpf-map", "map_type:\t1\nmap_id:\t41\n"); // a map's id is no program's
        fd(proc, 12, 9, "/dev/null", "prog_id:\t41\n"); // not a BPF fd
        Files.writeString(proc.resolve("12/comm"), "loader\n");
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("77")); // exited: no fd directory left

        Holders.Scan s = Holders.scan(proc);
        assertEquals(Map.of(41, List.of(new Holder(300, "agent", false)), 42, List.of(new Holder(12, "loader", true))), s.programs());
        assertEquals(List.of(new Holder(300, "agent", false)), s.stats());
    }

    @Test
    void progIdIsReadOnlyFromItsOwnLine() {
        assertEquals(17, Holders.progIdOf("link_type:\tkprobe\nprog_id:\t17\n"));
        assertEquals(-1, Holders.progIdOf("owner_prog_id:\t17\n"));
        assertEquals(5, Holders.progIdOf("prog_id:\t5"));
        assertEquals(-1, Holders.progIdOf("prog_id:\t\n"));
    }
}
