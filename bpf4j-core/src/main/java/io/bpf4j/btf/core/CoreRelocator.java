package io.bpf4j.btf.core;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import io.bpf4j.asm.CallKind;
import io.bpf4j.asm.Insn;
import io.bpf4j.asm.Size;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.BtfType.Array;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Enumeration;
import io.bpf4j.btf.BtfType.Member;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies CO-RE relocations the way libbpf's {@code relo_core.c} does, without a kernel: the
 * local (object) BTF says what the program meant, the target (kernel) BTF says where it is on
 * this kernel. Candidates are target types of the same kind whose name equals the local name
 * without its {@code ___flavor} suffix; all candidates that match must agree.
 *
 * <p>A relocation with no matching candidate is poisoned: the instruction becomes
 * {@code call 0xbad2310}, which the verifier rejects only if it is reachable, as in libbpf.
 * Existence questions (field, type, enum value, type match) answer 0 instead.
 *
 * <p>One relocator caches candidate lookups; use it for all programs of one object.
 */
public final class CoreRelocator {
    /** libbpf's poison call: the verifier reports it as {@code invalid func unknown#195896080}. */
    public static final int POISON_IMM = 0xbad2310;

    private final Btf local;
    private final Btf target;
    private final Map<Integer, List<Integer>> candidates = new HashMap<>();

    public CoreRelocator(Btf local, Btf target) {
        this.local = local;
        this.target = target;
    }

    /** The outcome of one relocation. */
    public record Result(CoreRelo relo, boolean poisoned, long localValue, long newValue, String description, String reason,
                         boolean validate) {
        /** One line naming the relocation, in libbpf's words where it has them. */
        public String explain() {
            return "CO-RE relocation " + relo.kind().libbpfName() + " of " + description + " at insn " + relo.insn()
                    + (poisoned ? " failed: " + reason : " = " + newValue);
        }
    }

    /** A relocated program: its instructions and what each relocation resolved to. */
    public record Relocated(List<Insn> instructions, List<Result> results) {}

    /**
     * Relocates a program: each instruction a relocation names (by slot, as {@link CoreRelo#insn()}
     * counts) is replaced by {@link #patch}. The input list is not changed.
     *
     * @throws BpfFormatException when a relocation names no instruction, or its instruction does
     *     not hold the value the compiler should have put there
     */
    public Relocated relocate(List<Insn> insns, List<CoreRelo> relos) {
        List<Result> results = resolve(relos);
        Insn[] bySlot = new Insn[slots(insns)];
        int at = 0;
        for (Insn i : insns) {
            bySlot[at] = i;
            at += i.slots();
        }
        for (Result r : results) {
            int slot = r.relo().insn();
            if (slot < 0 || slot >= bySlot.length || bySlot[slot] == null)
                throw new BpfFormatException("CO-RE relocation at insn " + slot + " outside the program or inside an ld_imm64");
            at = slot;
            for (Insn i : patch(bySlot[slot], r)) {
                bySlot[at] = i;
                at += i.slots();
            }
        }
        List<Insn> out = new ArrayList<>(insns.size());
        for (Insn i : bySlot) if (i != null) out.add(i);
        return new Relocated(List.copyOf(out), results);
    }

    /** What each relocation resolves to against the target BTF, in order; no instruction is touched. */
    public List<Result> resolve(List<CoreRelo> relos) {
        List<Result> out = new ArrayList<>(relos.size());
        for (CoreRelo r : relos) out.add(calc(r));
        return out;
    }

    private static int slots(List<Insn> insns) {
        int n = 0;
        for (Insn i : insns) n += i.slots();
        return n;
    }

    /** A field access parsed from an access string against one BTF. */
    private record Spec(int rootId, int first, List<Acc> path, long bitOffset, String text) {}

    /** One step: into member {@code idx} (named, or null for anonymous) of {@code owner}, or element {@code idx} of an array. */
    private record Acc(int owner, int idx, String name, boolean array, int typeId) {}

