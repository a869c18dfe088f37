/** The kernel lab: Debian's kernels from its archive, an initramfs, and QEMU to boot them. */
module io.bpf4j.lab {
    requires io.bpf4j;

    exports io.bpf4j.lab;
}
