/** Request classification: the default handler's way of giving a request a type. */
@Export
@Version("1.0.0")
package io.switchboard.api.handler;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
