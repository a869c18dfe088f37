package io.bpf4j;

import java.util.Map;

/**
 * What {@code BPF_OBJ_GET_INFO_BY_FD} says about a link (struct bpf_link_info). The
 * type-specific part is kept as named fields, with the kernel's field names
 * ({@code target_obj_id}, {@code ifindex}, {@code func_name}...), in the order the kernel
 * declares them; {@link #target()} renders it for people.
 */
public record LinkInfo(int typeValue, int id, int progId, Map<String, Object> fields) {

    public LinkType type() {
        return LinkType.of(typeValue);
    }

    public String typeName() {
        return LinkType.nameOf(typeValue);
    }

    /** The attach point in one line, e.g. {@code kprobe tcp_connect+0} or {@code prog 12 btf_id 3}. */
    public String target() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(e.getKey()).append(' ').append(e.getValue());
        }
        return sb.toString();
    }
}
