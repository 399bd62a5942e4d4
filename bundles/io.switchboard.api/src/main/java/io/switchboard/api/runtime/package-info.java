/**
 * What the platform provides to its own parts and to operators: the transport, the frontends and
 * the clusters, with their live status.
 */
@Export
@Version("2.4.0")
package io.switchboard.api.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
