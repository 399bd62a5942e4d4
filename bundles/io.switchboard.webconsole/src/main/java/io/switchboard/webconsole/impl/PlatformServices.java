package io.switchboard.webconsole.impl;

import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.TransportInfo;

/**
 * The platform services one rendering of the page reads, each taken once (they are dynamic
 * references: any may be gone, or replaced, while its bundle is being updated). Null: not there now.
 */
record PlatformServices(TransportInfo transport, FrontendService frontends, ClusterDirectory clusters) {
}
