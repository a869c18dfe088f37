package io.bpf4j.ringbuf;

import java.lang.foreign.MemorySegment;

/**
 * Receives ring buffer records in place (zero-copy), as Agrona's message handlers do.
 *
 * <p>{@code record} is a view of the kernel's buffer, exactly as long as the BPF program's
 * record. It is valid only during the call: once the handler returns, the reader hands the space
 * back to the kernel, which may overwrite it at once. Copy what must outlive the call
 * ({@code record.toArray(JAVA_BYTE)}, or {@code MemorySegment.copy}). A view used after its
 * reader is closed throws {@link IllegalStateException}; it never reads unmapped memory.
 *
 * <p>An exception thrown by the handler stops the poll and propagates; the record that caused it
 * counts as consumed (as in libbpf), so a poison record cannot block the buffer.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record);
}