    Result calc(CoreRelo r) {
        BtfType root = local.typeById(r.typeId());
        int[] raw = parseAccess(r.access());
        String desc = describeType(local, root) + " (" + Escape.text(r.access()) + ")";
        CoreRelo.Kind k = r.kind();
        if (k == CoreRelo.Kind.TYPE_ID_LOCAL) return new Result(r, false, r.typeId(), r.typeId(), desc, null, true);
        String name = essential(root.name());
        if (name.isEmpty()) throw new BpfFormatException("CO-RE relocation at insn " + r.insn() + ": local type [" + r.typeId() + "] is anonymous");
        if (k.fieldBased()) {
            Spec ls = fieldSpec(local, r.typeId(), raw);
            desc = ls.text + " (" + Escape.text(r.access()) + ")";
            long lv = fieldValue(local, ls, k);
            Long found = null;
            String why = "no " + describeKindName(root) + " with field " + pathText(ls) + " in kernel BTF";
            int lsz = -1, tsz = -1;
            boolean intLike = true;
            for (int cand : candidates(root)) {
                Spec ts = matchField(ls, cand);
                if (ts == null) continue;
                long v = fieldValue(target, ts, k);
                if (found != null && found != v)
                    throw new BpfFormatException("CO-RE relocation " + desc + ": kernel candidates disagree (" + found + " vs " + v + ")");
                found = v;
                if (k == CoreRelo.Kind.FIELD_BYTE_OFFSET && !ts.path.isEmpty()) {
                    lsz = fieldSize(local, ls);
                    tsz = fieldSize(target, ts);
                    intLike = intLike(target.resolve(lastType(ts)));
                }
            }
            // libbpf does not check the compiler's value for bitfields: both may pick other load sizes.
            boolean validate = !isBitfield(local, ls) || k == CoreRelo.Kind.FIELD_SIGNED || k == CoreRelo.Kind.FIELD_RSHIFT_U64;
            if (found == null) {
                if (k == CoreRelo.Kind.FIELD_EXISTS) return new Result(r, false, lv, 0, desc, null, true);
                return new Result(r, true, lv, 0, desc, why, validate);
            }
            return new Result(r, false, lv, found, desc, lsz == tsz || lsz < 0 ? null : (intLike ? "size:" + lsz + ":" + tsz : "badsize:" + lsz + ":" + tsz), validate);
        }
        if (k.typeBased()) {
            if (raw.length != 1 || raw[0] != 0) throw new BpfFormatException("CO-RE relocation " + desc + ": type access must be \"0\"");
            long lv = switch (k) {
                case TYPE_SIZE -> local.sizeOf(root);
                default -> k == CoreRelo.Kind.TYPE_ID_TARGET ? r.typeId() : 1;
            };
            Long found = null;
            for (int cand : candidates(root)) {
                boolean ok = k == CoreRelo.Kind.TYPE_MATCHES ? typesMatch(r.typeId(), cand, 0) : typesCompat(local, r.typeId(), cand, 0);
                if (!ok) continue;
                long v = switch (k) {
                    case TYPE_ID_TARGET -> cand;
                    case TYPE_SIZE -> target.sizeOf(cand);
                    default -> 1;
                };
                if (found != null && found != v && k != CoreRelo.Kind.TYPE_ID_TARGET)
                    throw new BpfFormatException("CO-RE relocation " + desc + ": kernel candidates disagree (" + found + " vs " + v + ")");
                if (found == null) found = v;
            }
            if (found == null) {
                if (k.existence()) return new Result(r, false, lv, 0, desc, null, true);
                return new Result(r, true, lv, 0, desc, "no compatible " + describeKindName(root) + " in kernel BTF", true);
            }
            return new Result(r, false, lv, found, desc, null, true);
        }
        // Enum values: the access is the enumerator's index in the local enum.
        if (!(local.resolve(root) instanceof Enumeration le) || raw.length != 1 || raw[0] < 0 || raw[0] >= le.values().size())
            throw new BpfFormatException("CO-RE relocation " + desc + ": bad enum value access");
        BtfType.EnumValue ev = le.values().get(raw[0]);
        desc = describeType(local, root) + "::" + Escape.text(ev.name()) + " (" + Escape.text(r.access()) + ")";
        long lv = k == CoreRelo.Kind.ENUMVAL_EXISTS ? 1 : ev.value();
        Long found = null;
        for (int cand : candidates(root)) {
            if (!(target.resolve(cand) instanceof Enumeration te)) continue;
            for (BtfType.EnumValue tv : te.values()) {
                if (!essential(tv.name()).equals(essential(ev.name()))) continue;
                long v = k == CoreRelo.Kind.ENUMVAL_EXISTS ? 1 : tv.value();
                if (found != null && found != v)
                    throw new BpfFormatException("CO-RE relocation " + desc + ": kernel candidates disagree (" + found + " vs " + v + ")");
                found = v;
            }
        }
        if (found == null) {
            if (k.existence()) return new Result(r, false, lv, 0, desc, null, true);
            return new Result(r, true, lv, 0, desc, "no enumerator " + Escape.text(ev.name()) + " in kernel BTF", true);
        }
        return new Result(r, false, lv, found, desc, null, true);
    }

