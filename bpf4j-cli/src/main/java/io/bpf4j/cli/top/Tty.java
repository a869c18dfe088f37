package io.bpf4j.cli.top;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The controlling terminal on stdin/stdout through libc (termios, TIOCGWINSZ, poll, read), so a
 * live view needs no library and no {@code stty} process. {@link #enter()} switches to
 * unbuffered input without echo and to the alternate screen; {@link #restore()} undoes both and
 * is safe to call twice and from a shutdown hook. Ctrl-C stays a signal (ISIG is kept), so the
 * JVM's shutdown hooks run on it as on SIGTERM; Ctrl-Z and Ctrl-\ are off while the view is up.
 */
final class Tty {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle ISATTY = fn("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle TCGETATTR = fn("tcgetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle TCSETATTR = fn("tcsetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = fn("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = fn("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    // struct termios as glibc lays it out on x86-64 and arm64: four tcflag_t (u32), c_line,
    // c_cc[32], then the speeds; 60 bytes.
    private static final int TERMIOS_SIZE = 64, C_LFLAG = 12, C_CC = 17;
    private static final int ICANON = 0x2, ECHO = 0x8, VQUIT = 1, VTIME = 5, VMIN = 6, VSUSP = 10, TCSANOW = 0;
    private static final long TIOCGWINSZ = 0x5413;
    private static final short POLLIN = 1;

    static final String ALT_SCREEN_ON = "\033[?1049h", ALT_SCREEN_OFF = "\033[?1049l",
            CURSOR_OFF = "\033[?25l", CURSOR_ON = "\033[?25h";

    private final Arena arena = Arena.ofShared();
    private final MemorySegment saved = arena.allocate(TERMIOS_SIZE, 8);
    private final MemorySegment scratch = arena.allocate(256, 8);
    private boolean entered;

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd);
    }

    /** Whether stdin and stdout are both a terminal. */
    static boolean interactive() {
        try {
            return (int) ISATTY.invokeExact(0) == 1 && (int) ISATTY.invokeExact(1) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Saves the terminal's settings, turns off line buffering and echo, enters the alternate screen. */
    synchronized void enter() {
        try {
            if ((int) TCGETATTR.invokeExact(0, saved) != 0) throw new IllegalStateException("tcgetattr failed: stdin is not a terminal");
            MemorySegment raw = arena.allocate(TERMIOS_SIZE, 8);
            raw.copyFrom(saved);
            raw.set(JAVA_INT.withByteAlignment(1), C_LFLAG, raw.get(JAVA_INT.withByteAlignment(1), C_LFLAG) & ~(ICANON | ECHO));
            raw.set(JAVA_BYTE, C_CC + VMIN, (byte) 0);
            raw.set(JAVA_BYTE, C_CC + VTIME, (byte) 0);
            // No Ctrl-Z (the JVM cannot put the terminal back before it stops and take it again
            // after SIGCONT) and no Ctrl-\ (the JVM's thread dump would land on the view); 0 is
            // _POSIX_VDISABLE. Ctrl-C stays SIGINT.
            raw.set(JAVA_BYTE, C_CC + VSUSP, (byte) 0);
            raw.set(JAVA_BYTE, C_CC + VQUIT, (byte) 0);
            int r = (int) TCSETATTR.invokeExact(0, TCSANOW, raw);
            if (r != 0) throw new IllegalStateException("tcsetattr failed");
            entered = true;
            write(ALT_SCREEN_ON + CURSOR_OFF + "\033[2J");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Leaves the alternate screen, shows the cursor and puts the saved settings back; once. */
    synchronized void restore() {
        if (!entered) return;
        entered = false;
        write(CURSOR_ON + ALT_SCREEN_OFF);
        try {
            int ignored = (int) TCSETATTR.invokeExact(0, TCSANOW, saved);
        } catch (Throwable t) {
            // Nothing more can be done for the terminal at exit.
        }
    }

    /** Terminal rows and columns, {24, 80} when the terminal does not say. */
    int[] size() {
        try {
            MemorySegment ws = scratch.asSlice(0, 8).fill((byte) 0);
            int r = (int) IOCTL.invokeExact(1, TIOCGWINSZ, ws);
            int rows = ws.get(JAVA_SHORT, 0) & 0xffff, cols = ws.get(JAVA_SHORT, 2) & 0xffff;
            if (r != 0 || rows == 0 || cols == 0) return new int[] {24, 80};
            return new int[] {rows, cols};
        } catch (Throwable t) {
            return new int[] {24, 80};
        }
    }

    /**
     * Waits up to {@code timeoutMs} for input and returns what was typed (a key, or an escape
     * sequence such as an arrow key, as one string), or "" when nothing came.
     */
    String readKeys(int timeoutMs) {
        try {
            MemorySegment pfd = scratch.asSlice(0, 8).fill((byte) 0);
            pfd.set(JAVA_INT, 0, 0);
            pfd.set(JAVA_SHORT, 4, POLLIN);
            int n = (int) POLL.invokeExact(pfd, 1L, timeoutMs);
            if (n <= 0) return "";
            MemorySegment buf = scratch.asSlice(64, 128);
            long got = (long) READ.invokeExact(0, buf, 128L);
            if (got <= 0) return got == 0 ? "\004" : ""; // end of input reads as Ctrl-D
            byte[] b = new byte[(int) got];
            MemorySegment.copy(buf, JAVA_BYTE, 0, b, 0, b.length);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "";
        }
    }

    /** Draws a frame while the view is on screen; nothing once {@link #restore()} ran. */
    synchronized void draw(String frame) {
        if (entered) write(frame);
    }

    /** Writes to stdout with one write(2) per call (a partial write is continued), so a frame is not torn by other output. */
    synchronized void write(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(b.length);
            MemorySegment.copy(b, 0, m, JAVA_BYTE, 0, b.length);
            long off = 0;
            while (off < b.length) {
                long w = (long) WRITE.invokeExact(1, m.asSlice(off), (long) (b.length - off));
                if (w <= 0) return;
                off += w;
            }
        } catch (Throwable t) {
            // stdout gone (terminal closed): nothing to draw on
        }
    }
}
