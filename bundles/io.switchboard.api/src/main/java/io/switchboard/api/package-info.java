/** Value types shared by every part of the platform: endpoints and the request context. */
@Export
@Version("1.0.0")
package io.switchboard.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
