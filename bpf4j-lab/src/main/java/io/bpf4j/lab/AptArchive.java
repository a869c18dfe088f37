package io.bpf4j.lab;

import io.bpf4j.BpfException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's archive through apt with a private configuration: its own sources list, lists and
 * cache directories under the lab cache, so the kernels come from signed indexes (apt checks
 * every InRelease against Debian's archive keyring and every .deb against the index) while the
 * system's apt sources and state stay untouched.
 */
public final class AptArchive {

    /** The suites the lab resolves kernels from: 5.10, 6.1, 6.12 and the newest (7.x). */
    public static final List<String> SUITES = List.of("bullseye", "bookworm", "bookworm-security", "trixie", "trixie-backports", "sid");

    public static final String DEFAULT_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

    private final Path dir;
    private final PrintStream log;

    public AptArchive(Path dir, PrintStream log) {
        this.dir = dir;
        this.log = log;
    }

    /** The sources list: one line per suite, each pinned to the archive keyring with signed-by. */
    static String sourcesList(String mirror, String securityMirror, String keyring) {
        StringBuilder sb = new StringBuilder("# Written by bpf4j: the kernel lab's private apt sources (not the system's).\n");
        for (String s : SUITES) {
            String uri = s.endsWith("-security") ? securityMirror : mirror;
            sb.append("deb [arch=amd64 signed-by=").append(keyring).append("] ").append(uri).append(' ').append(s).append(" main\n");
        }
        return sb.toString();
    }

    private List<String> apt(String tool, String... args) {
        List<String> cmd = new ArrayList<>(List.of(tool,
                "-o", "Dir::Etc::SourceList=" + dir.resolve("sources.list"),
                "-o", "Dir::Etc::SourceParts=" + dir.resolve("sources.list.d"),
                "-o", "Dir::Etc::Preferences=" + dir.resolve("preferences"),
                "-o", "Dir::Etc::PreferencesParts=" + dir.resolve("preferences.d"),
                "-o", "Dir::State=" + dir.resolve("state"),
                "-o", "Dir::State::Lists=" + dir.resolve("lists"),
                "-o", "Dir::State::status=/dev/null",
                "-o", "Dir::Cache=" + dir.resolve("cache"),
                "-o", "Dir::Cache::pkgcache=",
                "-o", "Dir::Cache::srcpkgcache=",
                "-o", "APT::Architecture=amd64",
                "-o", "APT::Architectures=amd64",
                "-o", "Acquire::Languages=none",
                // Docker images set GzipIndexes; we parse the lists ourselves, so keep them plain.
                "-o", "Acquire::GzipIndexes=false",
                // apt drops to user _apt, which cannot write into a root-owned cache under $HOME.
                "-o", "APT::Sandbox::User=root"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void prepareDirs() {
        try {
            for (String d : List.of("sources.list.d", "preferences.d", "state", "lists/partial", "cache/archives/partial")) {
                Files.createDirectories(dir.resolve(d));
            }
            String keyring = System.getenv().getOrDefault("BPF4J_APT_KEYRING", DEFAULT_KEYRING);
            if (!Files.isReadable(Path.of(keyring))) {
                throw new BpfException("apt update", 0, "no Debian archive keyring at " + keyring
                        + " (apt-get install debian-archive-keyring, or set BPF4J_APT_KEYRING)");
            }
            String mirror = System.getenv().getOrDefault("BPF4J_DEBIAN_MIRROR", "http://deb.debian.org/debian");
            String sec = System.getenv().getOrDefault("BPF4J_DEBIAN_SECURITY_MIRROR", "http://deb.debian.org/debian-security");
            Files.writeString(dir.resolve("sources.list"), sourcesList(mirror, sec, keyring));
        } catch (IOException e) {
            throw new UncheckedIOException("prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Downloads the suites' signed indexes. Fails when any InRelease does not verify. */
    public void update() {
        prepareDirs();
        log.println("bpf4j vm: updating the Debian package index (" + String.join(", ", SUITES) + ")");
        // "-o APT::Update::Error-Mode=any" makes a failed or unsigned suite an error, not a warning.
        Exec.runEcho(apt("apt-get", "-q", "-o", "APT::Update::Error-Mode=any", "update"), log);
    }

    public boolean hasIndexes() {
        try (Stream<Path> s = Files.list(dir.resolve("lists"))) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith("_Packages"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Each suite's Packages index, reduced to kernel packages. */
    public List<PackageIndex> indexes() {
        prepareDirs();
        String out = Exec.runText(apt("apt-get", "indextargets", "--format", "$(CODENAME)\t$(FILENAME)", "Identifier: Packages"), null, null);
        List<PackageIndex> idx = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.split("\t");
            if (f.length != 2 || !Files.isReadable(Path.of(f[1]))) continue;
            idx.add(PackageIndex.read(f[0], Path.of(f[1]), KernelResolver::relevant));
        }
        if (idx.isEmpty()) throw new BpfException("read package index", 0, "no Packages lists under " + dir + " (run with --refresh)");
        return idx;
    }

    /**
     * Downloads packages into {@code dest} with one apt-get download (which checks each against
     * the signed index), showing progress on the log while it runs. Returns the .debs in the
     * order given.
     */
    public List<Path> download(List<PackageIndex.Entry> pkgs, Path dest) {
        prepareDirs();
        long total = pkgs.stream().mapToLong(PackageIndex.Entry::size).sum();
        String names = String.join(", ", pkgs.stream().map(e -> e.name() + " " + e.version()).toList());
        log.printf("bpf4j vm: downloading %s (%.1f MB)%n", names, total / 1e6);
        long t0 = System.nanoTime();
        Thread progress = Thread.ofPlatform().daemon().start(() -> showProgress(total, dest));
        List<String> args = new ArrayList<>(List.of("-q", "download"));
        for (PackageIndex.Entry e : pkgs) args.add(e.name() + "=" + e.version());
        try {
            Exec.run(apt("apt-get", args.toArray(String[]::new)), dest, null);
        } finally {
            progress.interrupt();
            try {
                progress.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dest)) {
            List<Path> files = s.toList();
            for (PackageIndex.Entry e : pkgs) {
                out.add(files.stream().filter(p -> p.getFileName().toString().startsWith(e.name() + "_") && p.toString().endsWith(".deb"))
                        .findFirst()
                        .orElseThrow(() -> new BpfException("download " + e.name(), 0, "apt-get download left no .deb in " + dest)));
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        log.printf("bpf4j vm: downloaded %.1f MB in %.1f s%n", total / 1e6, secs);
        return out;
    }

    /** apt-get download writes straight into its working directory: watch that grow. */
    private void showProgress(long total, Path dest) {
        boolean tty = System.console() != null;
        int lastQuarter = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(tty ? 300 : 1000);
                long have = sizeOf(dest);
                if (total <= 0) continue;
                int pct = (int) Math.min(100, have * 100 / total);
                if (tty) {
                    log.printf("\r  %5.1f / %.1f MB (%d%%)", have / 1e6, total / 1e6, pct);
                    log.flush();
                } else if (pct / 25 > lastQuarter) {
                    lastQuarter = pct / 25;
                    log.printf("  %d%%%n", pct);
                }
            }
        } catch (InterruptedException done) {
            if (tty) log.print("\r\033[K");
        }
    }

    private static long sizeOf(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
