package io.bpf4j.cli.support;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every bpf4j command does the same way, applied once to the whole command tree so that a
 * command only declares its options:
 * <ul>
 *   <li>{@code -h/--help} and {@code -V/--version} on every command, the version from {@link Version};
 *   <li>a usage error is one line on stderr, {@code bpf4j CMD: message}, and exit code 2; a
 *       failure one line and exit code 1; a stack trace only with {@code BPF4J_DEBUG=1};
 *   <li>an option given to a parent command before the subcommand ({@code inspect --json map})
 *       is the subcommand's option of that name, or refused in one line when it has none;
 *   <li>descriptions are written as sentences over several source lines and printed as
 *       paragraphs wrapped to the width; a line that starts with a space is kept as it is
 *       (an example command); the command list shows each command's first sentence.
 * </ul>
 */
public final class Conventions {
    private Conventions() {}

    /** Exit code of a usage error (picocli's default too). */
    public static final int USAGE = 2;
    /** Exit code of a failure. */
    public static final int FAILURE = 1;

    /** Applies the conventions to {@code root} and every command below it; call after adding subcommands. */
    public static CommandLine apply(CommandLine root) {
        java.util.Map<CommandSpec, String[]> paragraphs = new java.util.HashMap<>();
        for (CommandLine cl : tree(root)) {
            CommandSpec spec = cl.getCommandSpec();
            if (spec.versionProvider() == null && spec.version().length == 0) spec.versionProvider(Version::lines);
            // The help command has its own -h; it gets -V too, so that every command has both.
            if (!spec.mixinStandardHelpOptions()) {
                if (spec.findOption("--help") == null) spec.mixinStandardHelpOptions(true);
                else if (spec.findOption("--version") == null) spec.addOption(OptionSpec.builder("-V", "--version")
                        .versionHelp(true).description("Print version information and exit.").build());
            }
            String[] p = paragraphs(spec.usageMessage().description());
            paragraphs.put(spec, p);
            spec.usageMessage().description(wrap(p, spec.usageMessage().width()));
            // The header is the command list's summary of the command (below), never printed above its usage.
            cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING, help -> "");
            cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER, help -> "");
        }
        for (CommandLine cl : tree(root)) {
            // picocli's command list: names in a column as wide as the longest (at most half the
            // width), then the first line of the header, split at its line breaks.
            List<CommandLine> subs = cl.getSubcommands().values().stream().distinct()
                    .filter(c -> !c.getCommandSpec().usageMessage().hidden()).toList();
            int names = Math.min(subs.stream().mapToInt(c -> c.getCommandName().length()).max().orElse(0), cl.getCommandSpec().usageMessage().width() / 2);
            int text = cl.getCommandSpec().usageMessage().width() - (names + 2) - 2;
            for (CommandLine sub : cl.getSubcommands().values()) {
                CommandSpec s = sub.getCommandSpec();
                String[] p = paragraphs.get(s);
                if (s.usageMessage().header().length == 0 && p.length > 0)
                    s.usageMessage().header(String.join("\n", wrap(new String[] {firstSentence(p[0])}, text)));
            }
        }
        root.setHelpFactory(WrappingHelp::new);
        root.setParameterExceptionHandler(Conventions::usageError);
        root.setExecutionExceptionHandler(Conventions::failure);
        root.setExecutionStrategy(Conventions::execute);
        return root;
    }

    /**
     * picocli's help, with option and parameter descriptions written as paragraphs (see
     * Conventions.paragraphs) and wrapped at spaces to their column; picocli's own wrapping also
     * breaks after a period ("vmlinux." / "h").
     */
    static final class WrappingHelp extends CommandLine.Help {
        private int descriptionWidth = -1;
        private boolean measuring;

        WrappingHelp(CommandSpec spec, CommandLine.Help.ColorScheme colors) {
            super(spec, colors);
        }

        /** The description column of the option list: what is left of the width after picocli's four other columns. */
        private int descriptionWidth() {
            if (descriptionWidth < 0) {
                measuring = true; // the measurement renders the options: unwrapped then
                try {
                    CommandSpec spec = commandSpec();
                    descriptionWidth = spec.usageMessage().width() - 5 - calcLongOptionColumnWidth(spec.options(), spec.positionalParameters(), colorScheme()) - 1;
                } finally {
                    measuring = false;
                }
            }
            return descriptionWidth;
        }

        @Override
        public IOptionRenderer createDefaultOptionRenderer() {
            IOptionRenderer base = super.createDefaultOptionRenderer();
            return (option, labels, colors) -> measuring ? base.render(option, labels, colors)
                    // names and label as interpolated: the copy has no command to resolve ${...} in them
                    : base.render(option.toBuilder().names(option.names()).paramLabel(option.paramLabel())
                            .description(wrap(paragraphs(option.description()), descriptionWidth())).build(), labels, colors);
        }

        @Override
        public IParameterRenderer createDefaultParameterRenderer() {
            IParameterRenderer base = super.createDefaultParameterRenderer();
            return (param, labels, colors) -> measuring ? base.render(param, labels, colors)
                    : base.render(param.toBuilder().paramLabel(param.paramLabel())
                            .description(wrap(paragraphs(param.description()), descriptionWidth())).build(), labels, colors);
        }
    }

    /** {@code root} and every command below it, parents first. */
    public static List<CommandLine> tree(CommandLine root) {
        List<CommandLine> out = new ArrayList<>();
        out.add(root);
        for (int i = 0; i < out.size(); i++) {
            for (CommandLine sub : out.get(i).getSubcommands().values()) if (!out.contains(sub)) out.add(sub);
        }
        return out;
    }

    // ---- errors

    /** picocli's usage errors: one line, the command's full name first, exit 2. */
    static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        print(cl, describe(e));
        return USAGE;
    }

    /** What a usage error says, after the command's name; a word to a user, not picocli's class of error. */
    static String describe(CommandLine.ParameterException e) {
        CommandLine cl = e.getCommandLine();
        // An unknown option explains the rest (a missing parameter, often): it comes first.
        if (!(e instanceof CommandLine.UnmatchedArgumentException) && !cl.getUnmatchedArguments().isEmpty())
            return describe(new CommandLine.UnmatchedArgumentException(cl, cl.getUnmatchedArguments()));
        String help = " (" + cl.getCommandSpec().qualifiedName() + " --help lists them)";
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().getFirst();
            List<String> suggestions = u.getSuggestions();
            String did = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?";
            if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg))
                return "unknown option '" + arg + "'" + (did.isEmpty() ? help.replace("them", "the options") : did);
            if (!cl.getSubcommands().isEmpty() && cl.getCommandSpec().positionalParameters().isEmpty())
                return "unknown command '" + arg + "'" + (did.isEmpty() ? help.replace("them", "the commands") : did);
            return "unexpected argument '" + arg + "'" + help.replace("them", "what it takes");
        }
        String m = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        if (m.startsWith("Error: ")) m = m.substring(7);
        // "Invalid value for option '--cpus' (<cpus>): '-1' is not ..." -> "--cpus: '-1' is not ..."
        Matcher invalid = INVALID_OPTION.matcher(m);
        if (invalid.matches()) return invalid.group(1) + ": " + invalid.group(2);
        invalid = INVALID_POSITIONAL.matcher(m);
        if (invalid.matches()) return invalid.group(1) + ": " + invalid.group(2);
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private static final Pattern INVALID_OPTION = Pattern.compile("Invalid value for option '([^']+)'(?: at index \\d+)?(?: \\([^)]*\\))?: (.*)", Pattern.DOTALL);
    private static final Pattern INVALID_POSITIONAL = Pattern.compile("Invalid value for positional parameter at index \\S+ \\(([^)]*)\\): (.*)", Pattern.DOTALL);

    private static boolean isNumber(String s) {
        return s.matches("-\\d+(\\.\\d*)?");
    }

    /** Failures of a running command: usage errors it found itself exit 2, the rest 1; one line each. */
    static int failure(Exception e, CommandLine cl, ParseResult parsed) {
        print(cl, Errors.message(e));
        if (Errors.debug()) e.printStackTrace(cl.getErr());
        return e instanceof UsageException ? USAGE : FAILURE;
    }

    private static void print(CommandLine cl, String message) {
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + Errors.oneLine(message));
        err.flush();
    }

    // ---- execution

    /**
     * picocli's RunLast (the last command on the line runs), after giving it the options that
     * were written before it, at a parent: {@code inspect --json map} is {@code inspect map
     * --json}. A parent's option the subcommand does not have is refused, not ignored.
     */
    static int execute(ParseResult parsed) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) return help;
        List<ParseResult> chain = new ArrayList<>();
        for (ParseResult p = parsed; p != null; p = p.subcommand()) chain.add(p);
        ParseResult leaf = chain.getLast();
        CommandSpec leafSpec = leaf.commandSpec();
        for (ParseResult p : chain.subList(0, chain.size() - 1)) {
            for (OptionSpec given : p.matchedOptions()) {
                OptionSpec own = leafSpec.findOption(given.longestName());
                if (own == null || own.type() != given.type())
                    throw new CommandLine.ParameterException(leafSpec.commandLine(), given.longestName() + " does not apply to "
                            + leafSpec.qualifiedName().substring(leafSpec.root().name().length() + 1) + " (" + leafSpec.qualifiedName() + " --help lists its options)");
                if (leaf.hasMatchedOption(own)) continue;
                try {
                    own.setValue(given.getValue());
                } catch (CommandLine.PicocliException e) {
                    throw new CommandLine.ParameterException(leafSpec.commandLine(), given.longestName() + ": " + e.getMessage());
                }
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    // ---- help text

    /**
     * Description lines joined into paragraphs: consecutive lines form one paragraph, an empty
     * line ends it, a line starting with a space stands alone as written.
     */
    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder p = null;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith(" ")) {
                if (p != null) out.add(p.toString());
                p = null;
                out.add(line.isBlank() ? "" : line);
            } else if (p == null) {
                p = new StringBuilder(line.strip());
            } else {
                p.append(' ').append(line.strip());
            }
        }
        if (p != null) out.add(p.toString());
        return out.toArray(new String[0]);
    }

    /** Paragraphs broken into lines of at most {@code width} columns at spaces; a line kept as written (indented) stays one. */
    static String[] wrap(String[] paragraphs, int width) {
        List<String> out = new ArrayList<>();
        for (String p : paragraphs) {
            if (p.isEmpty() || p.startsWith(" ")) {
                out.add(p);
                continue;
            }
            StringBuilder line = new StringBuilder();
            for (String word : p.split(" +")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) line.append(' ');
                line.append(word);
            }
            out.add(line.toString());
        }
        return out.toArray(new String[0]);
    }

    /** The first sentence of a paragraph: up to the first period that ends a word before a space or the end. */
    static String firstSentence(String paragraph) {
        for (int i = paragraph.indexOf('.'); i >= 0; i = paragraph.indexOf('.', i + 1)) {
            boolean end = i + 1 == paragraph.length() || paragraph.charAt(i + 1) == ' ';
            if (!end) continue;
            String before = paragraph.substring(0, i);
            if (before.endsWith("e.g") || before.endsWith("i.e") || before.endsWith(" etc") || before.endsWith(" vs")) continue;
            return paragraph.substring(0, i + 1);
        }
        return paragraph;
    }
}
