/**
 * Traffic counters of the data path: kept per event loop, written only by their loop, merged when
 * scraped. The transport owns them (they outlive updates of the protocol bundles, of the metrics
 * bundle and, through its hand-over, of the transport itself); protocols count into them.
 */
@Export
@Version("1.0.0")
package io.switchboard.api.telemetry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
