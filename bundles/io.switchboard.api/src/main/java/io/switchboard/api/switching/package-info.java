/** The intelligent switch as the transport and operators see it: flows, their tracking, messages routed. */
@Export
@Version("2.2.0")
package io.switchboard.api.switching;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
