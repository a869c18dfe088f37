/**
 * {@code bpf4j inspect map dump}: every entry of a map in bpftool's {@code map dump} text or JSON,
 * values formatted by BTF, plus what bpftool does not show (prog array slots' programs, inner
 * maps' entries, ring buffer positions, queue heads).
 *
 * <p>Depends on the library: {@code BpfMap.forEach} and {@code io.bpf4j.btf.BtfValueFormatter}.
 *
 * <p>Requires Linux 5.6 to read maps in batches (older kernels are read key by key, as bpftool
 * does) and 5.8 for ring buffers.
 */
package io.bpf4j.tools.mapdump;
