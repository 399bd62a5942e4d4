/** Balancing policies: factories of immutable per-snapshot balancers. */
@Export
@Version("1.1.0")
package io.switchboard.api.policy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
