package io.switchboard.api.core;

/** One Disruptor ring of the core at one moment: its size and its free slots. */
public final class RingStatus {
    private final String name;
    private final long size;
    private final long remaining;

    public RingStatus(String name, long size, long remaining) {
        this.name = name;
        this.size = size;
        this.remaining = remaining;
    }

    /** {@code control}, or the name of the handler a bus carries work to. */
    public String name() { return name; }
    public long size() { return size; }
    /** Slots free now: a ring with none refuses (a bus) or holds up (the control ring) the next publication. */
    public long remaining() { return remaining; }
}
