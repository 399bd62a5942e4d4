package io.switchboard.api.tls;

import io.netty.channel.Channel;
import org.osgi.annotation.versioning.ProviderType;

/** TLS readied for one frontend. */
@ProviderType
public interface TlsBinding {
    /**
     * Adds the terminating handler, named {@link Tls#HANDLER}, at the end of a newly accepted
     * connection's pipeline (which holds at most what must come before TLS); the protocol's
     * handlers go after it. Called on the connection's event loop; does not block.
     */
    void accept(Channel channel);

    /** Stops watching the files (the frontend no longer uses this binding). Connections already set up are not touched. */
    void close();
}
