package io.switchboard.transport.impl;

import io.switchboard.api.tls.TlsBinding;
import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.StreamBinding;

/**
 * A stream frontend that terminates TLS: each connection gets the TLS handler first, then the
 * protocol's handlers after it, so the protocol reads and writes plain bytes.
 */
final class SecureBinding implements StreamBinding {
    final TlsBinding tls;
    final StreamBinding protocol;

    SecureBinding(TlsBinding tls, StreamBinding protocol) {
        this.tls = tls;
        this.protocol = protocol;
    }

    @Override
    public void accept(Connection connection) {
        tls.accept(connection.channel());
        protocol.accept(connection);
    }

    /** Stops the TLS binding's file watch when the binding is no longer the frontend's. */
    static void retire(Object binding) {
        if (binding instanceof SecureBinding) {
            ((SecureBinding) binding).tls.close();
        }
    }
}
