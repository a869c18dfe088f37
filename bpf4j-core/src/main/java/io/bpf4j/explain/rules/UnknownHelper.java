package io.bpf4j.explain.rules;

import io.bpf4j.BpfCommand;
import io.bpf4j.asm.Helper;
import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.internal.sys.Errno;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * R-L03, PROG_LOAD, EINVAL: a {@code call} to a helper id this kernel does not have
 * ({@code check_helper_call()}: "invalid func %s#%d", before 6.10 "unknown func").
 */
final class UnknownHelper extends BaseRule {
    static final Pattern FUNC = Pattern.compile("(?:invalid|unknown) func (\\S+)#(\\d+)");

    UnknownHelper() {
        super("R-L03", on(BpfCommand.PROG_LOAD), Errno.EINVAL);
    }

    @Override
    Cause check(Observation o) {
        int max = o.kernel().maxHelperId();
        int id = -1;
        if (o.verifier() != null) {
            Matcher m = FUNC.matcher(o.verifier().reason());
            if (m.find()) id = Integer.parseInt(m.group(2));
        } else {
            id = InsnScan.maxHelperCall(o.memory("insns").orElse(null));
        }
        if (id < 0 || (max >= 0 ? id <= max : id <= Helper.MAX_ID)) return null;
        Helper h = Helper.byId(id);
        return cause("the program calls helper #" + id + (h != null ? " (" + h.kernelName() + ")" : "")
                        + ", which this kernel (" + o.kernel().release() + ") does not have",
                "do not call the helper on this kernel (probe it first), or upgrade the kernel");
    }
}
