package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.MapType;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Fact;
import io.bpf4j.explain.Flags;
import io.bpf4j.explain.ObjectSnapshot;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.ProcessFacts;
import io.bpf4j.internal.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.bpf4j.explain.rules.Obs.*;

/** Pins, BTF loads and test runs. */
class PinAndBtfRulesTest {
    static Observation.Builder pin(String path, int errno) {
        return attr(BpfCommand.OBJ_PIN).set("pathname", 0x7000).set("bpf_fd", 3).obs(errno)
                .memory("pathname", path.getBytes(StandardCharsets.US_ASCII)).object("bpf_fd", map(3, MapType.ARRAY, 4, 8, 4));
    }

    static Observation.Builder get(String path, int errno, int flags) {
        return attr(BpfCommand.OBJ_GET).set("pathname", 0x7000).set("file_flags", flags).obs(errno)
                .memory("pathname", path.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void pinOutsideBpffs() {
        assertCause(pin("/tmp/explain-pin", Errno.EPERM).fact(Fact.PATH_PARENT_FS, "tmpfs").build(), "R-O01", "/tmp/explain-pin", "tmpfs");
        assertNotRule(pin("/sys/fs/bpf/x", Errno.EPERM).fact(Fact.PATH_PARENT_FS, "bpf").build(), "R-O01");
    }

    @Test
    void pinWhereSomethingIs() {
        assertCause(pin("/sys/fs/bpf/explain-pin", Errno.EEXIST).build(), "R-O02", "exists already");
    }

    @Test
    void pinIntoAMissingDirectory() {
        assertCause(pin("/sys/fs/bpf/no/such/dir/x", Errno.ENOENT).fact(Fact.PATH_PARENT_FS, "").build(), "R-O03", "does not exist");
        assertNotRule(pin("/sys/fs/bpf/x", Errno.ENOENT).fact(Fact.PATH_PARENT_FS, "bpf").build(), "R-O03");
    }

    @Test
    void pinOfSomethingThatIsNotABpfObject() {
        assertCause(attr(BpfCommand.OBJ_PIN).set("pathname", 0x7000).set("bpf_fd", 0).obs(Errno.EINVAL)
                .object("bpf_fd", new ObjectSnapshot.OtherFile(0, "/dev/pts/0", "devpts")).build(), "R-O04", "/dev/pts/0");
    }

    @Test
    void getOfAPathWithNothingPinned() {
        assertCause(get("/sys/fs/bpf/explain-missing", Errno.ENOENT, 0).build(), "R-O05", "explain-missing");
    }

    @Test
    void getOfAFileThatIsNotAPin() {
        assertCause(get("/etc/hostname", Errno.EACCES, 0).fact(Fact.PATH_FS, "ext4").build(), "R-O06", "ext4");
    }

    @Test
    void getWithReadOnlyAndWriteOnly() {
        assertCause(get("/sys/fs/bpf/p", Errno.EINVAL, Flags.RDONLY | Flags.WRONLY).build(), "R-O07", "BPF_F_RDONLY|BPF_F_WRONLY");
        assertNotRule(get("/sys/fs/bpf/p", Errno.EINVAL, Flags.RDONLY).build(), "R-O07");
    }

    static byte[] btfHeader(int magic, int version, int hdrLen, int strLen) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putShort((short) magic).put((byte) version).put((byte) 0)
                .putInt(hdrLen).putInt(0).putInt(0).putInt(0).putInt(strLen).array();
    }

    static Observation.Builder btf(byte[] header, int size, int errno) {
        return attr(BpfCommand.BTF_LOAD).set("btf", 0x8000).set("btf_size", size).obs(errno).memory("btf", header);
    }

    @Test
    void btfWithABadMagic() {
        assertCause(btf(btfHeader(0x1234, 1, 24, 1), 64, Errno.EINVAL).build(), "R-B01", "0x1234");
        assertNotRule(btf(btfHeader(0xeb9f, 1, 24, 1), 64, Errno.EINVAL).build(), "R-B01");
    }

    @Test
    void btfOfAnotherVersion() {
        assertCause(btf(btfHeader(0xeb9f, 2, 24, 1), 64, Errno.ENOTSUPP).build(), "R-B02", "version 2");
    }

    @Test
    void btfOverSixteenMegabytes() {
        assertCause(btf(btfHeader(0xeb9f, 1, 24, 1), 0x7fffffff, Errno.E2BIG).build(), "R-B03", "2147483647");
    }

    @Test
    void btfWithAnEmptyStringSection() {
        assertCause(btf(btfHeader(0xeb9f, 1, 24, 0), 24, Errno.EINVAL).build(), "R-B04", "string section is empty");
    }

    @Test
    void btfWithAKindTheKernelDoesNotKnow() {
        // libbpf's FLOAT probe: int, float (kind 16), and a string section.
        ByteBuffer b = ByteBuffer.allocate(24 + 28 + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(28).putInt(28).putInt(8);
        b.putInt(1).putInt(1 << 24).putInt(4).putInt(32);          // [1] INT, 4 bytes
        b.putInt(1).putInt(16 << 24).putInt(4);                    // [2] FLOAT
        b.put(new byte[] {0, 'f', 'l', 'o', 'a', 't', 0, 0});
        Observation o = btf(b.array(), b.capacity(), Errno.EINVAL).kernel(K510).build();
        assertCause(o, "R-B06", "BTF_KIND_FLOAT", "Linux 5.13", "libbpf probes");
        assertNotRule(btf(b.array(), b.capacity(), Errno.EINVAL).build(), "R-B06");
    }

    @Test
    void btfWithoutCapBpf() {
        assertCause(btf(btfHeader(0xeb9f, 1, 24, 1), 64, Errno.EPERM).process(new ProcessFacts(1000, 0, -1, 0)).kernel(K510.withSysctls(0, false, 1, 2))
                .build(), "R-B05", "CAP_BPF");
    }

    static Observation.Builder run(ObjectSnapshot.ProgObject p, int in, int errno) {
        return attr(BpfCommand.PROG_TEST_RUN).set("prog_fd", 5).set("data_in", 0x9000).set("data_size_in", in).set("repeat", 1)
                .obs(errno).object("prog_fd", p);
    }

    @Test
    void testRunOfAKprobe() {
        assertCause(run(prog(5, ProgType.KPROBE, "k"), 64, Errno.ENOTSUPP).build(), "R-T01", "BPF_PROG_TYPE_KPROBE");
        assertNotRule(run(prog(5, ProgType.XDP, "x"), 64, Errno.ENOTSUPP).build(), "R-T01");
    }

    @Test
    void testRunWithAPacketShorterThanEthernet() {
        assertCause(run(prog(5, ProgType.SCHED_CLS, "tc"), 4, Errno.EINVAL).build(), "R-T02", "14 bytes");
        assertNotRule(run(prog(5, ProgType.SCHED_CLS, "tc"), 64, Errno.EINVAL).build(), "R-T02");
    }

    @Test
    void testRunOutputTooSmall() {
        Observation o = attr(BpfCommand.PROG_TEST_RUN).set("prog_fd", 5).set("data_in", 0x9000).set("data_size_in", 64)
                .set("data_out", 0xa000).set("data_size_out", 4).obs(Errno.ENOSPC).object("prog_fd", prog(5, ProgType.SCHED_CLS, "tc")).build();
        assertCause(o, "R-T04", "4-byte data_out");
        assertNotRule(run(prog(5, ProgType.SCHED_CLS, "tc"), 64, Errno.ENOSPC).build(), "R-T04");
    }
}
