/**
 * TLS termination on stream frontends. The TLS bundle registers a
 * {@link io.switchboard.api.tls.TlsTermination} service; the transport asks it to ready TLS for
 * every frontend whose configuration names a certificate, and puts the terminating handler at the
 * front of each connection's pipeline (under {@link io.switchboard.api.tls.Tls#HANDLER}) before the
 * protocol adds its own. Protocols see plain bytes and may read the handshake's results.
 */
@Export
@Version("1.0.0")
package io.switchboard.api.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
