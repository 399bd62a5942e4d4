/**
 * The switching core: the single-writer control ring that turns edits into immutable switch-table
 * snapshots, and the buses (rings) that carry messages to handlers running on their own threads.
 */
@Export
@Version("2.1.0")
package io.switchboard.api.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
