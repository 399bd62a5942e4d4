package io.switchboard.api;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Read-only view of one request (L7) or one connection (L4) as the platform sees it when it must
 * decide where the request goes. Implemented by the platform; policies and classifiers only read.
 */
@ProviderType
public interface RequestContext {
    /** Name of the frontend the request arrived on. */
    String frontend();

    /** Address of the client as seen by the frontend. */
    InetSocketAddress clientAddress();

    /**
     * An application-layer attribute, or null when the request has none or the frontend does not
     * parse that layer. Names: {@code method}, {@code path}, {@code host}, {@code header:<name>}.
     */
    String attribute(String name);
}
