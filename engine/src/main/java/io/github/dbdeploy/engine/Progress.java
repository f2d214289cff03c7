package io.github.dbdeploy.engine;

import java.io.PrintStream;

/** Where the engine's lines for the user go: Maven's log, or standard output on a remote host. */
public interface Progress {
    void info(String line);

    void warn(String line);

    /** Plain lines on {@code out}, warnings prefixed; what the runner prints on a remote host. */
    static Progress printingTo(PrintStream out) {
        return new Progress() {
            @Override
            public void info(String line) {
                out.println(line);
            }

            @Override
            public void warn(String line) {
                out.println("WARNING: " + line);
            }
        };
    }
}
