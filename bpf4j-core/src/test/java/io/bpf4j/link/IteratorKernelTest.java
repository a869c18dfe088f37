package io.bpf4j.link;

import io.bpf4j.AttachType;
import io.bpf4j.BpfLink;
import io.bpf4j.BpfMap;
import io.bpf4j.BpfProgram;
import io.bpf4j.LinkType;
import io.bpf4j.MapSpec;
import io.bpf4j.MapType;
import io.bpf4j.ObjectIds;
import io.bpf4j.ProgType;
import io.bpf4j.ProgramSpec;
import io.bpf4j.asm.Asm;
import io.bpf4j.asm.Helper;
import io.bpf4j.asm.Size;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.bpf4j.asm.Reg.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An iter/bpf_map program (5.8+) that writes each map's id with bpf_seq_write, read back as a
 * stream and compared with BPF_MAP_GET_NEXT_ID's answer. Offsets come from the kernel's BTF.
 */
@Tag("kernel")
class IteratorKernelTest {
    @Test
    void mapIteratorListsExactlyTheMapIdsTheKernelHas() throws Exception {
        Btf k = Btf.kernel();
        int target = k.findByName("bpf_iter_bpf_map", BtfKind.FUNC).orElseThrow(
                () -> new AssertionError("bpf_iter_bpf_map missing from vmlinux BTF: iterators need 5.8")).id();
        BtfType map = k.findByName("bpf_map", BtfKind.STRUCT).orElseThrow();
        int idOff = (int) k.memberByPath(map, "id").orElseThrow().byteOffset();
        BtfType meta = k.findByName("bpf_iter_meta", BtfKind.STRUCT).orElseThrow();
        int seqOff = (int) k.memberByPath(meta, "seq").orElseThrow().byteOffset();
        byte[] insns = new Asm()
                .ldx(Size.DW, R6, R1, 0)          // ctx->meta
                .ldx(Size.DW, R7, R1, 8)          // ctx->map, NULL at the end of the walk
                .jeq(R7, 0, "out")
                .ldx(Size.W, R8, R7, idOff)       // map->id
                .stx(Size.W, R10, -4, R8)
                .ldx(Size.DW, R1, R6, seqOff)     // meta->seq
                .mov64(R2, R10).add64(R2, -4)
                .mov64(R3, 4)
                .call(Helper.SEQ_WRITE)
                .label("out").mov64(R0, 0).exit().bytes();
        try (BpfMap a = BpfMap.create(MapSpec.of(MapType.ARRAY, 4, 4, 1).withName("t_iter_a"));
             BpfMap b = BpfMap.create(MapSpec.of(MapType.HASH, 4, 4, 1).withName("t_iter_b"));
             BpfProgram p = BpfProgram.load(ProgramSpec.of(ProgType.TRACING, insns, "GPL").withName("t_iter_maps")
                     .withExpectedAttachType(AttachType.TRACE_ITER).withAttachBtf(null, target));
             BpfLink link = Links.iterator(p, null)) {
            assertEquals(LinkType.ITER, link.info().type());
            for (int round = 0; round < 2; round++) { // each open is a new walk
                byte[] out;
                try (IterStream in = IterStream.open(link)) {
                    out = in.readAllBytes();
                }
                ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
                List<Integer> ids = new ArrayList<>();
                while (bb.remaining() >= 4) ids.add(bb.getInt());
                assertEquals(0, out.length % 4);
                assertEquals(ObjectIds.all(ObjectIds.Kind.MAP), ids, "iterator output vs GET_NEXT_ID");
                assertTrue(ids.contains(a.id()) && ids.contains(b.id()));
            }
        }
    }
}
