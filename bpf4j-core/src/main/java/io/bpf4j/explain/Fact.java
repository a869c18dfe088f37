package io.bpf4j.explain;

/**
 * Things explain looks up at a failed call besides the objects the fds name, when a rule needs
 * them. Each constant says the type of its value in {@link Observation#facts()}.
 */
public enum Fact {
    /** Boolean: the call's key is in the map now (looked up through a duplicate of the map fd). */
    KEY_EXISTS,
    /** Long: elements in the map now (keys walked through a duplicate of the map fd). */
    ELEMENT_COUNT,
    /** Boolean: the value's structure has a bpf_spin_lock (from the map's BTF). */
    VALUE_HAS_SPIN_LOCK,
    /** String: the filesystem type of the pin path's directory ("bpf", "tmpfs"), or "" when the directory is missing. */
    PATH_PARENT_FS,
    /** Boolean: the pin path exists. */
    PATH_EXISTS,
    /** String: the filesystem type of the path itself (OBJ_GET), or "" when it is missing. */
    PATH_FS,
    /** String: what is attached to the interface already (XDP), e.g. "link 7 prog 42 xdp_pass". */
    XDP_ATTACHED,
    /** Boolean: an interface with the call's ifindex exists in the caller's network namespace. */
    IFINDEX_EXISTS,
    /** String: programs attached to the cgroup at the call's attach type, with their flags ("ids [5] flags BPF_F_ALLOW_MULTI"). */
    CGROUP_ATTACHED,
    /** Integer: writable shared mappings of the map in the calling process. */
    WRITABLE_MMAPS,
    /** Boolean: the raw tracepoint name exists (tracefs events or a BTF bpf_trace_ type). */
    TRACEPOINT_EXISTS,
    /** Boolean: the map's inner-map template matches the value map (type, sizes, flags). */
    INNER_MAP_MATCHES,
    /** Integer: log_true_size the kernel wrote back into the attr (6.4+): the log buffer size it needed. */
    LOG_TRUE_SIZE,
    /** Boolean: the failing call never reached the kernel's bpf code (seen by the process tracer only). */
    SYSCALL_REFUSED_BEFORE_BPF
}
