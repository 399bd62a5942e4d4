/**
 * The transport SPI: what a protocol bundle uses to speak its protocol on the platform's sockets.
 * The transport owns the event loops, the listening sockets (and their hand-over across updates),
 * the per-loop back-end connection pools and the flows; a protocol bundle registers a
 * {@link io.switchboard.api.transport.FrontendProtocol} under the name frontends give, and the
 * transport hands it each connection (or datagram flow) accepted on such a frontend. The transport
 * imports nothing from any protocol bundle.
 */
@Export
@Version("1.2.0")
package io.switchboard.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
