package io.switchboard.transport.impl;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.local.LocalIoHandle;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An event loop's I/O handler (epoll, or NIO) that also carries Netty's in-JVM local channels, so a
 * back-end connection to a {@code local:NAME} endpoint runs on the client's own loop like any
 * other: no thread hop, no lock, the same per-loop pool. Netty 4.2 lets an epoll loop register only
 * epoll handles; a local channel needs no I/O readiness at all (its peer hands it data as tasks on
 * its loop), so here it is only kept in a set, to be closed when the loop ends, as Netty's own
 * {@code LocalIoHandler} does. Everything else goes to the wrapped handler.
 */
final class LocalCapableIoHandler implements IoHandler {
    private final IoHandler io;
    private final ThreadAwareExecutor executor;
    /** Touched on the loop's own thread only. */
    private final Set<LocalIoHandle> locals = new HashSet<>();

    private LocalCapableIoHandler(IoHandler io, ThreadAwareExecutor executor) {
        this.io = io;
        this.executor = executor;
    }

    static IoHandlerFactory wrap(IoHandlerFactory io) {
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new LocalCapableIoHandler(io.newHandler(executor), executor);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return io.isChangingThreadSupported();
            }
        };
    }

    @Override public void initialize() { io.initialize(); }
    @Override public int run(IoHandlerContext context) { return io.run(context); }
    @Override public void wakeup() { io.wakeup(); }
    @Override public void destroy() { io.destroy(); }

    @Override
    public void prepareToDestroy() {
        for (LocalIoHandle h : locals.toArray(new LocalIoHandle[0])) {
            h.closeNow();
        }
        locals.clear();
        io.prepareToDestroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        if (!(handle instanceof LocalIoHandle)) {
            IoRegistration r = io.register(handle);
            return handle instanceof EpollIoHandle ? new EpollNeverNone(r) : r;
        }
        LocalIoHandle local = (LocalIoHandle) handle;
        if (!locals.add(local)) {
            throw new IllegalStateException("local channel registered twice");
        }
        local.registered();
        return new LocalRegistration(local);
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return LocalIoHandle.class.isAssignableFrom(handleType) || io.isCompatible(handleType);
    }

    /** A local channel's registration: nothing to submit; cancelling forgets it on the loop. */
    private final class LocalRegistration implements IoRegistration {
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final LocalIoHandle handle;

        LocalRegistration(LocalIoHandle handle) {
            this.handle = handle;
        }

        @Override public <T> T attachment() { return null; }
        @Override public long submit(IoOps ops) { throw new UnsupportedOperationException("a local channel has no I/O operations"); }
        @Override public boolean isValid() { return !cancelled.get(); }

        @Override
        public boolean cancel() {
            if (!cancelled.compareAndSet(false, true)) {
                return false;
            }
            if (executor.isExecutorThread(Thread.currentThread())) {
                forget();
            } else {
                executor.execute(this::forget);
            }
            return true;
        }

        private void forget() {
            if (locals.remove(handle)) {
                handle.unregistered();
            }
        }
    }
}
