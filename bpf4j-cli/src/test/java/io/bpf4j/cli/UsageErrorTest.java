package io.bpf4j.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Values the commands cannot use are usage errors: refused before anything runs (no kernel
 * download, no QEMU, no probe), in one line on stderr that names the command and the option,
 * with exit code 2. A negative duration used to run forever and QEMU died on {@code -m abc}.
 */
class UsageErrorTest {
    @ParameterizedTest(name = "bpf4j {0}")
    @CsvSource(delimiter = '|', textBlock = """
            trace -e x --duration -1           | bpf4j trace: --duration: '-1' is not a duration like 10s, 500ms, 2.5s, 2m or 1h
            trace -e x --duration NaN          | bpf4j trace: --duration: 'NaN' is not a duration like 10s, 500ms, 2.5s, 2m or 1h
            trace -e x --duration 1e300        | bpf4j trace: --duration: '1e300' is not a duration like 10s, 500ms, 2.5s, 2m or 1h
            trace -e x --duration 0            | bpf4j trace: --duration: '0' is outside 1ms to 365d
            trace -e x --duration 9000h        | bpf4j trace: --duration: '9000h' is outside 1ms to 365d
            trace -e x --sessions -5           | bpf4j trace: --sessions: '-5' is not a positive integer
            trace -e x --sessions 0            | bpf4j trace: --sessions: '0' is not a positive integer (1 to 2147483647)
            trace -e x -L -3                   | bpf4j trace: --longer: '-3' is not a number of milliseconds like 10 or 0.5
            trace -e x -p -1                   | bpf4j trace: --pid: '-1' is not a process id
            trace -e x -P 0                    | bpf4j trace: --no-pid: '0' is not a process id (1 to 4194304)
            trace -e __x64_sys_bpf --ringbuf-size 1000 | bpf4j trace: --ringbuf-size 1000: must be a power of two between 4K and 1G
            vm run --kernel 5.10 --mem abc -- true   | bpf4j vm run: --mem: 'abc' is not a memory size like 2G or 1536M
            vm run --kernel 5.10 --cpus -1 -- true   | bpf4j vm run: --cpus: '-1' is not a positive integer
            vm run --kernel 5.10 --timeout -1 -- true | bpf4j vm run: --timeout: '-1' is not a duration like 10s, 500ms, 2.5s, 2m or 1h
            vm run --kernel 5.10 --accel fast -- true | bpf4j vm run: --accel must be auto, kvm, tcg or tcg-multi, not 'fast'
            matrix --cpus 0 -- true            | bpf4j matrix: --cpus: '0' is not a positive integer (1 to 2147483647)
            check tailcall --fail-on nosuch    | bpf4j check tailcall: --fail-on: unknown verdict 'nosuch' (present, fixed, not-applicable, could-not-run, inconclusive)
            check tailcall --only nosuch       | bpf4j check tailcall: --only: unknown tail-call issue 'nosuch' (known: invalid-tailcallee, freplace-tailcallee, attached-freplace-update, cross-hook-tailcall, tailcall-attach-type, tailcall-hierarchy)
            check tailcall --only ,,           | bpf4j check tailcall: --only: empty issue name in ',,'
            check tailcall --fail-on present,  | bpf4j check tailcall: --fail-on: empty verdict name in 'present,'
            scenario tailcall-in-freplace --duration soon | bpf4j scenario tailcall-in-freplace: --duration: 'soon' is not a duration like 10s, 500ms, 2.5s, 2m or 1h
            scenario tailcall-in-freplace --connect -2    | bpf4j scenario tailcall-in-freplace: --connect: '-2' is not an integer of 0 or more
            inspect --source nowhere           | bpf4j inspect: --source must be auto, uapi or kcore, not nowhere
            inspect --json graph               | bpf4j inspect graph: --json does not apply to inspect graph (bpf4j inspect graph --help lists its options)
            inspect prog dump jited 1          | bpf4j inspect prog dump: only 'xlated' is supported, not 'jited'
            inspect prog abc                   | bpf4j inspect prog: ID: 'abc' is not an int
            inspect btf 1 2                    | bpf4j inspect btf: unexpected argument '2' (bpf4j inspect btf --help lists what it takes)
            btf dump a b c                     | bpf4j btf dump: expected FILE or `id ID`, got a b c
            trace -e x -K -F                   | bpf4j trace: -K, -F are mutually exclusive (specify only one)
            vm run -- true                     | bpf4j vm run: missing required option: '--kernel=SPEC'
            completion fish                    | bpf4j completion: SHELL: expected one of [bash, zsh] (case-sensitive) but was 'fish'
            """)
    void isOneLineWithExitTwo(String args, String line) {
        CliRun r = CliRun.of(args.strip().split(" +"));
        assertEquals(line + "\n", r.err());
        assertEquals(2, r.exit());
        assertEquals("", r.out());
    }
}
