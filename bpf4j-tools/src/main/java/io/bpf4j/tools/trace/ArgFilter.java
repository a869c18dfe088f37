package io.bpf4j.tools.trace;

import io.bpf4j.BpfException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --filter-arg}: a condition on an entry function's arguments, evaluated by the BPF side
 * at the function's entry, so a session it refuses never starts and costs user space nothing.
 *
 * <pre>
 * expr  := and ('||' and)*
 * and   := unary ('&amp;&amp;' unary)*
 * unary := '!' unary | '(' expr ')' | cmp
 * cmp   := path [('==' | '!=' | '&lt;' | '&gt;' | '&lt;=' | '&gt;=' | '&amp;') constant]     (a path alone: != 0)
 * path  := ARG (('-&gt;' | '.') FIELD)*
 * constant := integer | -integer | 0x.. | enumerator | NULL | true | false | 'c'
 * </pre>
 *
 * Paths are resolved against each entry function's BTF: {@code ->} reads through a pointer,
 * {@code .} selects a member of a struct held by value. At most {@value #MAX_ATOMS} comparisons,
 * {@value #MAX_STEPS} pointer reads per path; the boolean structure becomes a truth table over
 * the comparisons, so the BPF side needs no interpreter. A comparison whose memory cannot be read
 * is false.
 */
public final class ArgFilter {
    static final int MAX_ATOMS = 8, MAX_STEPS = 4;
    static final int OP_EQ = 0, OP_NE = 1, OP_LT = 2, OP_GT = 3, OP_LE = 4, OP_GE = 5, OP_AND = 6;
    /** sizeof(struct filter) in trace.bpf.c. */
    static final int SIZE = 40 + MAX_ATOMS * 32;

    /** A parsed expression: a tree of and/or/not over comparisons. */
    sealed interface Node permits Cmp, And, Or, Not {}

    /** {@code path op constant}; constant kept as text until the path's type is known (enumerators). */
    record Cmp(List<String> path, List<Boolean> deref, int op, String constant) implements Node {}

    record And(Node a, Node b) implements Node {}

    record Or(Node a, Node b) implements Node {}

    record Not(Node a) implements Node {}

    private final String text;
    private final Node root;
    private final List<Cmp> atoms = new ArrayList<>();

    private ArgFilter(String text, Node root) {
        this.text = text;
        this.root = root;
        collect(root);
        if (atoms.size() > MAX_ATOMS) throw new BpfException("--filter-arg '" + text + "': " + atoms.size() + " comparisons, at most " + MAX_ATOMS);
    }

    private void collect(Node n) {
        switch (n) {
            case Cmp c -> atoms.add(c);
            case And a -> { collect(a.a()); collect(a.b()); }
            case Or o -> { collect(o.a()); collect(o.b()); }
            case Not x -> collect(x.a());
        }
    }

    public String text() {
        return text;
    }

    /** The argument names the expression uses. */
    public List<String> arguments() {
        return atoms.stream().map(c -> c.path().getFirst()).distinct().toList();
    }

    public static ArgFilter parse(String text) {
        Parser p = new Parser(text);
        Node n = p.or();
        p.skip();
        if (p.pos < text.length()) throw p.error("unexpected '" + text.substring(p.pos) + "'");
        return new ArgFilter(text, n);
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        BpfException error(String what) {
            return new BpfException("--filter-arg '" + s + "': " + what);
        }

        void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        boolean eat(String t) {
            skip();
            if (s.startsWith(t, pos)) {
                pos += t.length();
                return true;
            }
            return false;
        }

        Node or() {
            Node n = and();
            while (eat("||")) n = new Or(n, and());
            return n;
        }

        Node and() {
            Node n = unary();
            while (eat("&&")) n = new And(n, unary());
            return n;
        }

        Node unary() {
            skip();
            if (s.startsWith("!=", pos)) throw error("'!=' needs a path before it");
            if (eat("!")) return new Not(unary());
            if (eat("(")) {
                Node n = or();
                if (!eat(")")) throw error("missing ')'");
                return n;
            }
            return cmp();
        }

        String ident() {
            skip();
            int st = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
            if (st == pos) throw error(pos < s.length() ? "expected a name at '" + s.substring(pos) + "'" : "expected a name at the end");
            return s.substring(st, pos);
        }

        Node cmp() {
            List<String> path = new ArrayList<>();
            List<Boolean> deref = new ArrayList<>();
            path.add(ident());
            if (Character.isDigit(path.getFirst().charAt(0))) throw error("'" + path.getFirst() + "' is not an argument name");
            while (true) {
                if (eat("->")) deref.add(true);
                else if (peekDot()) deref.add(false);
                else break;
                path.add(ident());
            }
            int op;
            if (eat("==")) op = OP_EQ;
            else if (eat("!=")) op = OP_NE;
            else if (eat("<=")) op = OP_LE;
            else if (eat(">=")) op = OP_GE;
            else if (eat("<")) op = OP_LT;
            else if (eat(">")) op = OP_GT;
            else if (peekBitAnd()) op = OP_AND;
            else return new Cmp(path, deref, OP_NE, "0");
            return new Cmp(path, deref, op, constant());
        }

        boolean peekDot() {
            skip();
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                return true;
            }
            return false;
        }

        boolean peekBitAnd() {
            skip();
            if (pos < s.length() && s.charAt(pos) == '&' && !s.startsWith("&&", pos)) {
                pos++;
                return true;
            }
            return false;
        }

        String constant() {
            skip();
            int st = pos;
            if (pos < s.length() && s.charAt(pos) == '\'') {
                int close = s.indexOf('\'', pos + 1);
                if (close != pos + 2) throw error("a character constant is one character in quotes");
                pos = close + 1;
                return s.substring(st, pos);
            }
            if (pos < s.length() && s.charAt(pos) == '-') pos++;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
            if (st == pos) throw error("expected a constant at " + (pos < s.length() ? "'" + s.substring(pos) + "'" : "the end"));
            return s.substring(st, pos);
        }
    }

    /**
     * trace.bpf.c's {@code struct filter} for a function with this argument layout.
     *
     * @throws BpfException naming the function and the part of the path it does not have
     */
    public byte[] compile(String function, ArgLayout args) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, atoms.size());
        Btf btf = args.btf();
        for (int i = 0; i < atoms.size(); i++) {
            Cmp c = atoms.get(i);
            String arg = c.path().getFirst();
            ArgLayout.Param p = args.param(arg).orElseThrow(() -> new BpfException("--filter-arg '" + text + "': " + function
                    + " has no argument '" + arg + "' (it has " + String.join(", ", args.names()) + ")"));
            if (p.slots() != 1) throw new BpfException("--filter-arg '" + text + "': argument '" + arg + "' of " + function + " is not in a register");
            int type = p.typeId();
            List<Integer> offs = new ArrayList<>();
            int pending = 0; // offset inside the value held at this step (struct members by '.')
            boolean inMemory = false;
            StringBuilder at = new StringBuilder(arg);
            for (int k = 1; k < c.path().size(); k++) {
                String field = c.path().get(k);
                BtfType t = btf.resolve(type);
                if (c.deref().get(k - 1)) {
                    if (!(t instanceof BtfType.Ptr ptr)) throw new BpfException("--filter-arg '" + text + "': " + at + " is not a pointer in " + function);
                    if (inMemory) {
                        offs.add(pending); // read the pointer held at this offset
                        pending = 0;
                    }
                    inMemory = true;
                    type = ptr.type();
                    t = btf.resolve(type);
                    at.append("->");
                } else {
                    if (!inMemory) throw new BpfException("--filter-arg '" + text + "': " + at + " is a register, use -> to follow a pointer");
                    at.append('.');
                }
                if (!(t instanceof BtfType.Composite comp)) throw new BpfException("--filter-arg '" + text + "': " + at + field + ": not a struct or union member in " + function);
                var f = btf.memberByPath(comp, field);
                if (f.isEmpty()) throw new BpfException("--filter-arg '" + text + "': " + function + ": " + at.substring(0, at.length() - (c.deref().get(k - 1) ? 2 : 1)) + " has no member '" + field + "'");
                if (f.get().isBitfield()) throw new BpfException("--filter-arg '" + text + "': " + at + field + " is a bitfield, which filters cannot read");
                pending += (int) f.get().byteOffset();
                type = f.get().type();
                at.append(field);
            }
            if (inMemory) offs.add(pending);
            if (offs.size() > MAX_STEPS) throw new BpfException("--filter-arg '" + text + "': " + at + " reads through more than " + MAX_STEPS + " pointers");
            BtfType t = btf.resolve(type);
            int size;
            boolean signed;
            switch (t) {
                case BtfType.Int x -> { size = x.size(); signed = x.signed(); }
                case BtfType.Enum e -> { size = e.size(); signed = e.signed(); }
                case BtfType.Enum64 e -> { size = e.size(); signed = e.signed(); }
                case BtfType.Ptr x -> { size = 8; signed = false; }
                default -> throw new BpfException("--filter-arg '" + text + "': " + at + " is a " + t.kind().kernelName().toLowerCase() + ", compare a member of it");
            }
            if (size != 1 && size != 2 && size != 4 && size != 8) throw new BpfException("--filter-arg '" + text + "': " + at + " has " + size + " bytes");
            long operand = constant(c.constant(), t, at.toString());
            int o = 40 + 32 * i;
            b.put(o, (byte) p.slot());
            b.put(o + 1, (byte) offs.size());
            b.put(o + 2, (byte) size);
            b.put(o + 3, (byte) c.op());
            b.put(o + 4, (byte) (signed ? 1 : 0));
            for (int k = 0; k < offs.size(); k++) b.putInt(o + 8 + 4 * k, offs.get(k));
            b.putLong(o + 24, operand);
        }
        long[] table = truthTable();
        for (int w = 0; w < 4; w++) b.putLong(8 + 8 * w, table[w]);
        return b.array();
    }

    private long constant(String c, BtfType t, String at) {
        if (c.equals("NULL") || c.equals("false")) return 0;
        if (c.equals("true")) return 1;
        if (c.startsWith("'")) return c.charAt(1);
        try {
            if (c.startsWith("0x") || c.startsWith("0X")) return Long.parseUnsignedLong(c.substring(2), 16);
            if (c.startsWith("-0x")) return -Long.parseUnsignedLong(c.substring(3), 16);
            return Long.parseLong(c);
        } catch (NumberFormatException e) {
            // an enumerator
        }
        if (t instanceof BtfType.Enumeration en) {
            List<BtfType.EnumValue> vs = en instanceof BtfType.Enum x ? x.values() : ((BtfType.Enum64) en).values();
            for (BtfType.EnumValue v : vs) if (v.name().equals(c)) return v.value();
            throw new BpfException("--filter-arg '" + text + "': " + c + " is not a value of " + at + " (enum " + en.name() + ")");
        }
        throw new BpfException("--filter-arg '" + text + "': '" + c + "' is not a number, and " + at + " is not an enum");
    }

    /** Bit {@code m} of the table: the expression's value when comparison i holds iff bit i of m is set. */
    long[] truthTable() {
        long[] t = new long[4];
        for (int m = 0; m < 1 << MAX_ATOMS; m++) {
            int[] next = {0};
            if (eval(root, m, next)) t[m >>> 6] |= 1L << (m & 63);
        }
        return t;
    }

    private static boolean eval(Node n, int m, int[] next) {
        return switch (n) {
            case Cmp c -> (m >>> next[0]++ & 1) != 0;
            case And a -> { boolean x = eval(a.a(), m, next), y = eval(a.b(), m, next); yield x && y; }
            case Or o -> { boolean x = eval(o.a(), m, next), y = eval(o.b(), m, next); yield x || y; }
            case Not x -> !eval(x.a(), m, next);
        };
    }
}
