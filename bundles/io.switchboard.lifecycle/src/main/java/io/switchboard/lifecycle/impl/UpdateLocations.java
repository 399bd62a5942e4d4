package io.switchboard.lifecycle.impl;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.url.AbstractURLStreamHandlerService;
import org.osgi.service.url.URLConstants;
import org.osgi.service.url.URLStreamHandlerService;

/**
 * Serves the update location every platform bundle carries ({@code Bundle-UpdateLocation:
 * switchboard:<symbolic name>}), so that {@code update <id>} without a URL works on every bundle: a
 * bundle installed from a file or URL is read from there again, a built-in bundle of the runtime
 * jar (location {@code jar/...}, which is no URL) from the runtime jar. Registered once per run
 * through the system bundle, so that it also serves an update of this very bundle.
 */
@Component(immediate = true)
public class UpdateLocations {
    static final String PROTOCOL = "switchboard";

    @Activate
    void activate(BundleContext context) throws InvalidSyntaxException {
        BundleContext system = context.getBundle(0).getBundleContext();
        ServiceReference<?>[] earlier = system.getServiceReferences(URLStreamHandlerService.class.getName(),
                "(" + URLConstants.URL_HANDLER_PROTOCOL + "=" + PROTOCOL + ")");
        if (earlier != null && earlier.length > 0) {
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(URLConstants.URL_HANDLER_PROTOCOL, new String[] {PROTOCOL});
        system.registerService(URLStreamHandlerService.class.getName(), new Handler(system), props);
    }

    /** Opens {@code switchboard:<bsn>}: the bundle's own location, read again. */
    static final class Handler extends AbstractURLStreamHandlerService {
        private final BundleContext system;

        Handler(BundleContext system) {
            this.system = system;
        }

        @Override
        public URLConnection openConnection(URL u) throws IOException {
            String bsn = u.getPath();
            for (Bundle b : system.getBundles()) {
                if (bsn.equals(b.getSymbolicName())) {
                    return connection(u, b.getLocation());
                }
            }
            throw new IOException("no bundle named " + bsn + " is installed");
        }

        private static URLConnection connection(URL u, String location) {
            return new URLConnection(u) {
                @Override
                public void connect() {
                }

                @Override
                public InputStream getInputStream() throws IOException {
                    return open(location);
                }
            };
        }
    }

    /** The bytes at a bundle location: a URL (a {@code reference:} one too), or an entry of the runtime jar. */
    static InputStream open(String location) throws IOException {
        if (location.startsWith("jar/")) {
            InputStream in = ClassLoader.getSystemClassLoader().getResourceAsStream(location);
            if (in == null) {
                throw new IOException(location + " is not in the runtime jar");
            }
            return in;
        }
        String l = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        return new URL(l).openStream();
    }
}
