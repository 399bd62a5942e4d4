/** Value types shared by every part of the platform: endpoints (on the network, or local applications since 1.1) and the request context. */
@Export
@Version("1.1.0")
package io.switchboard.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
