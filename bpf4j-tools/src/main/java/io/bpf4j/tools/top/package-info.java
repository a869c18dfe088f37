/**
 * What every loaded program costs, sampled like Netflix's bpftop: run counts and run time
 * between two reads with statistics on ({@link io.bpf4j.BpfStats}), rates over the last minute,
 * and the processes that hold each program.
 *
 * <p>Depends on the library.
 *
 * <p>Requires Linux 5.8 (BPF_ENABLE_STATS) and CAP_SYS_ADMIN.
 */
package io.bpf4j.tools.top;
