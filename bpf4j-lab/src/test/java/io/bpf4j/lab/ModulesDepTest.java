package io.bpf4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpf4j.BpfFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModulesDepTest {

    /** 6.1's layout: virtio_pci a module, 9p needing netfs and fscache. */
    static final String DEP_61 = """
            kernel/drivers/virtio/virtio_ring.ko:
            kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
            kernel/drivers/virtio/virtio_pci_modern_dev.ko:
            kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
            kernel/fs/netfs/netfs.ko:
            kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
            kernel/net/9p/9pnet.ko:
            kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
            kernel/fs/9p/9p.ko: kernel/fs/fscache/fscache.ko kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko
            kernel/fs/overlayfs/overlay.ko:
            kernel/drivers/gpu/drm/virtio/virtio-gpu.ko: kernel/drivers/virtio/virtio.ko
            """;

    @Test
    void everyModuleComesAfterItsDependencies() {
        ModulesDep d = ModulesDep.parse(DEP_61, null);
        List<String> order = d.loadOrder(KernelStore.GUEST_MODULES);
        assertEquals(11, order.size(), order.toString());
        for (String line : DEP_61.strip().split("\n")) {
            String mod = line.substring(0, line.indexOf(':'));
            if (!order.contains(mod)) continue;
            for (String dep : line.substring(line.indexOf(':') + 1).strip().split("\\s+")) {
                if (dep.isEmpty()) continue;
                assertTrue(order.indexOf(dep) < order.indexOf(mod), dep + " must load before " + mod + " in " + order);
            }
        }
        assertEquals("kernel/fs/overlayfs/overlay.ko", order.getLast());
        assertTrue(!order.contains("kernel/drivers/gpu/drm/virtio/virtio-gpu.ko"), "only what was asked for");
    }

    @Test
    void builtInModulesAreSkippedAndCompressedNamesUnderstood() {
        // 6.12: virtio and virtio_pci are built in; modules are .ko.xz.
        String dep = """
                kernel/fs/netfs/netfs.ko.xz:
                kernel/net/9p/9pnet.ko.xz:
                kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz
                kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz
                kernel/fs/overlayfs/overlay.ko.xz:
                """;
        String builtin = "kernel/drivers/virtio/virtio.ko\nkernel/drivers/virtio/virtio_pci.ko\n";
        ModulesDep d = ModulesDep.parse(dep, builtin);
        assertTrue(d.isBuiltin("virtio_pci"));
        assertEquals(List.of("kernel/net/9p/9pnet.ko.xz", "kernel/fs/netfs/netfs.ko.xz", "kernel/net/9p/9pnet_virtio.ko.xz",
                "kernel/fs/9p/9p.ko.xz", "kernel/fs/overlayfs/overlay.ko.xz"), d.loadOrder(KernelStore.GUEST_MODULES));
    }

    @Test
    void aModuleThatIsNeitherModuleNorBuiltInIsAnError() {
        ModulesDep d = ModulesDep.parse("kernel/fs/9p/9p.ko:\n", "kernel/fs/ext4/ext4.ko\n");
        var e = assertThrows(BpfFormatException.class, () -> d.loadOrder(List.of("9pnet_virtio")));
        assertTrue(e.getMessage().contains("9pnet_virtio"), e.getMessage());
    }

    @Test
    void dashesAndUnderscoresNameTheSameModule() {
        assertEquals("virtio_gpu", ModulesDep.moduleName("kernel/drivers/gpu/drm/virtio/virtio-gpu.ko.zst"));
        ModulesDep d = ModulesDep.parse(DEP_61, null);
        assertTrue(d.has("virtio_gpu"));
    }

    @Test
    void cyclesAndGarbageAreFormatErrors() {
        ModulesDep cyc = ModulesDep.parse("a.ko: b.ko\nb.ko: a.ko\n", null);
        assertThrows(BpfFormatException.class, () -> cyc.loadOrder(List.of("a")));
        assertThrows(BpfFormatException.class, () -> ModulesDep.parse("no colon\n", null));
    }
}
