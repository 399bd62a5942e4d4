package io.switchboard.api.runtime;

import org.osgi.annotation.versioning.ProviderType;

/** The I/O transport the data plane runs on. */
@ProviderType
public interface TransportInfo {
    /** {@code epoll}, {@code io_uring}, or {@code nio} (chosen, or when no native transport could load). */
    String name();

    /** Why the configured transport is not in use (or that NIO was chosen), or null when it runs as configured. */
    String fallbackReason();

    /** Number of event loops (switching threads). */
    int eventLoops();
}
