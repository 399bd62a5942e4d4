/**
 * Request routing: rules over a request's application-layer information (path, host, method,
 * header, cookie, query parameter, client address, device type) that pick a cluster.
 */
@Export
@Version("2.0.0")
package io.switchboard.api.routing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
