package io.switchboard.api.log;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The access log service. {@link #log} is called on an event loop once per finished exchange: it
 * copies the exchange's facts into a free slot of a ring (no formatting, no lock, no allocation) and
 * returns; a writer thread formats and writes them. A full ring drops the entry and counts it: the
 * data path never waits for the disk.
 *
 * <p>The service carries the service property {@link #ENABLED} (a Boolean), updated when the
 * configuration turns the log on or off, so that a caller can keep a reference only while it is on
 * and pay one volatile read per request when it is off.
 */
@ProviderType
public interface AccessLog {
    /** Service property: Boolean, whether entries are wanted now. */
    String ENABLED = "switchboard.accesslog.enabled";

    /** Whether entries are wanted now (what {@link #ENABLED} says). */
    boolean enabled();

    /**
     * Copies the exchange's facts into the ring, during this call: the caller may reuse or drop the
     * object afterwards. Never blocks and never throws on a full ring (the entry is dropped and
     * counted). The end of the exchange is the time of this call.
     */
    void log(LoggedExchange exchange);

    /** Entries whose line reached the file (the operating system) so far. */
    long written();

    /** Entries dropped because the ring was full. */
    long dropped();

    /** Entries lost to a write error (disk full, no permission, ...). */
    long failed();

    /** Entries waiting in the ring now. */
    long backlog();

    /** The latest write error, or null if there was none. */
    String lastError();

    /** The settings in force, for operators: e.g. {@code combined to logs/access.log, rotated at 100 MiB, 10 kept}. */
    String describe();
}
