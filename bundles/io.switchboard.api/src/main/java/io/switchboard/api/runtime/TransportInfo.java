package io.switchboard.api.runtime;

import org.osgi.annotation.versioning.ProviderType;

/** The I/O transport the data plane runs on. */
@ProviderType
public interface TransportInfo {
    /** {@code epoll}, or {@code nio} when the native transport could not load. */
    String name();

    /** Why the native transport is not in use, or null when it is. */
    String fallbackReason();

    /** Number of event loops (switching threads). */
    int eventLoops();
}
