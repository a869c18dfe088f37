package io.bpf4j.lab;

import io.bpf4j.BpfException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The kernel cache ({@code $BPF4J_CACHE/kernels}, default {@code ~/.cache/bpf4j/kernels}): one
 * directory per kernel release, plus {@code aliases.properties} mapping the specs a user wrote
 * ({@code 6.1}, {@code latest}) to the release they resolved to, so a second run needs no
 * network. The .debs are deleted after extraction; their sha256 stays in the metadata.
 */
public final class KernelStore {

    /** Modules the guest needs: virtio PCI transport, 9p over virtio, and overlayfs for /root. */
    public static final List<String> GUEST_MODULES = List.of("virtio_pci", "9pnet_virtio", "9p", "overlay");

    private final Path root;
    private final Path kernels;

    public KernelStore(Path cacheRoot) {
        this.root = cacheRoot;
        this.kernels = cacheRoot.resolve("kernels");
    }

    /** {@code $BPF4J_CACHE}, else {@code $XDG_CACHE_HOME/bpf4j}, else {@code ~/.cache/bpf4j}. */
    public static Path defaultCacheRoot() {
        String c = System.getenv("BPF4J_CACHE");
        if (c != null && !c.isBlank()) return Path.of(c).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "bpf4j").toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".cache", "bpf4j");
    }

    public Path root() {
        return root;
    }

    public Path kernelsDir() {
        return kernels;
    }

    public Optional<CachedKernel> get(String dirName) {
        Path d = kernels.resolve(dirName);
        return Files.isRegularFile(d.resolve(CachedKernel.PROPS)) ? Optional.of(CachedKernel.load(d)) : Optional.empty();
    }

    /** The cached kernel a spec resolved to last time, if it is still in the cache. */
    public Optional<CachedKernel> byAlias(String spec) {
        String rel = aliases().getProperty(spec);
        return rel == null ? Optional.empty() : get(rel);
    }

    public Properties aliases() {
        Properties p = new Properties();
        Path f = kernels.resolve("aliases.properties");
        if (Files.isRegularFile(f)) {
            try (Reader r = Files.newBufferedReader(f)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    public void setAlias(String spec, String dirName) {
        withLock(() -> {
            Properties p = aliases();
            p.setProperty(spec, dirName);
            Path f = kernels.resolve("aliases.properties");
            Path tmp = kernels.resolve("aliases.properties.tmp");
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "kernel spec -> cached kernel directory (bpf4j vm)");
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        });
    }

    public List<CachedKernel> list() {
        if (!Files.isDirectory(kernels)) return List.of();
        try (Stream<Path> s = Files.list(kernels)) {
            return s.filter(d -> Files.isRegularFile(d.resolve(CachedKernel.PROPS)))
                    .map(CachedKernel::load)
                    .sorted(Comparator.comparing(k -> DebianVersion.parse(k.version().equals("local") ? "0" : k.version())))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Downloads, verifies and unpacks a Debian kernel into the cache, unless it is there already. */
    public CachedKernel install(KernelResolver.Resolved r, AptArchive apt, PrintStream log) {
        Optional<CachedKernel> have = get(r.release());
        if (have.isPresent() && have.get().version().equals(r.version())) return have.get();
        return withLock(() -> {
            Optional<CachedKernel> again = get(r.release());
            if (again.isPresent() && again.get().version().equals(r.version())) return again.get();
            Path work = Files.createTempDirectory(ensure(kernels), ".install-");
            try (var cleanup = Temp.register(work)) {
                long t0 = System.nanoTime();
                Properties p = new Properties();
                p.setProperty("source", "debian");
                p.setProperty("suite", r.suite());
                p.setProperty("version", r.version());
                p.setProperty("package", r.imagePackage());
                Path dl = Files.createDirectories(work.resolve("debs"));
                Path tree = Files.createDirectories(work.resolve("tree"));
                List<String> pkgs = new ArrayList<>();
                List<Path> debs = apt.download(r.debs(), dl);
                for (int i = 0; i < debs.size(); i++) {
                    PackageIndex.Entry e = r.debs().get(i);
                    Path deb = debs.get(i);
                    String sha = sha256(deb);
                    if (!e.sha256().isEmpty() && !e.sha256().equalsIgnoreCase(sha)) {
                        throw new BpfException("verify " + deb.getFileName(), 0, "sha256 " + sha + " but the signed index says " + e.sha256());
                    }
                    pkgs.add(e.name());
                    p.setProperty("sha256." + e.name(), sha);
                    p.setProperty("version." + e.name(), e.version());
                    Exec.run(List.of("dpkg-deb", "-x", deb.toString(), tree.toString()), null, log);
                    Files.delete(deb);
                }
                p.setProperty("packages", String.join(",", pkgs));
                Path modDir = findModulesDir(tree, r.release());
                Path vmlinuz = Stream.of(tree.resolve("boot/vmlinuz-" + r.release()), modDir == null ? null : modDir.resolve("vmlinuz"))
                        .filter(x -> x != null && Files.isRegularFile(x)).findFirst()
                        .orElseThrow(() -> new BpfException("install " + r.imagePackage(), 0, "no vmlinuz in the packages"));
                CachedKernel k = finish(r.release(), vmlinuz, modDir, p, log);
                log.printf("bpf4j vm: cached %s %s in %.1f s%n", r.release(), r.version(), (System.nanoTime() - t0) / 1e9);
                return k;
            }
        });
    }

    /** The file the kernel's DWARF vmlinux is cached in, next to its vmlinuz. */
    public static final String DEBUG_VMLINUX = "vmlinux-dbg";

    /** The kernel's DWARF vmlinux, if {@link #installDebugVmlinux} has cached it. */
    public Optional<Path> debugVmlinux(CachedKernel k) {
        Path f = k.dir().resolve(DEBUG_VMLINUX);
        return Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
    }

    /**
     * Caches the DWARF vmlinux of a Debian kernel from its {@code linux-image-RELEASE-dbg} package
     * (the exact version the kernel came from; 0.8-1.2 GB): downloads it, checks its sha256
     * against the signed index, copies only the vmlinux out (see {@link DebugVmlinux}) and
     * deletes the .deb. Returns the cached file at once when it is there already.
     */
    public Path installDebugVmlinux(CachedKernel k, PackageIndex.Entry pkg, AptArchive apt, PrintStream log) {
        Optional<Path> have = debugVmlinux(k);
        if (have.isPresent()) return have.get();
        return withLock(() -> {
            Optional<Path> again = debugVmlinux(k);
            if (again.isPresent()) return again.get();
            Path work = Files.createTempDirectory(k.dir(), ".dbg-");
            try (var cleanup = Temp.register(work)) {
                long t0 = System.nanoTime();
                Path deb = apt.download(List.of(pkg), Files.createDirectories(work.resolve("debs"))).getFirst();
                long t1 = System.nanoTime();
                String sha = sha256(deb);
                if (!pkg.sha256().isEmpty() && !pkg.sha256().equalsIgnoreCase(sha)) {
                    throw new BpfException("verify " + deb.getFileName(), 0, "sha256 " + sha + " but the signed index says " + pkg.sha256());
                }
                Path part = work.resolve(DEBUG_VMLINUX);
                DebugVmlinux.Found found = DebugVmlinux.extract(deb, k.release(), part);
                Files.delete(deb);
                long t2 = System.nanoTime();
                Properties p = new Properties();
                p.setProperty("package", pkg.name());
                p.setProperty("version", pkg.version());
                p.setProperty("sha256", sha);
                p.setProperty("path", found.path());
                p.setProperty("size", Long.toString(found.size()));
                p.setProperty("download.seconds", String.format(java.util.Locale.ROOT, "%.1f", (t1 - t0) / 1e9));
                p.setProperty("extract.seconds", String.format(java.util.Locale.ROOT, "%.1f", (t2 - t1) / 1e9));
                try (Writer w = Files.newBufferedWriter(k.dir().resolve(DEBUG_VMLINUX + ".properties"))) {
                    p.store(w, "bpf4j kernel lab: the DWARF vmlinux of " + k.release());
                }
                Path dest = k.dir().resolve(DEBUG_VMLINUX);
                Files.move(part, dest, StandardCopyOption.ATOMIC_MOVE);
                log.printf("bpf4j vm: cached the DWARF vmlinux of %s (%.0f MB from a %.0f MB package: download %.1f s, sha256 and extract %.1f s)%n",
                        k.release(), found.size() / 1e6, pkg.size() / 1e6, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                return dest;
            }
        });
    }

    /** Caches a kernel given by path (with its modules tree, or none when 9p and virtio are built in). */
    public CachedKernel installLocal(KernelSpec.Local spec, PrintStream log) {
        String release = BzImage.release(spec.vmlinuz());
        String sha = sha256(spec.vmlinuz());
        String name = localName(spec);
        Optional<CachedKernel> have = get(name);
        if (have.isPresent()) return have.get();
        return withLock(() -> {
            Path work = Files.createTempDirectory(ensure(kernels), ".install-");
            try (var cleanup = Temp.register(work)) {
                Properties p = new Properties();
                p.setProperty("source", "local");
                p.setProperty("version", "local");
                p.setProperty("package", spec.vmlinuz().toString());
                p.setProperty("sha256.vmlinuz", sha);
                Path modDir = null;
                if (spec.modules() != null) {
                    Path m = spec.modules();
                    if (Files.isDirectory(m.resolve("lib/modules/" + release))) m = m.resolve("lib/modules/" + release);
                    else if (Files.isDirectory(m.resolve(release))) m = m.resolve(release);
                    if (!Files.isDirectory(m.resolve("kernel")) && !Files.isRegularFile(m.resolve("modules.dep"))) {
                        throw new BpfException("kernel " + spec.text(), 0, "--modules " + spec.modules() + " holds no modules tree for " + release);
                    }
                    // depmod may need to write modules.dep: work on a copy of the tree, not the user's.
                    Path copy = work.resolve("tree/lib/modules/" + release);
                    copyTree(m, copy);
                    modDir = copy;
                }
                return finishAs(name, release, spec.vmlinuz(), modDir, p, log);
            }
        });
    }

    /** The cache directory of a kernel given by path: its release and a hash of the image and the modules directory. */
    public static String localName(KernelSpec.Local spec) {
        String key = sha256(spec.vmlinuz()) + "|" + (spec.modules() == null ? "" : spec.modules().toString());
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "local-" + BzImage.release(spec.vmlinuz()) + "-" + HexFormat.of().formatHex(d).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private CachedKernel finish(String release, Path vmlinuz, Path modDir, Properties p, PrintStream log) throws IOException {
        return finishAs(release, release, vmlinuz, modDir, p, log);
    }

    private CachedKernel finishAs(String name, String release, Path vmlinuz, Path modDir, Properties p, PrintStream log) throws IOException {
        String headerRelease = BzImage.release(vmlinuz);
        if (!headerRelease.equals(release)) {
            throw new BpfException("install " + name, 0, "the vmlinuz says it is " + headerRelease + ", the package " + release);
        }
        Path stage = Files.createTempDirectory(kernels, ".stage-");
        try (var cleanup = Temp.register(stage)) {
            Files.copy(vmlinuz, stage.resolve("vmlinuz"));
            List<String> order = List.of();
            if (modDir != null) {
                if (!Files.isRegularFile(modDir.resolve("modules.dep"))) {
                    // Debian packages ship no modules.dep (postinst runs depmod); make one for this tree.
                    Path base = modDir.getParent().getParent().getParent(); // .../lib/modules/REL -> ...
                    Exec.run(List.of("depmod", "-b", base.toString(), release), null, log);
                    if (!Files.isRegularFile(modDir.resolve("modules.dep"))) {
                        throw new BpfException("depmod -b " + base, 0, "made no " + modDir.resolve("modules.dep"));
                    }
                }
                String builtin = Files.isRegularFile(modDir.resolve("modules.builtin")) ? Files.readString(modDir.resolve("modules.builtin")) : null;
                ModulesDep dep = ModulesDep.parse(Files.readString(modDir.resolve("modules.dep")), builtin);
                List<String> files = dep.loadOrder(GUEST_MODULES);
                Path mods = Files.createDirectories(stage.resolve("modules"));
                List<String> names = new ArrayList<>();
                for (String f : files) {
                    String plain = ModulesDep.moduleName(f) + ".ko";
                    decompress(modDir.resolve(f), mods.resolve(plain));
                    names.add(plain);
                }
                order = names;
                p.setProperty("modules.builtin", String.join(",", GUEST_MODULES.stream().filter(dep::isBuiltin).toList()));
            }
            p.setProperty("release", release);
            p.setProperty("modules", String.join(",", order));
            p.setProperty("installed", Instant.now().toString());
            try (Writer w = Files.newBufferedWriter(stage.resolve(CachedKernel.PROPS))) {
                p.store(w, "bpf4j kernel lab: " + release);
            }
            Path dest = kernels.resolve(name);
            if (Files.exists(dest)) Temp.deleteTree(dest);
            Files.move(stage, dest, StandardCopyOption.ATOMIC_MOVE);
            return CachedKernel.load(dest);
        }
    }

    /**
     * Writes a module uncompressed. Busybox's insmod only loads compressed modules when it was
     * built with the matching "seamless" option and the kernel only when CONFIG_MODULE_DECOMPRESS
     * is set; a plain .ko loads everywhere, and the initramfs is gzipped anyway.
     */
    static void decompress(Path src, Path dst) throws IOException {
        String n = src.getFileName().toString();
        if (n.endsWith(".ko")) {
            Files.copy(src, dst);
        } else if (n.endsWith(".ko.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(src))) {
                Files.copy(in, dst);
            }
        } else if (n.endsWith(".ko.xz") || n.endsWith(".ko.zst")) {
            String tool = n.endsWith(".xz") ? "xz" : "zstd";
            byte[] plain = Exec.run(List.of(tool, "-dc", src.toString()), null, null);
            Files.write(dst, plain);
        } else {
            throw new BpfException("module " + src, 0, "unknown module file type");
        }
    }

    private static Path findModulesDir(Path tree, String release) {
        for (String base : List.of("usr/lib/modules/", "lib/modules/")) {
            Path d = tree.resolve(base + release);
            if (Files.isDirectory(d.resolve("kernel"))) return d;
        }
        throw new BpfException("install " + release, 0, "the packages hold no lib/modules/" + release + "/kernel");
    }

    public static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("read " + f + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Path ensure(Path d) throws IOException {
        return Files.createDirectories(d);
    }

    interface IoAction<T> {
        T run() throws IOException;
    }

    /** Serialises installs between concurrent bpf4j processes (two lab runs sharing one cache). */
    <T> T withLock(IoAction<T> action) {
        if (HELD.get()) {
            try {
                return action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        HELD.set(true);
        try {
            Files.createDirectories(kernels);
            try (FileChannel ch = FileChannel.open(kernels.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                return action.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } finally {
            HELD.set(false);
        }
    }

    /** FileChannel locks are per JVM, not per thread; nested use from one thread must not lock twice. */
    private static final ThreadLocal<Boolean> HELD = ThreadLocal.withInitial(() -> false);
}
