package io.bpf4j.cli.support;

/** The command's version: the jar manifest's, and the JVM that runs it. */
public final class Version {
    private Version() {}

    /** The lines {@code bpf4j --version} prints. */
    public static String[] lines() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {
            "bpf4j " + (v == null ? "dev" : v),
            "java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"
        };
    }
}
