/**
 * Flows and the handlers that serve them: the contracts of the intelligent switch. A flow is one
 * client connection (TCP, HTTP) or one client's datagrams (UDP); its messages go to the default
 * handler until one of them reassigns the flow, or part of it, to a specialized handler.
 */
@Export
@Version("2.0.0")
package io.switchboard.api.flow;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
