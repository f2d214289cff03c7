package io.github.dbdeploy.engine;

/** Where the engine's lines for the user go: Maven's log, or standard output on a remote host. */
public interface Progress {
    void info(String line);

    void warn(String line);

    /** Writes to standard output and standard error; used by the runner on remote hosts. */
    Progress CONSOLE = new Progress() {
        @Override
        public void info(String line) {
            System.out.println(line);
        }

        @Override
        public void warn(String line) {
            System.out.println("WARNING: " + line);
        }
    };
}
