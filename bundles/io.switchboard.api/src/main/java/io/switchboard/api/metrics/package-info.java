/** Telemetry the platform exposes: the Prometheus scrape. */
@Export
@Version("1.0.0")
package io.switchboard.api.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
