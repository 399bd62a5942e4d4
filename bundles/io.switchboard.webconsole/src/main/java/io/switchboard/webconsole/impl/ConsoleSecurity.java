package io.switchboard.webconsole.impl;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The Web Console's login. The console's own default is admin/admin, known to everyone; the web
 * console profile names this provider in {@code felix.webconsole.security.providers}, so the console
 * does not open at all until it is registered, and never with that default.
 * <p>
 * The password is {@code switchboard.webconsole.password} (the password, or its
 * {@code {sha-256}BASE64} digest) when the operator sets it; otherwise one is generated when the
 * platform starts and printed once on the console. Only its digest is kept, in this bundle's data
 * area, which outlives updates and refreshes of the bundle but not the run (the framework storage is
 * cleaned at each start): an update does not change the password, a restart makes a new one.
 */
@Component(property = SecurityProvider.PROPERTY_ID + "=switchboard")
public class ConsoleSecurity implements SecurityProvider {
    static final String USER_PROPERTY = "switchboard.webconsole.user";
    static final String PASSWORD_PROPERTY = "switchboard.webconsole.password";
    static final String DIGEST_FILE = "console-password";
    private static final String REALM = "Switchboard Web Console";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private String user;
    private ConsolePassword password;

    @Activate
    void activate(BundleContext context) throws IOException {
        String u = context.getProperty(USER_PROPERTY);
        user = u == null || u.isBlank() ? "admin" : u.trim();
        String setting = context.getProperty(PASSWORD_PROPERTY);
        if (setting != null) {
            try {
                password = ConsolePassword.of(setting);
            } catch (IllegalArgumentException e) {
                // Fail closed: without this provider the console stays shut.
                log.error("web console stays closed: {} is not usable: {}", PASSWORD_PROPERTY, e.getMessage());
                throw e;
            }
            return;
        }
        password = keptOrGenerated(context);
    }

    private ConsolePassword keptOrGenerated(BundleContext context) throws IOException {
        File kept = context.getDataFile(DIGEST_FILE);
        if (kept == null) {
            throw new IOException("the framework gives this bundle no data area to keep the console password in");
        }
        if (kept.isFile()) {
            return ConsolePassword.of(Files.readString(kept.toPath(), StandardCharsets.UTF_8).trim());
        }
        String generated = ConsolePassword.generate();
        ConsolePassword p = ConsolePassword.of(generated);
        Files.writeString(kept.toPath(), p.notation(), StandardCharsets.UTF_8);
        // On standard output only, once: not into the OSGi log, which the console itself shows.
        System.out.println("web console: " + consoleUrl(context) + "  user " + user + "  password " + generated
                + "  (generated for this run; -D" + PASSWORD_PROPERTY + "=... sets one)");
        System.out.flush();
        log.info("web console password generated for this run and printed on the console");
        return p;
    }

    static String consoleUrl(BundleContext context) {
        String host = context.getProperty("org.apache.felix.http.host");
        String port = context.getProperty("org.osgi.service.http.port");
        return "http://" + (host == null ? "localhost" : host) + ":" + (port == null ? "8080" : port) + "/system/console";
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        BasicCredentials c = BasicCredentials.parse(request.getHeader("Authorization"));
        if (c != null && c.user().equals(user) && password.matches(c.password())) {
            return c.user();
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        try {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        // One operator account: whoever logged in may do everything the console offers.
        return true;
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // Basic authentication has no server-side session to end: the browser forgets on close.
    }
}
