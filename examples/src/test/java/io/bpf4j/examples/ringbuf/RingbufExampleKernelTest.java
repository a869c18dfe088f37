package io.bpf4j.examples.ringbuf;

import org.junit.jupiter.api.Tag;

/**
 * {@link RingbufExampleTest} again on every lab kernel, from 5.10 (ring buffers came in 5.8, and
 * 5.10 charges their memory to RLIMIT_MEMLOCK).
 */
@Tag("kernel")
class RingbufExampleKernelTest extends RingbufExampleTest {
}
