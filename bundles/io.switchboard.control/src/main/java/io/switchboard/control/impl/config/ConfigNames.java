package io.switchboard.control.impl.config;

import java.io.File;

/** FileInstall's naming rule for configuration files. */
final class ConfigNames {
    private ConfigNames() {
    }

    /** {@code [pid, null]} for {@code PID.ext}, {@code [factoryPid, name]} for {@code FACTORYPID-NAME.ext}. */
    static String[] pid(File file) {
        String base = file.getName().replaceAll("\\.[^.]*$", "");
        int dash = base.indexOf('-');
        return dash > 0 ? new String[] {base.substring(0, dash), base.substring(dash + 1)} : new String[] {base, null};
    }
}
