package io.switchboard.control.impl.config;

import org.osgi.service.component.ComponentConstants;

/** Why a configuration component was deactivated: only a deleted configuration undoes what it applied. */
final class Deletion {
    private Deletion() {
    }

    /** The configuration was deleted (its file removed), not the bundle stopped or a service replaced. */
    static boolean deleted(int reason) {
        return reason == ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED
                || reason == ComponentConstants.DEACTIVATION_REASON_DISPOSED;
    }
}
