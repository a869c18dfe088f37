package io.bpf4j.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One command to run in a guest: argv, working directory, environment, the host directories
 * shared read-write (at the same paths), and the VM's size and time limit.
 */
public record GuestRequest(List<String> command, Path cwd, Map<String, String> env, List<Path> shares,
                           String memory, int cpus, Duration timeout) {
    public GuestRequest {
        if (command.isEmpty()) throw new IllegalArgumentException("no command to run in the guest");
        command = List.copyOf(command);
        env = Map.copyOf(env);
        shares = List.copyOf(shares);
    }

    /**
     * The shell script the guest runs chrooted into the host root: environment, working
     * directory, then exec of the command, every word single-quoted so nothing is re-parsed.
     */
    String runScript() {
        StringBuilder sb = new StringBuilder("# bpf4j vm run: the command, as the guest runs it\n");
        env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n'));
        sb.append("cd ").append(quote(cwd.toString())).append(" || { echo ")
                .append(quote("bpf4j vm: the guest has no directory " + cwd)).append(" >&2; exit 125; }\n");
        sb.append("exec");
        for (String w : command) sb.append(' ').append(quote(w));
        return sb.append('\n').toString();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
