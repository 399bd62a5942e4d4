package io.switchboard.core.impl;

/** A slot of a handler bus. */
final class TaskEvent {
    long key;
    Runnable task;
}
