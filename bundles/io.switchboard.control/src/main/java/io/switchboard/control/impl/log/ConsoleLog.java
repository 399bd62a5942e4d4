package io.switchboard.control.impl.log;

import io.switchboard.support.lifecycle.Handover;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.admin.LoggerAdmin;

/**
 * Prints the OSGi log to the console, one line per entry (the operator's view of the platform and
 * of FileInstall, SCR and the framework). Level: framework property {@code switchboard.log.level},
 * default INFO.
 */
@Component(immediate = true)
public class ConsoleLog implements LogListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Reference
    private LogReaderService reader;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL)
    private LoggerAdmin admin;

    private org.osgi.framework.BundleContext context;
    private org.osgi.framework.ServiceReference<LogReaderService> ownReader;
    private LogReaderService listening;
    private volatile LogLevel threshold = LogLevel.INFO;
    private final PrintStream out = System.out;
    static final String HANDOVER_KEY = "io.switchboard.control.console";
    /** The sequence number of the latest entry printed, and of the first this version heard. */
    private long lastPrinted = -1;
    private long firstHeard = -1;

    @Activate
    void activate(org.osgi.framework.BundleContext context) {
        String level = context.getProperty("switchboard.log.level");
        if (level != null) {
            try {
                threshold = LogLevel.valueOf(level.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                out.println("unknown switchboard.log.level '" + level + "', using INFO");
            }
        }
        if (admin != null) {
            // The OSGi log drops everything below WARN unless told otherwise.
            admin.getLoggerContext(null).setLogLevels(Map.of(Logger.ROOT_LOGGER_NAME, threshold));
        }
        // A reader of its own, not the one SCR binds: SCR lets go of that one when it disposes this
        // component, and at a framework stop it may do so before the transport has logged its
        // listeners closing and its connections draining.
        this.context = context;
        ownReader = context.getServiceReference(LogReaderService.class);
        LogReaderService own = ownReader == null ? null : context.getService(ownReader);
        if (own == null) {
            ownReader = null;
        }
        listening = own == null ? reader : own;
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        listening.addLogListener(this);
        if (left != null) {
            replaySince((Long) left.get("lastPrinted"));
        }
    }

    /**
     * Prints what was logged while no version of this bundle listened (the bundle was being
     * updated): the log service keeps the latest entries, and each has a sequence number.
     */
    private synchronized void replaySince(long lastPrinted) {
        List<LogEntry> missed = new ArrayList<>();
        Enumeration<LogEntry> e = listening.getLog();
        while (e.hasMoreElements()) {
            LogEntry x = e.nextElement();
            if (x.getSequence() > lastPrinted && (firstHeard < 0 || x.getSequence() < firstHeard)) {
                missed.add(x);
            }
        }
        missed.sort(Comparator.comparingLong(LogEntry::getSequence));
        for (LogEntry x : missed) {
            print(x);
        }
    }

    /** At a framework stop the log is printed to the end: the listener goes with this bundle. */
    @Deactivate
    void deactivate() {
        if (Handover.frameworkStopping(context)) {
            return;
        }
        listening.removeLogListener(this);
        Handover.leave(context, HANDOVER_KEY, Map.of("lastPrinted", lastPrinted), 60_000, () -> { });
        if (ownReader != null) {
            context.ungetService(ownReader);
        }
    }

    @Override
    public synchronized void logged(LogEntry entry) {
        if (firstHeard < 0) {
            firstHeard = entry.getSequence();
        }
        print(entry);
    }

    private void print(LogEntry entry) {
        lastPrinted = Math.max(lastPrinted, entry.getSequence());
        LogLevel level = entry.getLogLevel();
        if (!threshold.implies(level)) {
            return;
        }
        String logger = entry.getLoggerName();
        if (logger != null && logger.startsWith("Events.") && !LogLevel.WARN.implies(level)) {
            return; // the framework's own bundle/service/framework events: noise for an operator
        }
        String origin = entry.getBundle() == null ? "-" : entry.getBundle().getSymbolicName();
        StringBuilder line = new StringBuilder(128)
                .append(LocalTime.ofInstant(Instant.ofEpochMilli(entry.getTime()), ZoneId.systemDefault()).format(TIME)).append(' ')
                .append(String.format("%-5s", level.name())).append(' ')
                .append(origin).append(": ").append(entry.getMessage());
        Throwable t = entry.getException();
        if (t != null) {
            line.append(" (").append(t).append(')');
            Throwable cause = t.getCause();
            if (cause != null && cause != t) {
                line.append(" caused by ").append(cause);
            }
        }
        out.println(line);
    }
}
