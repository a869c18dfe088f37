package io.bpf4j.bench;

import io.bpf4j.BpfMap;
import io.bpf4j.BtfHandle;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.btf.BtfBuilder;
import io.bpf4j.btf.BtfType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates two hash maps of N entries each and pins them as DIR/btf and DIR/hex, for timing
 * `bpf4j inspect map dump` against `bpftool map dump` (bench/mapdump). Both hold the same
 * entries, key {@code __u32} and value {@code struct flow { __u64 packets; __u64 bytes;
 * __u32 pid; enum state state; }}; "btf" carries that BTF, "hex" none (bpftool prints it in hex).
 * Usage: PinBigMap DIR N.
 */
public final class PinBigMap {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Files.createDirectories(dir);
        BtfBuilder b = new BtfBuilder();
        int u32 = b.addInt("unsigned int", 4, 0);
        int u64 = b.addInt("unsigned long long", 8, 0);
        int state = b.addEnum("state", 4, false, List.of(new BtfType.EnumValue("IDLE", 0),
                new BtfType.EnumValue("OPEN", 1), new BtfType.EnumValue("CLOSED", 2)));
        int flow = b.addStruct("flow", 24, List.of(new BtfType.Member("packets", u64, 0, 0),
                new BtfType.Member("bytes", u64, 64, 0), new BtfType.Member("pid", u32, 128, 0),
                new BtfType.Member("state", state, 160, 0)));
        try (BtfHandle btf = BtfHandle.load(b.toBytes());
             BpfMap withBtf = BpfMap.create(MapSpec.of(MapType.HASH, 4, 24, n).withName("bench_btf").withBtf(btf, u32, flow));
             BpfMap hex = BpfMap.create(MapSpec.of(MapType.HASH, 4, 24, n).withName("bench_hex"))) {
            List<BpfMap.Entry> chunk = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] k = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array();
                byte[] v = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(i * 3L).putLong(i * 1500L).putInt(1000 + i % 50000).putInt(i % 3).array();
                chunk.add(new BpfMap.Entry(k, v));
                if (chunk.size() == 10_000 || i == n - 1) {
                    withBtf.updateBatch(chunk, BpfMap.ANY);
                    hex.updateBatch(chunk, BpfMap.ANY);
                    chunk.clear();
                }
            }
            withBtf.pin(dir.resolve("btf").toString());
            hex.pin(dir.resolve("hex").toString());
        }
    }
}
