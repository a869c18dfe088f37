/**
 * Runnable examples of bpf4j, one package each, in the style of cilium/ebpf's examples: a BPF C
 * file ({@code examples/src/main/bpf}), its compiled object among this module's resources, and a
 * small {@code Main}. The module requires the library and nothing else, and the library exports
 * only its public API to it: what compiles here, a user's module can write.
 */
module io.bpf4j.examples {
    requires io.bpf4j;
}
