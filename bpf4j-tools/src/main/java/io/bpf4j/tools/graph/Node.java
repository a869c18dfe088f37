package io.bpf4j.tools.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One vertex of the wiring graph: a BPF object (program, map, link), a function of a program,
 * or a place in the kernel something attaches to.
 *
 * @param id      stable key, unique in a graph: {@code prog:3}, {@code map:12}, {@code link:7},
 *                {@code func:3:31} (BTF id 31 in program 3), {@code kfunc:tcp_connect},
 *                {@code netdev:1}, ...; DOT uses it as the node name, HTML as the element id
 * @param label   the name a person looks for: program or map name, function, device
 * @param summary the second line: {@code prog 3 · kprobe}, {@code map 12 · hash}
 * @param facts   what the kernel said about it, in order, for details (HTML click)
 */
public record Node(String id, Kind kind, String label, String summary, Map<String, String> facts) {

    /**
     * Kinds of node, in the order the graph lists them: attach points, then links, programs,
     * functions of programs and maps. Colors and shapes in {@link Dot} follow the kind.
     */
    public enum Kind {
        KERNEL_FUNCTION("kernel function"), TRACEPOINT("tracepoint"), DEVICE("network device"), CGROUP("cgroup"),
        NETNS("network namespace"), NETFILTER("netfilter hook"), ATTACH_POINT("other attach point"),
        LINK("link"), PROGRAM("program"), EXTENSION("extension (freplace) program"), FUNCTION("function of a program"),
        MAP("map"), PROG_ARRAY("prog array");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** What a legend calls it. */
        public String description() {
            return description;
        }

        /** Something in the kernel that programs attach to, not a BPF object. */
        public boolean isAttachPoint() {
            return ordinal() <= ATTACH_POINT.ordinal();
        }
    }

    public Node {
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }
}
