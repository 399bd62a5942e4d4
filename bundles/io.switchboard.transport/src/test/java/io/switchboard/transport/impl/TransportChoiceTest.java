package io.switchboard.transport.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The {@code transport} key: which loops each value gives, what a bad value and a live switch do, and what an adopting version reads. */
class TransportChoiceTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    private List<String> logged(String fragment) {
        return log.stream().filter(l -> l.contains(fragment)).toList();
    }

    @Test
    void ioUringRunsOnIoUringLoopsAndSaysSo() {
        Transport t = Transport.standalone(2, "io_uring", log::add);
        try {
            assertEquals("io_uring", t.name());
            assertNull(t.fallbackReason());
            assertEquals(IoUringServerSocketChannel.class, t.loops().serverChannelClass());
            assertEquals(IoUringSocketChannel.class, t.loops().socketChannelClass());
            assertEquals(IoUringDatagramChannel.class, t.loops().datagramChannelClass());
            assertEquals(List.of("INFO  transport: transport io_uring, 2 event loops"), logged("event loops"), log.toString());
            assertTrue(t.loops().socketPerLoop(), "io_uring binds a socket per accepting loop (SO_REUSEPORT)");
        } finally {
            t.stop();
        }
    }

    @Test
    void autoRunsOnIoUringWhereItLoads() {
        assumeTrue(IoUring.isAvailable(), "io_uring loads here");
        for (String v : List.of("auto", "AUTO", "io_uring")) {
            Transport t = Transport.standalone(1, v, log::add);
            try {
                assertEquals("io_uring", t.name(), v);
                assertEquals(IoUringSocketChannel.class, t.loops().socketChannelClass());
                assertEquals(List.of(), logged("WARN"), log.toString());
            } finally {
                t.stop();
            }
        }
    }

    @Test
    void epollRunsOnEpoll() {
        for (String v : List.of("epoll", "EPOLL")) {
            Transport t = Transport.standalone(1, v, log::add);
            try {
                assertEquals("epoll", t.name(), v);
                assertEquals(EpollSocketChannel.class, t.loops().socketChannelClass());
            } finally {
                t.stop();
            }
        }
    }

    @Test
    void nioIsChosenNotAFallback() {
        Transport t = Transport.standalone(1, "nio", log::add);
        try {
            assertEquals("nio", t.name());
            assertEquals(List.of(), logged("WARN"), "choosing nio is no fallback: " + log);
            assertEquals(1, logged("transport nio, 1 event loops: nio chosen by configuration").size(), log.toString());
        } finally {
            t.stop();
        }
    }

    @Test
    void anUnknownTransportIsRejectedWithOneLineAndTheDefaultRuns() {
        Transport t = Transport.standalone(1, "uring", log::add);
        try {
            assertEquals(IoUring.isAvailable() ? "io_uring" : "epoll", t.name());
            List<String> errors = logged("ERROR");
            assertEquals(1, errors.size(), log.toString());
            assertTrue(errors.get(0).contains("key 'transport': 'uring' is not one of auto, epoll, io_uring, nio; the transport starts with its defaults"),
                    errors.get(0));
        } finally {
            t.stop();
        }
    }

    /** A rejected file is said once: the next file (or its deletion) is compared with what runs, not read again. */
    @Test
    void aRejectedFileIsSaidOnceAndNotReadAgain() {
        Transport t = Transport.standalone(1, "epoll", log::add);
        try {
            t.modified(Map.of("eventLoops", -1, "transport", "epoll"));
            assertEquals(1, logged("ERROR").size(), log.toString());
            assertTrue(logged("ERROR").get(0).contains("key 'eventLoops': -1 is out of range 0..1024; the running configuration stays"), log.toString());
            assertEquals(1, t.loops().size(), "what ran keeps running");
            t.modified(Map.of("eventLoops", 2, "transport", "epoll"));
            assertEquals(1, logged("ERROR").size(), "the rejected file was not read again: " + log);
            assertEquals(2, t.loops().size());
        } finally {
            t.stop();
        }
    }

    @Test
    void switchingTransportsLiveIsRefusedAndWhatRunsKeepsRunning() {
        Transport t = Transport.standalone(1, "epoll", log::add);
        try {
            t.modified(Map.of("eventLoops", 1, "transport", "io_uring"));
            assertEquals("epoll", t.name());
            List<String> errors = logged("ERROR");
            assertEquals(1, errors.size(), log.toString());
            assertTrue(errors.get(0).contains("key 'transport': switching between transports (epoll, io_uring, nio) is not done live (running on epoll); it takes a restart; the running configuration stays"),
                    errors.get(0));
            // the same loops under another name is no switch
            t.modified(Map.of("eventLoops", 1, "transport", "EPOLL"));
            assertEquals(1, logged("ERROR").size(), log.toString());
        } finally {
            t.stop();
        }
    }

    @Test
    void anAdoptingVersionReadsTheKindOfTheLoops() {
        assertEquals(Loops.Kind.IO_URING, Transport.adoptedKind(Map.of("kind", "io_uring", "epoll", false)));
        assertEquals(Loops.Kind.EPOLL, Transport.adoptedKind(Map.of("kind", "epoll", "epoll", true)));
        assertEquals(Loops.Kind.NIO, Transport.adoptedKind(Map.of("kind", "nio", "epoll", false)));
        // a version from before io_uring only said whether its loops were epoll
        assertEquals(Loops.Kind.EPOLL, Transport.adoptedKind(Map.of("epoll", true)));
        assertEquals(Loops.Kind.NIO, Transport.adoptedKind(Map.of("epoll", false)));
    }
}
