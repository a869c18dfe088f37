package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.ProgType;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.KnownChanges;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * R-L04, PROG_LOAD, EINVAL: a helper that exists but that this program type may not call:
 * {@code get_func_proto()} returned NULL. 6.10+ says so ({@code 786bf0e7e2ec}); older kernels
 * print "unknown func", as for a helper that does not exist.
 */
final class HelperNotAllowed extends BaseRule {
    static final Pattern NEW = Pattern.compile("program of this type cannot use helper (\\S+)#(\\d+)");

    HelperNotAllowed() {
        super("R-L04", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        if (o.verifier() == null) return null;
        String r = o.verifier().reason();
        String type = ProgType.nameOf(o.call().u32("prog_type"));
        String fix = "move this logic to a program type that may call the helper, or use an allowed alternative";
        Matcher m = NEW.matcher(r);
        if (m.find())
            return cause(type + " programs may not call " + m.group(1) + " (helper #" + m.group(2) + ")", fix);
        m = UnknownHelper.FUNC.matcher(r);
        int max = o.kernel().maxHelperId();
        if (r.startsWith("unknown func") && m.find() && max >= 0 && Integer.parseInt(m.group(2)) <= max)
            return cause(type + " programs may not call " + m.group(1) + " (helper #" + m.group(2)
                    + "; kernels before 6.10 say \"unknown func\" for it)", fix, KnownChanges.HELPER_MESSAGE, "before Linux 6.10");
        if (r.contains("helper call is not allowed in probe") || r.contains("cannot call helper"))
            return cause("the helper is not allowed here: \"" + r + "\"", fix);
        return null;
    }
}
