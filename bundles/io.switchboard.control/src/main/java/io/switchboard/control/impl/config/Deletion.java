package io.switchboard.control.impl.config;

import io.switchboard.support.lifecycle.Handover;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.ComponentConstants;

/** Why a configuration component was deactivated: only a deleted configuration undoes what it applied. */
public final class Deletion {
    private Deletion() {
    }

    /**
     * The configuration was deleted (its file removed), not the bundle stopped or a service replaced.
     * SCR says "disposed" both for a deleted factory configuration and for its own stop when the
     * framework stops; the latter is no deletion: the frontends must stay for the transport to drain
     * the connections they hold.
     */
    public static boolean deleted(int reason, BundleContext context) {
        return reason == ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED
                || (reason == ComponentConstants.DEACTIVATION_REASON_DISPOSED && !Handover.frameworkStopping(context));
    }
}
