package io.bpf4j.tools.graph;

/**
 * A directed edge, pointing the way control goes: from an attach point to the link, from the
 * link to the program it runs, from a program to the maps it uses, from a prog array's slot to
 * the program a tail call jumps to, from a program to its function that an extension replaces,
 * and from that function to the extension.
 *
 * @param label  what a person reads on the edge: {@code kprobe}, {@code [0]}, {@code freplace}
 * @param source where the fact comes from, e.g. {@code prog info map_ids}, {@code lookup},
 *               {@code link info}, {@code task_fd_query}, {@code kcore aux->dst_prog}
 */
public record Edge(String from, String to, Kind kind, String label, String source) {

    /** Kinds of edge; {@link Dot} draws each in its own style. */
    public enum Kind {
        /** Attach point to link (or to program, for a perf event attached without a link). */
        ATTACH("attach"),
        /** Link to the program it runs. */
        RUNS("runs"),
        /** Program to a map in its map_ids. */
        USES("uses map"),
        /** Program to the prog array it tail-calls through. */
        TAIL_CALLS("tail calls through"),
        /** Prog array slot to the program in it. */
        SLOT("slot holds"),
        /** Map-in-map slot to the inner map. */
        INNER_MAP("holds map"),
        /** Program to one of its functions that an extension or tracing program targets. */
        CALLS("calls"),
        /** Function to the extension loaded to replace it, not attached yet (the load-time target). */
        TARGET("load-time target");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }
}
