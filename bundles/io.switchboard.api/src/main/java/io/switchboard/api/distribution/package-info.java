/**
 * Load distribution: the control processor's master module feeds the agents' raw reports into a
 * pluggable algorithm, which turns them into endpoint weights.
 */
@Export
@Version("1.0.0")
package io.switchboard.api.distribution;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
