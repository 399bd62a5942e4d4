/**
 * Local applications: HTTP applications inside the runtime, registered as OSGi services, that the
 * switch reaches through its pseudo-network interface (Netty's in-JVM local transport) exactly as it
 * reaches a remote back-end. A cluster endpoint written {@code local:NAME} is the application
 * registered with {@code switchboard.local.name=NAME}. No Netty type appears here: an application
 * depends on this package only.
 */
@Export
@Version("1.0.0")
package io.switchboard.api.local;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
