package io.bpf4j.tools.kmem;

import io.bpf4j.BpfException;

/**
 * A read of kernel memory that cannot be satisfied: the address is not mapped by the memory
 * source (a wild or stale pointer, a torn read of a structure that changed under us).
 */
public final class MemoryFault extends BpfException {
    private final long address;
    private final long length;

    public MemoryFault(long address, long length, String reason) {
        super(String.format("read %d bytes at 0x%x: %s", length, address, reason));
        this.address = address;
        this.length = length;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }
}
