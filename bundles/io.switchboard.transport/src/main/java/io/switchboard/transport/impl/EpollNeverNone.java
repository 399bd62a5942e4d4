package io.switchboard.transport.impl;

import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;

/**
 * An epoll registration that never asks for no events at all. Netty 4.2.18's epoll registration
 * removes the file descriptor from epoll when a channel's interest drops to none, but keeps it as
 * added, so the next interest (EPOLLOUT) fails with ENOENT and the channel's output is shut with
 * the bytes still queued. A relay meets that after a half-close: the half-closed side's input has
 * ended (no EPOLLIN, no EPOLLRDHUP), nothing waits to be written, then the other direction fills the
 * socket. EPOLLERR instead of none keeps the descriptor in epoll and asks for nothing more: epoll
 * reports errors whatever is asked.
 */
final class EpollNeverNone implements IoRegistration {
    private final IoRegistration registration;

    EpollNeverNone(IoRegistration registration) {
        this.registration = registration;
    }

    @Override
    public <T> T attachment() {
        return registration.attachment();
    }

    @Override
    public long submit(IoOps ops) {
        if (ops instanceof EpollIoOps && ((EpollIoOps) ops).value() == 0) {
            ops = EpollIoOps.EPOLLERR;
        }
        return registration.submit(ops);
    }

    @Override
    public boolean isValid() {
        return registration.isValid();
    }

    @Override
    public boolean cancel() {
        return registration.cancel();
    }
}
