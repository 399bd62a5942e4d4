package io.switchboard.core.impl;

import io.switchboard.api.core.TableEdit;

/** A slot of the control ring. */
final class EditEvent {
    TableEdit edit;
}
