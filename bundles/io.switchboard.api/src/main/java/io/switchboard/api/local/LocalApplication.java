package io.switchboard.api.local;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An HTTP application inside the runtime, reached through the switch like a remote back-end: register
 * it as a service with {@link #NAME} set, and a cluster endpoint {@code local:NAME} sends requests to it.
 * The platform serves HTTP/1.1 for it on an in-JVM local channel and calls {@link #handle} once per
 * request, with the whole request read.
 *
 * <p>Whole messages, not streams: local applications are small (status pages, JSON APIs, a metrics
 * scrape) and a request or response held in memory keeps this interface free of Netty and of any
 * threading contract. A request body is limited to {@link LocalRequest#MAX_BODY} bytes (larger ones
 * get 413 without the application being called).
 *
 * <p>Threading: {@link #handle} runs on a thread of the platform's local-application pool, never on
 * a switching event loop, so it may block briefly; calls for different requests may run at once.
 * An exception fails that request only: the client gets a 500 and the next request is called as usual.
 */
@ConsumerType
public interface LocalApplication {
    /** Service property: the name a cluster endpoint {@code local:NAME} reaches this application by. */
    String NAME = "switchboard.local.name";

    /** Answers one request. Throwing gives the client a 500 for this request only. */
    LocalResponse handle(LocalRequest request) throws Exception;
}
