package io.switchboard.lifecycle.impl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Checks, before an update, that a new version of a bundle would resolve: every package it imports
 * (not optionally) is exported, in a matching version, by a bundle that is resolved now or by the
 * new version itself. It is the resolver's first question, asked without touching the framework; a
 * version that passes and still fails to start is rolled back after the update.
 */
final class ImportCheck {
    private ImportCheck() {
    }

    /** The manifest of a bundle jar, or an exception saying why it is not one. */
    static Manifest manifest(byte[] jar) throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest m = in.getManifest();
            if (m == null || m.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                throw new IOException("not a bundle: no Bundle-SymbolicName in its manifest");
            }
            return m;
        }
    }

    /** The imports the framework could not satisfy now, each with its version range; empty when all can be. */
    static List<String> unsatisfied(Manifest m, Bundle[] installed, Bundle replaced) {
        List<String> missing = new ArrayList<>();
        List<Clause> exports = Clause.parse(m.getMainAttributes().getValue("Export-Package"));
        for (Clause imp : Clause.parse(m.getMainAttributes().getValue("Import-Package"))) {
            if ("optional".equals(imp.directives.get("resolution"))) {
                continue;
            }
            String range = imp.attributes.getOrDefault("version", "0.0.0");
            VersionRange wanted;
            try {
                wanted = VersionRange.valueOf(range);
            } catch (IllegalArgumentException e) {
                missing.add(imp.name + " (bad version range " + range + ")");
                continue;
            }
            if (!exported(imp.name, wanted, exports, installed, replaced)) {
                missing.add(imp.name + ";version=\"" + range + "\"");
            }
        }
        return missing;
    }

    private static boolean exported(String pkg, VersionRange wanted, List<Clause> own, Bundle[] installed, Bundle replaced) {
        for (Clause e : own) {
            if (e.name.equals(pkg) && wanted.includes(Version.parseVersion(e.attributes.getOrDefault("version", "0.0.0")))) {
                return true;
            }
        }
        for (Bundle b : installed) {
            if (b == replaced) {
                continue;
            }
            BundleWiring w = b.adapt(BundleWiring.class);
            if (w == null) {
                continue;
            }
            for (BundleCapability c : w.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                Map<String, Object> a = c.getAttributes();
                Object v = a.get(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE);
                if (pkg.equals(a.get(PackageNamespace.PACKAGE_NAMESPACE)) && wanted.includes(v instanceof Version ? (Version) v : Version.emptyVersion)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One clause of a manifest header: a name, its attributes and its directives. */
    static final class Clause {
        final String name;
        final Map<String, String> attributes = new java.util.HashMap<>();
        final Map<String, String> directives = new java.util.HashMap<>();

        private Clause(String name) {
            this.name = name;
        }

        /** Splits a header into clauses, honouring quotes (a version range holds a comma). */
        static List<Clause> parse(String header) {
            List<Clause> out = new ArrayList<>();
            if (header == null) {
                return out;
            }
            for (String clause : split(header, ',')) {
                List<String> parts = split(clause, ';');
                List<String> names = new ArrayList<>();
                Map<String, String> attrs = new java.util.HashMap<>();
                Map<String, String> dirs = new java.util.HashMap<>();
                for (String p : parts) {
                    int eq = p.indexOf('=');
                    if (eq < 0) {
                        names.add(p.trim());
                    } else if (eq > 0 && p.charAt(eq - 1) == ':') {
                        dirs.put(p.substring(0, eq - 1).trim(), unquote(p.substring(eq + 1)));
                    } else {
                        attrs.put(p.substring(0, eq).trim(), unquote(p.substring(eq + 1)));
                    }
                }
                for (String n : names) {
                    Clause c = new Clause(n);
                    c.attributes.putAll(attrs);
                    c.directives.putAll(dirs);
                    out.add(c);
                }
            }
            return out;
        }

        private static String unquote(String v) {
            String t = v.trim();
            return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
        }

        private static List<String> split(String s, char separator) {
            List<String> out = new ArrayList<>();
            boolean quoted = false;
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                } else if (c == separator && !quoted) {
                    out.add(s.substring(start, i));
                    start = i + 1;
                }
            }
            out.add(s.substring(start));
            out.removeIf(x -> x.isBlank());
            return out;
        }
    }
}
