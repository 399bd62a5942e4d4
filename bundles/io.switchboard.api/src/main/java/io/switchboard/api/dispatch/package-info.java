/**
 * The dispatch table: session entries (client key to endpoint id) that several dispatchers behind
 * one address share, so a client whose connections land on different dispatchers reaches one
 * endpoint.
 */
@Export
@Version("1.1.0")
package io.switchboard.api.dispatch;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