    private static int[] parseAccess(String s) {
        String[] parts = s.split(":", -1);
        int[] out = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            throw new BpfFormatException("CO-RE relocation: bad access string \"" + Escape.text(s) + "\"");
        }
        if (parts.length > 64) throw new BpfFormatException("CO-RE relocation: access string too long");
        return out;
    }

    /** libbpf's essential name: without a {@code ___flavor} suffix. */
    public static String essential(String n) {
        int i = n.indexOf("___");
        return i > 0 ? n.substring(0, i) : n;
    }

    private List<Integer> candidates(BtfType localRoot) {
        return candidates.computeIfAbsent(localRoot.id(), id -> {
            BtfType lr = local.typeById(id);
            String n = essential(lr.name());
            List<Integer> out = new ArrayList<>();
            for (BtfType t : target.findAllByName(n)) {
                if (sameKind(lr, t)) out.add(t.id());
            }
            return out;
        });
    }

    private static boolean sameKind(BtfType a, BtfType b) {
        if (a instanceof Enumeration && b instanceof Enumeration) return true;
        return a.kind() == b.kind();
    }

    private Spec fieldSpec(Btf btf, int rootId, int[] raw) {
        List<Acc> path = new ArrayList<>();
        int cur = rootId;
        long bits = (long) raw[0] * btf.sizeOf(rootId) * 8;
        StringBuilder text = new StringBuilder(describeType(btf, btf.typeById(rootId)));
        if (raw[0] != 0) text.append('[').append(raw[0]).append(']');
        for (int i = 1; i < raw.length; i++) {
            BtfType t = btf.resolve(cur);
            int idx = raw[i];
            if (t instanceof Composite c) {
                if (idx < 0 || idx >= c.members().size())
                    throw new BpfFormatException("CO-RE access " + text + ": member " + idx + " out of range");
                Member m = c.members().get(idx);
                Btf.Field f = btf.member(c, m);
                bits += f.bitOffset();
                path.add(new Acc(t.id(), idx, m.name().isEmpty() ? null : m.name(), false, m.type()));
                if (!m.name().isEmpty()) text.append('.').append(Escape.text(m.name()));
                cur = m.type();
            } else if (t instanceof Array a) {
                bits += (long) idx * btf.sizeOf(a.elemType()) * 8;
                path.add(new Acc(t.id(), idx, null, true, a.elemType()));
                text.append('[').append(idx).append(']');
                cur = a.elemType();
            } else {
                throw new BpfFormatException("CO-RE access " + text + ": step " + i + " into " + t.kind().kernelName());
            }
        }
        return new Spec(rootId, raw[0], path, bits, text.toString());
    }

    /** Follows the local spec's named members and array indices in target candidate {@code root}. */
    private Spec matchField(Spec ls, int root) {
        List<Acc> path = new ArrayList<>();
        long bits = (long) ls.first * target.sizeOf(root) * 8;
        int cur = root;
        for (Acc la : ls.path) {
            BtfType t = target.resolve(cur);
            if (la.array) {
                if (!(t instanceof Array a)) return null;
                if (a.nelems() != 0 && Integer.toUnsignedLong(la.idx) >= Integer.toUnsignedLong(a.nelems())) return null;
                bits += (long) la.idx * target.sizeOf(a.elemType()) * 8;
                path.add(new Acc(t.id(), la.idx, null, true, a.elemType()));
                cur = a.elemType();
                continue;
            }
            if (!(t instanceof Composite c)) return null;
            BtfType lowner = local.resolve(la.owner);
            Member lm = ((Composite) lowner).members().get(la.idx);
            if (la.name == null) {
                // An anonymous member is matched through the named field below it, as libbpf does.
                continue;
            }
            long[] off = new long[1];
            List<Acc> steps = new ArrayList<>();
            if (!findMember(c, la.name, 0, off, steps, 0)) return null;
            Acc last = steps.getLast();
            if (!fieldsCompat(lm.type(), last.typeId, 0)) return null;
            bits += off[0];
            path.addAll(steps);
            cur = last.typeId;
        }
        return new Spec(root, ls.first, path, bits, "");
    }

    /** Finds a named member, descending into anonymous struct/union members (bpf_core_match_member). */
    private boolean findMember(Composite c, String name, long base, long[] off, List<Acc> steps, int depth) {
        if (depth > 32) return false;
        for (int i = 0; i < c.members().size(); i++) {
            Member m = c.members().get(i);
            Btf.Field f = target.member(c, m);
            if (m.name().equals(name)) {
                off[0] = base + f.bitOffset();
                steps.add(new Acc(c.id(), i, name, false, m.type()));
                return true;
            }
            if (m.name().isEmpty() && target.resolve(m.type()) instanceof Composite inner) {
                steps.add(new Acc(c.id(), i, null, false, m.type()));
                if (findMember(inner, name, base + f.bitOffset(), off, steps, depth + 1)) return true;
                steps.removeLast();
            }
        }
        return false;
    }

    /** bpf_core_fields_are_compat. */
    private boolean fieldsCompat(int localId, int targetId, int depth) {
        if (depth > 32) return false;
        BtfType l = local.resolve(localId), t = target.resolve(targetId);
        if (l instanceof Composite && t instanceof Composite) return true;
        if (l instanceof Enumeration && t instanceof Enumeration) return true;
        if (l.kind() != t.kind()) return false;
        return switch (l) {
            case BtfType.Ptr _, BtfType.Float _ -> true;
            case BtfType.Fwd f -> essential(f.name()).equals(essential(t.name()));
            case BtfType.Int li -> li.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
            case Array la -> fieldsCompat(la.elemType(), ((Array) t).elemType(), depth + 1);
            default -> false;
        };
    }

    /** bpf_core_types_are_compat: same shape, names only compared at the root (already matched). */
    private boolean typesCompat(Btf lb, int localId, int targetId, int depth) {
        if (depth > 32) return false;
        BtfType l = local.resolve(localId), t = target.resolve(targetId);
        if (l instanceof Enumeration && t instanceof Enumeration) return true;
        if (l.kind() != t.kind()) return false;
        return switch (l) {
            case Composite _, BtfType.Fwd _, BtfType.Float _, BtfType.Void _ -> true;
            case BtfType.Int li -> li.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
            case BtfType.Ptr lp -> typesCompat(lb, lp.type(), ((BtfType.Ptr) t).type(), depth + 1);
            case Array la -> typesCompat(lb, la.elemType(), ((Array) t).elemType(), depth + 1);
            case BtfType.FuncProto lf -> {
                BtfType.FuncProto tf = (BtfType.FuncProto) t;
                if (lf.params().size() != tf.params().size()) yield false;
                for (int i = 0; i < lf.params().size(); i++)
                    if (!typesCompat(lb, lf.params().get(i).type(), tf.params().get(i).type(), depth + 1)) yield false;
                yield typesCompat(lb, lf.returnType(), tf.returnType(), depth + 1);
            }
            default -> false;
        };
    }

    /** bpf_core_types_match (TYPE_MATCHES): names and member sets must correspond, recursively. */
    private boolean typesMatch(int localId, int targetId, int depth) {
        if (depth > 32) return false;
        BtfType l = local.resolve(localId), t = target.resolve(targetId);
        if (!l.name().isEmpty() && !essential(l.name()).equals(essential(t.name()))) return false;
        if (l instanceof Enumeration le && t instanceof Enumeration te) {
            for (BtfType.EnumValue v : le.values())
                if (te.values().stream().noneMatch(x -> essential(x.name()).equals(essential(v.name())))) return false;
            return true;
        }
        if (l.kind() != t.kind()) return l instanceof BtfType.Fwd || t instanceof BtfType.Fwd;
        return switch (l) {
            case Composite lc -> {
                Composite tc = (Composite) t;
                for (Member m : lc.members()) {
                    Member tm = tc.members().stream().filter(x -> x.name().equals(m.name())).findFirst().orElse(null);
                    if (tm == null || !typesMatch(m.type(), tm.type(), depth + 1)) yield false;
                }
                yield true;
            }
            case BtfType.Int li -> li.size() == ((BtfType.Int) t).size() && li.signed() == ((BtfType.Int) t).signed();
            case BtfType.Ptr lp -> typesMatch(lp.type(), ((BtfType.Ptr) t).type(), depth + 1);
            case Array la -> la.nelems() == ((Array) t).nelems() && typesMatch(la.elemType(), ((Array) t).elemType(), depth + 1);
            default -> true;
        };
    }

    private static int lastType(Spec s) {
        return s.path.isEmpty() ? s.rootId : s.path.getLast().typeId;
    }

    private static boolean intLike(BtfType t) {
        return t instanceof BtfType.Int || t instanceof Enumeration || t instanceof BtfType.Ptr;
    }

    private static int fieldSize(Btf btf, Spec s) {
        return (int) btf.sizeOf(lastType(s));
    }

    /** bpf_core_calc_field_relo for a matched spec. */
    private static long fieldValue(Btf btf, Spec s, CoreRelo.Kind k) {
        if (k == CoreRelo.Kind.FIELD_EXISTS) return 1;
        Acc acc = s.path.isEmpty() ? null : s.path.getLast();
        if (acc == null || acc.array || acc.name == null) {
            long sz = btf.sizeOf(lastType(s));
            return switch (k) {
                case FIELD_BYTE_OFFSET -> s.bitOffset / 8;
                case FIELD_BYTE_SIZE -> sz;
                case FIELD_SIGNED -> signed(btf.resolve(lastType(s))) ? 1 : 0;
                case FIELD_LSHIFT_U64 -> 64 - ((s.bitOffset - s.bitOffset / 8 * 8) + sz * 8);
                case FIELD_RSHIFT_U64 -> 64 - sz * 8;
                default -> throw new IllegalStateException();
            };
        }
        Composite owner = (Composite) btf.resolve(acc.owner);
        Btf.Field f = btf.member(owner, owner.members().get(acc.idx));
        BtfType mt = btf.resolve(f.type());
        long bitOff = s.bitOffset, bitSz = f.bitfieldSize(), byteSz, byteOff;
        if (bitSz > 0) {
            byteSz = btf.sizeOf(mt);
            if (byteSz <= 0) throw new BpfFormatException("CO-RE: bitfield " + Escape.text(acc.name) + " has a type of size " + byteSz);
            byteOff = bitOff / 8 / byteSz * byteSz;
            while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
                if (byteSz >= 8) throw new BpfFormatException("CO-RE: bitfield " + Escape.text(acc.name) + " cannot be read with a 64-bit load");
                byteSz *= 2;
                byteOff = bitOff / 8 / byteSz * byteSz;
            }
        } else {
            byteSz = btf.sizeOf(f.type());
            byteOff = bitOff / 8;
            bitSz = byteSz * 8;
        }
        return switch (k) {
            case FIELD_BYTE_OFFSET -> byteOff;
            case FIELD_BYTE_SIZE -> byteSz;
            case FIELD_SIGNED -> signed(mt) ? 1 : 0;
            case FIELD_LSHIFT_U64 -> 64 - (bitOff + bitSz - byteOff * 8);
            case FIELD_RSHIFT_U64 -> 64 - bitSz;
            default -> throw new IllegalStateException();
        };
    }

    private static boolean signed(BtfType t) {
        return (t instanceof BtfType.Int i && i.signed()) || (t instanceof Enumeration e && e.signed());
    }

    private static String pathText(Spec s) {
        int dot = s.text.indexOf('.');
        return dot < 0 ? s.text : s.text.substring(dot + 1);
    }

    private static String describeKindName(BtfType t) {
        return t.kind().kernelName().toLowerCase(java.util.Locale.ROOT) + " " + Escape.text(essential(t.name()));
    }

    private static String describeType(Btf btf, BtfType t) {
        return "[" + t.id() + "] " + t.kind().kernelName().toLowerCase(java.util.Locale.ROOT) + " " + Escape.text(t.name());
    }

    /**
     * The instructions that replace {@code insn} for a resolved relocation, as libbpf's
     * {@code bpf_core_patch_insn}: the new immediate of an ALU op or {@code ld_imm64}, the new
     * offset (and, for a load, size) of a memory access; for a poisoned relocation, calls of
     * {@link #POISON_IMM}, one per slot of {@code insn} so that no jump moves.
     *
     * @throws BpfFormatException when the instruction cannot take the value, or (for a
     *     relocation that validates) does not hold what the compiler should have put there
     */
    public static List<Insn> patch(Insn insn, Result res) {
        if (res.poisoned) {
            Insn.Call poison = new Insn.Call(CallKind.HELPER, POISON_IMM, 0);
            return insn.slots() == 2 ? List.of(poison, poison) : List.of(poison);
        }
        long orig = res.localValue, v = res.newValue;
        return switch (insn) {
            case Insn.AluImm a -> {
                if (res.validate && a.imm() != (int) orig) throw bad(res, "instruction has imm " + a.imm() + ", expected " + orig);
                yield List.of(new Insn.AluImm(a.alu64(), a.op(), a.dst(), (int) v));
            }
            case Insn.AluReg a -> throw bad(res, "ALU instruction with a register source");
            case Insn.LdImm64 ld -> {
                if (res.validate && ld.imm() != orig) throw bad(res, "instruction has imm " + ld.imm() + ", expected " + orig);
                yield List.of(new Insn.LdImm64(ld.dst(), ld.pseudo(), v));
            }
            case Insn.Load l -> List.of(new Insn.Load(newSize(res, l.size()), l.dst(), l.src(), newOff(res, l.off())));
            case Insn.LoadSx l -> {
                Size size = newSize(res, l.size());
                if (size == Size.DW) throw bad(res, "a sign-extending load cannot become 8 bytes wide");
                yield List.of(new Insn.LoadSx(size, l.dst(), l.src(), newOff(res, l.off())));
            }
            case Insn.Store st -> List.of(new Insn.Store(st.size(), st.dst(), newOff(res, st.off()), st.src()));
            case Insn.StoreImm st -> List.of(new Insn.StoreImm(st.size(), st.dst(), newOff(res, st.off()), st.imm()));
            case Insn.Atomic at -> List.of(new Insn.Atomic(at.size(), at.op(), at.dst(), newOff(res, at.off()), at.src()));
            default -> throw bad(res, "cannot patch " + insn + " (opcode 0x" + Integer.toHexString(insn.opcode()) + ")");
        };
    }

    /** A memory access's new offset, the old one checked against the local value. */
    private static int newOff(Result res, int off) {
        if (res.validate && off != res.localValue) throw bad(res, "instruction has offset " + off + ", expected " + res.localValue);
        if (res.newValue > Short.MAX_VALUE) throw bad(res, "offset " + res.newValue + " does not fit an instruction");
        if (res.reason != null && res.reason.startsWith("badsize:"))
            throw bad(res, "field size changed (" + res.reason.substring(8).replace(':', '→') + ") and it is not an integer");
        return (int) res.newValue;
    }

    /** A load's size: the target field's when it differs from the local one. */
    private static Size newSize(Result res, Size size) {
        if (res.reason == null || !res.reason.startsWith("size:")) return size;
        int newSz = Integer.parseInt(res.reason.split(":")[2]);
        return switch (newSz) {
            case 1 -> Size.B;
            case 2 -> Size.H;
            case 4 -> Size.W;
            case 8 -> Size.DW;
            default -> throw bad(res, "field size " + newSz + " cannot be loaded");
        };
    }

    private static boolean isBitfield(Btf btf, Spec s) {
        if (s.path.isEmpty()) return false;
        Acc a = s.path.getLast();
        if (a.array || a.name == null) return false;
        Composite owner = (Composite) btf.resolve(a.owner);
        return btf.member(owner, owner.members().get(a.idx)).isBitfield();
    }

    private static BpfFormatException bad(Result r, String why) {
        return new BpfFormatException(r.explain() + ": " + why);
    }
}
