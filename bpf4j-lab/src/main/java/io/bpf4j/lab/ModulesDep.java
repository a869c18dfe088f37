package io.bpf4j.lab;

import io.bpf4j.BpfFormatException;
import io.bpf4j.Escape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kernel's {@code modules.dep} ("kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz ..."), and
 * the order to insmod a set of modules in: busybox's insmod resolves nothing itself, so every
 * dependency must already be loaded.
 */
public final class ModulesDep {

    private final Map<String, List<String>> deps; // module path -> dependency paths
    private final Map<String, String> byName;      // module name (dashes as underscores) -> path
    private final Set<String> builtin;             // module names compiled into the kernel

    private ModulesDep(Map<String, List<String>> deps, Set<String> builtin) {
        this.deps = deps;
        this.builtin = builtin;
        this.byName = new HashMap<>();
        for (String p : deps.keySet()) byName.put(moduleName(p), p);
    }

    /** Parses modules.dep text and, optionally, modules.builtin text (one path per line). */
    public static ModulesDep parse(String modulesDep, String modulesBuiltin) {
        Map<String, List<String>> deps = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : modulesDep.split("\n")) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) throw new BpfFormatException("modules.dep:" + lineNo + ": no 'module:' prefix: " + Escape.text(line));
            String mod = line.substring(0, colon).strip();
            List<String> ds = new ArrayList<>();
            for (String d : line.substring(colon + 1).strip().split("\\s+")) if (!d.isEmpty()) ds.add(d);
            deps.put(mod, List.copyOf(ds));
        }
        Set<String> builtin = new HashSet<>();
        if (modulesBuiltin != null) {
            for (String line : modulesBuiltin.split("\n")) if (!line.isBlank()) builtin.add(moduleName(line.strip()));
        }
        return new ModulesDep(deps, builtin);
    }

    /** "kernel/net/9p/9pnet_virtio.ko.xz" → "9pnet_virtio"; the kernel treats '-' and '_' alike. */
    public static String moduleName(String path) {
        String f = path.substring(path.lastIndexOf('/') + 1);
        int ko = f.indexOf(".ko");
        if (ko > 0) f = f.substring(0, ko);
        return f.replace('-', '_');
    }

    public boolean isBuiltin(String name) {
        return builtin.contains(name.replace('-', '_'));
    }

    public boolean has(String name) {
        return byName.containsKey(name.replace('-', '_'));
    }

    /**
     * The module files to load for {@code wanted}, each after everything it depends on. Modules
     * built into the kernel are skipped. A wanted module that is neither a module nor built in
     * fails with a message naming it (the guest would otherwise hang without its root mount).
     */
    public List<String> loadOrder(Collection<String> wanted) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String w : wanted) {
            String name = w.replace('-', '_');
            String path = byName.get(name);
            if (path == null) {
                if (isBuiltin(name) || builtin.isEmpty()) continue; // without modules.builtin we cannot tell; insmod-less is fine when built in
                throw new BpfFormatException("modules.dep: no module " + Escape.text(w) + " and it is not built in");
            }
            visit(path, out, new HashSet<>());
        }
        return List.copyOf(out);
    }

    private void visit(String path, LinkedHashSet<String> out, Set<String> onStack) {
        if (out.contains(path)) return;
        if (!onStack.add(path)) throw new BpfFormatException("modules.dep: dependency cycle through " + Escape.text(path));
        for (String d : deps.getOrDefault(path, List.of())) visit(d, out, onStack);
        onStack.remove(path);
        out.add(path);
    }
}
