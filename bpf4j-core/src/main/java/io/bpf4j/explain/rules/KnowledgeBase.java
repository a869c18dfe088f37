package io.bpf4j.explain.rules;

import io.bpf4j.explain.Cause;
import io.bpf4j.explain.Observation;
import io.bpf4j.explain.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every rule, in the order the kernel runs its checks ({@code __sys_bpf()}: size, attr,
 * permissions, fds, then the command's own checks), so that when several rules fit, the first
 * is the check that failed.
 */
public final class KnowledgeBase {
    private KnowledgeBase() {}

    public static final List<Rule> RULES = List.of(
            // __sys_bpf(): size and attr, then the command
            new AttrTooLarge(), new UnusedFieldSet(), new UnknownCommand(), new UnprivilegedDisabled(), new MemlockExhausted(),
            // fds in the attr
            new FdNotOpen(), new FdWrongKind(),
            // BPF_MAP_CREATE
            new UnknownMapType(), new MapFlagsConflict(), new LruWithoutPrealloc(), new ArrayAttributes(), new HashAttributes(),
            new FdMapValueSize(), new RingbufSize(), new ValueTooLarge(), new MapBtfIds(), new InnerMapTemplate(),
            new MapExtraUnsupported(), new MapTooLarge(),
            // element commands: permissions, flags, then the map type's own checks
            new MapNotWritable(), new MapNotReadable(), new ElemFlagsInvalid(), new KeylessMapKey(), new OperationNotSupported(),
            new FdArrayFlags(), new IndexOutOfRange(), new ArrayNoExist(), new ArrayUpdateFlags(), new ArrayDelete(),
            new FdArrayValue(), new ExtensionInProgArray(), new ExtendedProgInProgArray(), new ProgArrayOwner(), new InnerMapMismatch(),
            new HashExistFlags(), new HashFull(), new NoSuchElement(), new EndOfKeys(),
            // BPF_MAP_FREEZE
            new FreezeUnsupported(), new FreezeNotAllowed(), new FreezeWhileMapped(), new AlreadyFrozen(),
            // BPF_PROG_LOAD, in bpf_prog_load()'s order, then the verifier's
            new UnknownProgFlags(), new InsnCount(), new ProgTypeCapability(), new AttachFieldsOnWrongType(), new ExpectedAttachType(),
            new UnknownProgType(), new BadObjectName(), new LogAttributes(), new LogTooSmall(), new ProgramStructure(),
            new InsnMapFd(), new UnknownHelper(), new HelperNotAllowed(), new GplOnlyHelper(), new SleepableNotAllowed(),
            new ComplexityLimit(), new ExtensionTarget(), new VerifierRefused(), new TailCallOwnerAtLoad(),
            // attach and links
            new AttachTypeMismatch(), new TargetNotCgroup(), new CgroupSameProgTwice(), new CgroupFlagsConflict(), new NothingToDetach(),
            new CgroupLinkFlags(), new XdpBusy(), new NoSuchInterface(), new UnknownTracepoint(), new RawTracepointProgType(),
            // pins
            new PinNotBpffs(), new PinExists(), new PinNoParent(), new PinNotBpfObject(), new GetNotPinned(), new GetNotBpfObject(),
            new GetBadFlags(),
            // BTF
            new BtfNeedsCapBpf(), new BtfMagic(), new BtfVersion(), new BtfTooLarge(), new BtfSections(), new BtfKindUnknown(),
            // test runs
            new TestRunUnsupported(), new TestRunData(), new TestRunOutputTooSmall(),
            // ids, and what no check in kernel/bpf explains
            new NoSuchId(), new BadPointer(), new PolicyRefused());

    /** Every cause that fits, first the one whose check the kernel runs first. */
    public static List<Cause> explain(Observation o) {
        List<Cause> out = new ArrayList<>();
        for (Rule r : RULES) r.explain(o).ifPresent(out::add);
        return out;
    }

    /** The cause: the first rule that fits, or empty when none does. */
    public static Optional<Cause> cause(Observation o) {
        for (Rule r : RULES) {
            Optional<Cause> c = r.explain(o);
            if (c.isPresent()) return c;
        }
        return Optional.empty();
    }
}
