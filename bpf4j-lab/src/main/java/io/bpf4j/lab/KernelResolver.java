package io.bpf4j.lab;

import io.bpf4j.BpfException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Turns a kernel spec into the exact Debian packages to download, from the suites' Packages
 * indexes. It goes through each suite's {@code linux-image-amd64} metapackage because Debian
 * bumps the ABI part of the real package's name ({@code 6.1.0-50} → {@code 6.1.0-56}) with every
 * update; a hard-coded name would rot within weeks. Pure: no network, no files.
 */
public final class KernelResolver {

    /** The metapackage every Debian suite has, pointing at the suite's current amd64 kernel. */
    public static final String META = "linux-image-amd64";

    /** A kernel in the archive: the packages holding its vmlinuz and modules, and its release. */
    public record Resolved(String suite, String release, String version, String imagePackage,
                           List<PackageIndex.Entry> debs) {
        public long downloadBytes() {
            return debs.stream().mapToLong(PackageIndex.Entry::size).sum();
        }
    }

    private final List<PackageIndex> suites;

    public KernelResolver(List<PackageIndex> suites) {
        this.suites = List.copyOf(suites);
    }

    public Resolved resolve(KernelSpec spec) {
        return switch (spec) {
            case KernelSpec.Series s -> current().stream()
                    .filter(r -> r.version().startsWith(s.text() + "."))
                    .max(BY_VERSION)
                    .orElseThrow(() -> new BpfException("resolve kernel " + s.text(), 0,
                            "no suite's " + META + " is a " + s.text() + " kernel; have: " + offered()));
            case KernelSpec.Latest l -> current().stream().max(BY_VERSION)
                    .orElseThrow(() -> new BpfException("resolve kernel latest", 0, "no suite has " + META));
            case KernelSpec.DebianPackage p -> byPackage(p.text());
            case KernelSpec.Local l -> throw new IllegalArgumentException("a local kernel needs no resolving: " + l.text());
        };
    }

    private static final Comparator<Resolved> BY_VERSION = (a, b) -> DebianVersion.ORDER.compare(a.version(), b.version());

    /** Each suite's current kernel, as its metapackage names it. */
    public List<Resolved> current() {
        List<Resolved> out = new ArrayList<>();
        for (PackageIndex idx : suites) {
            Optional<PackageIndex.Entry> meta = idx.newest(META);
            if (meta.isEmpty()) continue;
            String image = meta.get().dependencyNames().stream()
                    .filter(n -> n.startsWith("linux-image-") && !n.equals(META))
                    .findFirst()
                    .orElseThrow(() -> new BpfException("resolve kernel", 0,
                            idx.suite() + ": " + META + " " + meta.get().version() + " depends on no linux-image-* package"));
            out.add(expand(idx, image));
        }
        return out;
    }

    private String offered() {
        List<String> s = current().stream().map(r -> r.version() + " (" + r.suite() + ")").toList();
        return s.isEmpty() ? "nothing (is the package index downloaded?)" : String.join(", ", s);
    }

    private Resolved byPackage(String name) {
        PackageIndex best = null;
        PackageIndex.Entry bestEntry = null;
        for (PackageIndex idx : suites) {
            Optional<PackageIndex.Entry> e = idx.newest(name);
            if (e.isPresent() && (bestEntry == null || DebianVersion.ORDER.compare(e.get().version(), bestEntry.version()) > 0)) {
                best = idx;
                bestEntry = e.get();
            }
        }
        if (best == null) throw new BpfException("resolve kernel " + name, 0, "no configured suite has that package");
        String image = name.startsWith("linux-binary-") ? "linux-image-" + name.substring("linux-binary-".length()) : name;
        if (best.newest(image).isEmpty()) {
            // A linux-binary-* without its linux-image-* wrapper: take binary + modules directly.
            String rel = name.substring("linux-binary-".length());
            return new Resolved(best.suite(), rel, bestEntry.version(), name, splitPackages(best, rel));
        }
        return expand(best, image);
    }

    /**
     * Older kernels are one linux-image-* package with boot/vmlinuz and lib/modules; from 7.x Debian
     * splits them into linux-binary-* (the vmlinuz), linux-modules-* and linux-base-* (config,
     * System.map, modules.builtin), with linux-image-* an empty package depending on them.
     */
    private static Resolved expand(PackageIndex idx, String image) {
        PackageIndex.Entry img = idx.newest(image).orElseThrow(() -> new BpfException("resolve kernel", 0,
                idx.suite() + ": the metapackage names " + image + " but the suite does not have it"));
        String rel = image.substring("linux-image-".length());
        boolean split = img.dependencyNames().stream().anyMatch(n -> n.startsWith("linux-binary-"));
        List<PackageIndex.Entry> debs = split ? splitPackages(idx, rel) : List.of(img);
        return new Resolved(idx.suite(), rel, img.version(), image, debs);
    }

    private static List<PackageIndex.Entry> splitPackages(PackageIndex idx, String rel) {
        List<PackageIndex.Entry> debs = new ArrayList<>();
        for (String part : List.of("linux-binary-", "linux-modules-", "linux-base-")) {
            Optional<PackageIndex.Entry> e = idx.newest(part + rel);
            if (e.isPresent()) debs.add(e.get());
            else if (!part.equals("linux-base-")) {
                throw new BpfException("resolve kernel", 0, idx.suite() + ": " + part + rel + " is missing");
            }
        }
        return List.copyOf(debs);
    }

    /**
     * The package with the DWARF vmlinux of a kernel: {@code linux-image-RELEASE-dbg} at exactly
     * the kernel's version (another build's line numbers would be silently wrong).
     */
    public PackageIndex.Entry debugPackage(String release, String version) {
        String name = DebugVmlinux.packageName(release);
        for (PackageIndex idx : suites) {
            Optional<PackageIndex.Entry> e = idx.find(name, version);
            if (e.isPresent()) return e.get();
        }
        List<String> other = suites.stream().flatMap(i -> i.all(name).stream()).map(PackageIndex.Entry::version).toList();
        throw new BpfException("resolve " + name, 0, "no suite has version " + version
                + (other.isEmpty() ? " (nor any other)" : " (only " + String.join(", ", other) + "; run with --refresh?)"));
    }

    /** Keeps the index small: only packages a kernel resolution can touch. */
    public static boolean relevant(String pkg) {
        return pkg.startsWith("linux-image-") || pkg.startsWith("linux-binary-")
                || pkg.startsWith("linux-modules-") || pkg.startsWith("linux-base-");
    }
}
