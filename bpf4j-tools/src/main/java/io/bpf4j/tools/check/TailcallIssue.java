package io.bpf4j.tools.check;

import io.bpf4j.explain.KernelChange;
import io.bpf4j.explain.KnownChanges;
import java.util.List;

/** The known tail-call and freplace kernel issues that {@link TailcallCheck} detects. */
public enum TailcallIssue {
    INVALID_TAILCALLEE("invalid-tailcallee",
            "an freplace program using a prog array claims its owner as EXT",
            List.of(KnownChanges.RESOLVE_FEXT_TYPE)),
    FREPLACE_TAILCALLEE("freplace-tailcallee",
            "freplace and extended programs as tail callees (tail-call loop)",
            List.of(KnownChanges.FREPLACE_TAILCALL_LOOP)),
    ATTACHED_FREPLACE_UPDATE("attached-freplace-update",
            "putting an attached freplace program into a prog array (Oops)",
            List.of(KnownChanges.RESOLVE_NULL_DST_PROG, KnownChanges.UPDATE_ATTACHED_FREPLACE)),
    CROSS_HOOK_TAILCALL("cross-hook-tailcall",
            "tail calls between tracing programs attached to different hooks",
            List.of(KnownChanges.CROSS_HOOK_TAILCALL)),
    TAILCALL_ATTACH_TYPE("tailcall-attach-type",
            "tail calls between programs with different expected_attach_type",
            List.of(KnownChanges.EXPECTED_ATTACH_TYPE)),
    TAILCALL_HIERARCHY("tailcall-hierarchy",
            "tail calls from subprograms escape the 33 tail-call limit (x86-64 JIT)",
            List.of(KnownChanges.TAILCALL_HIERARCHY));

    private final String key;
    private final String title;
    private final List<KernelChange> fixes;

    TailcallIssue(String key, String title, List<KernelChange> fixes) {
        this.key = key;
        this.title = title;
        this.fixes = fixes;
    }

    /** Stable short name used in tables, JSON and {@code --only}. */
    public String key() {
        return key;
    }

    public String title() {
        return title;
    }

    /** The commits that fixed it, oldest first. */
    public List<KernelChange> fixes() {
        return fixes;
    }

    public static TailcallIssue byKey(String key) {
        for (TailcallIssue i : values()) if (i.key.equals(key)) return i;
        throw new io.bpf4j.BpfException("unknown tail-call issue '" + key + "' (known: "
                + String.join(", ", java.util.Arrays.stream(values()).map(TailcallIssue::key).toList()) + ")");
    }
}
