/**
 * The access log: one line per finished HTTP exchange, written off the data path. The HTTP handler
 * hands each exchange to {@link io.switchboard.api.log.AccessLog}, which copies its facts into a
 * pre-allocated slot of a ring and returns; a writer thread formats and writes them.
 */
@Export
@Version("1.0.0")
package io.switchboard.api.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
