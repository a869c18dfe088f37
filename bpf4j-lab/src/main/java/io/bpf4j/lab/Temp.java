package io.bpf4j.lab;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary directories that must not outlive the command, even when the user presses Ctrl-C
 * in the middle of a download or a guest run: each is deleted when its scope closes, and a
 * shutdown hook deletes whatever is still registered.
 */
final class Temp implements AutoCloseable {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Temp::deleteQuietly), "bpf4j-temp-cleanup"));
    }

    private final Path dir;

    private Temp(Path dir) {
        this.dir = dir;
    }

    static Temp register(Path dir) {
        LIVE.add(dir);
        return new Temp(dir);
    }

    static Temp createDirectory(String prefix) throws IOException {
        return register(Files.createTempDirectory(prefix));
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        deleteQuietly(dir);
        LIVE.remove(dir);
    }

    private static void deleteQuietly(Path d) {
        try {
            deleteTree(d);
        } catch (IOException ignored) {
            // Best effort on the way out; nothing left to report to.
        }
    }

    static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(d, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                try {
                    Files.delete(f);
                } catch (NoSuchFileException gone) {
                    // Already removed.
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                try {
                    Files.delete(dir);
                } catch (NoSuchFileException gone) {
                    // Already removed.
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
