package io.switchboard.control.impl.config;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;

/** FileInstall's naming rule for configuration files, and how files are shown in messages. */
final class ConfigNames {
    private ConfigNames() {
    }

    /** {@code [pid, null]} for {@code PID.ext}, {@code [factoryPid, name]} for {@code FACTORYPID-NAME.ext}. */
    static String[] pid(File file) {
        String base = file.getName().replaceAll("\\.[^.]*$", "");
        int dash = base.indexOf('-');
        return dash > 0 ? new String[] {base.substring(0, dash), base.substring(dash + 1)} : new String[] {base, null};
    }

    /** The file relative to the working directory when it lies below it. */
    static String display(File file) {
        Path p = file.toPath().toAbsolutePath();
        Path cwd = Paths.get("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }
}
