/** Test kit: real HTTP and TCP back-ends and raw clients on the loopback interface. */
@Export
@Version("1.0.0")
package io.switchboard.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
