package io.bpf4j.loader;

import io.bpf4j.BpfException;
import io.bpf4j.BpfFormatException;
import io.bpf4j.MapSpec;
import io.bpf4j.ProgramSpec;
import io.bpf4j.btf.Btf;
import io.bpf4j.elf.ElfFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A clang-built BPF object ({@code .bpf.o}) read into specs, with no kernel involved: its
 * programs ({@link ProgramSpec}, subprograms linked in), maps ({@link MapSpec}: BTF-defined and
 * global data), global variables, BTF, license and kernel version. Change a program or map with
 * {@link #updateProgram}/{@link #updateMap}, or set variables, then {@link BpfObject#load} it.
 *
 * <pre>{@code
 * ObjectSpec spec = ObjectSpec.read(Path.of("probe.bpf.o"));
 * spec.setVariable("target_pid", 1234);                          // a const volatile in .rodata
 * spec.updateMap("events", m -> m.withMaxEntries(1 << 20));
 * try (BpfObject obj = BpfObject.load(spec, LoadOptions.defaults())) {
 *     obj.attach("handle_exec");
 *     obj.map("counts").lookup(key);
 * }
 * }</pre>
 *
 * <p>Malformed objects fail with a {@link BpfFormatException} naming the section or symbol.
 * An ObjectSpec is not thread-safe; the specs it hands out are immutable.
 */
public final class ObjectSpec {
    private final String name;
    private final String license;
    private final int kernelVersion;
    private final Btf btf;
    private final byte[] btfBytes;
    private final Map<String, MapSpec> maps;
    private final Map<String, ProgramSpec> programs;
    private final Map<String, Variable> variables;

    ObjectSpec(String name, String license, int kernelVersion, Btf btf, byte[] btfBytes, Map<String, MapSpec> maps,
               Map<String, ProgramSpec> programs, Map<String, Variable> variables) {
        this.name = name;
        this.license = license;
        this.kernelVersion = kernelVersion;
        this.btf = btf;
        this.btfBytes = btfBytes;
        this.maps = maps;
        this.programs = programs;
        this.variables = variables;
    }

    /** Reads an object file. */
    public static ObjectSpec read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BpfException("read " + file + ": no such file");
        } catch (IOException e) {
            throw new BpfException("read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(b, objectName(file.getFileName().toString()));
        } catch (BpfFormatException e) {
            throw new BpfFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an object from this module's resources or, on the class path, from anywhere on it,
     * e.g. {@code "/io/bpf4j/loader/maps.bpf.o"}. Another module's objects are read with
     * {@link #read(InputStream, String)} on a stream that module opened itself.
     */
    public static ObjectSpec resource(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        try (InputStream in = ObjectSpec.class.getResourceAsStream(p)) {
            return read(in, p);
        } catch (IOException e) {
            throw new BpfException("read classpath resource " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an object from a stream; {@code path} names it in errors and gives the object's name
     * (its file name up to the first '.'). A {@code null} stream is a resource that was not found.
     */
    public static ObjectSpec read(InputStream in, String path) {
        if (in == null) throw new BpfException("read classpath resource " + path + ": not found");
        try {
            byte[] b = in.readAllBytes();
            try {
                return parse(b, objectName(path.substring(path.lastIndexOf('/') + 1)));
            } catch (BpfFormatException e) {
                throw new BpfFormatException(path + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new BpfException("read classpath resource " + path + ": " + e.getMessage(), e);
        }
    }

    /** libbpf's object name: the file name up to its first '.'. */
    static String objectName(String file) {
        int dot = file.indexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /** Parses object bytes; {@code name} prefixes the kernel names of global data maps. */
    public static ObjectSpec parse(byte[] data, String name) {
        try {
            return new ObjectParser(ElfFile.parse(data), name).parse();
        } catch (BpfException e) {
            throw e;
        } catch (RuntimeException e) {
            // A safety net: every check we know of throws BpfFormatException itself (the fuzz test
            // fails when this fires), but a user must never see an index or cast exception.
            throw new BpfFormatException("malformed object: " + e, e);
        }
    }

    public String name() {
        return name;
    }

    /** The {@code license} section, e.g. {@code "GPL"}; "" when the object has none. */
    public String license() {
        return license;
    }

    /** The {@code version} section (LINUX_VERSION_CODE), 0 when absent. */
    public int kernelVersion() {
        return kernelVersion;
    }

    /** The object's BTF with DATASEC sizes and offsets filled in, or null when it has none. */
    public Btf btf() {
        return btf;
    }

    byte[] btfBytes() {
        return btfBytes;
    }

    /** The programs, in the order of their sections and offsets in the file. */
    public Collection<ProgramSpec> programs() {
        return Collections.unmodifiableCollection(programs.values());
    }

    /** The maps: global data sections in section order, then {@code .maps} in declaration order. */
    public Collection<MapSpec> maps() {
        return Collections.unmodifiableCollection(maps.values());
    }

    /** The maps by the names the object's instructions and slots use. */
    java.util.Set<Map.Entry<String, MapSpec>> mapEntries() {
        return Collections.unmodifiableMap(maps).entrySet();
    }

    public Collection<Variable> variables() {
        return Collections.unmodifiableCollection(variables.values());
    }

    /** A program by function name. */
    public ProgramSpec program(String n) {
        ProgramSpec p = programs.get(n);
        if (p == null) throw new BpfException("object " + name + ": no program " + n + " (has " + programs.keySet() + ")");
        return p;
    }

    /** A map by name (a {@code .maps} variable, or a global data section such as {@code ".rodata"}). */
    public MapSpec map(String n) {
        MapSpec m = maps.get(n);
        if (m == null) throw new BpfException("object " + name + ": no map " + n + " (has " + maps.keySet() + ")");
        return m;
    }

    /**
     * Replaces program {@code n} by {@code change} applied to it, e.g.
     * {@code updateProgram("probe", p -> p.withAutoload(false))}. The name stays the key.
     */
    public ObjectSpec updateProgram(String n, UnaryOperator<ProgramSpec> change) {
        ProgramSpec p = change.apply(program(n));
        if (p == null) throw new BpfException("object " + name + ": program " + n + " changed into null");
        programs.put(n, p);
        return this;
    }

    /** Applies {@code change} to every program, e.g. to turn autoload off for all of them. */
    public ObjectSpec updatePrograms(UnaryOperator<ProgramSpec> change) {
        for (String n : programs.keySet()) updateProgram(n, change);
        return this;
    }

    /**
     * Replaces map {@code n} by {@code change} applied to it, e.g.
     * {@code updateMap("events", m -> m.withMaxEntries(1 << 20))}. The name stays the key.
     */
    public ObjectSpec updateMap(String n, UnaryOperator<MapSpec> change) {
        MapSpec m = change.apply(map(n));
        if (m == null) throw new BpfException("object " + name + ": map " + n + " changed into null");
        maps.put(n, m);
        return this;
    }

    public Optional<Variable> findVariable(String n) {
        return Optional.ofNullable(variables.get(n));
    }

    public Variable variable(String n) {
        Variable v = variables.get(n);
        if (v == null) throw new BpfException("object " + name + ": no global variable " + n + " (has " + variables.keySet() + ")");
        return v;
    }

    /** Sets a global variable's initial value; {@code bytes} must be exactly its size. */
    public ObjectSpec setVariable(String n, byte[] bytes) {
        Variable v = variable(n);
        if (bytes.length != v.size())
            throw new BpfException("variable " + n + " is " + v.size() + " bytes, got " + bytes.length);
        MapSpec m = map(v.map());
        byte[] data = m.contentsBytes();
        if (data == null || v.offset() < 0 || v.offset() > data.length - bytes.length)
            throw new BpfException("variable " + n + " lies outside map " + m.name());
        System.arraycopy(bytes, 0, data, v.offset(), bytes.length);
        maps.put(v.map(), m.withContents(data));
        return this;
    }

    /** Sets a 1, 2, 4 or 8 byte integer variable, little endian. */
    public ObjectSpec setVariable(String n, long value) {
        Variable v = variable(n);
        if (v.size() != 1 && v.size() != 2 && v.size() != 4 && v.size() != 8)
            throw new BpfException("variable " + n + " is " + v.size() + " bytes, not an integer");
        byte[] out = new byte[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = (byte) (value >>> (8 * i));
        return setVariable(n, out);
    }

    /** A copy whose program and map settings change independently of this one's. */
    public ObjectSpec copy() {
        return new ObjectSpec(name, license, kernelVersion, btf, btfBytes, new LinkedHashMap<>(maps), new LinkedHashMap<>(programs),
                variables);
    }

    @Override
    public String toString() {
        return "ObjectSpec[" + name + " programs " + programs.keySet() + " maps " + maps.keySet() + "]";
    }
}
