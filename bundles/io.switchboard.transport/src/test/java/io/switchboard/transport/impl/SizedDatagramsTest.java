package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.LOOPBACK;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.DatagramBinding;
import io.switchboard.api.transport.DatagramFlowHandler;
import io.switchboard.api.transport.DatagramProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Each datagram a frontend reads reaches the protocol in a buffer of its own size, byte for byte, whatever its size. */
class SizedDatagramsTest {

    @Test
    void everySizeFromEmptyToTheLargestArrivesExactlyInABufferOfItsSize() throws Exception {
        List<int[]> seen = new CopyOnWriteArrayList<>(); // readable bytes, capacity
        DatagramProtocol echo = new DatagramProtocol() {
            @Override
            public Map<String, String> options() {
                return Map.of();
            }

            @Override
            public DatagramBinding bind(FrontendSpec frontend) {
                return flow -> new DatagramFlowHandler() {
                    @Override
                    public void datagram(ByteBuf data) {
                        seen.add(new int[] {data.readableBytes(), data.capacity()});
                        flow.reply(data);
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        try (Rig rig = new Rig(1)) {
            rig.transport.addProtocol("echo", echo, 4712, 0, "test.echo sized", 9);
            int port = rig.frontend(spec("datagrams", "echo", 0));
            Random random = new Random(7);
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                client.setSoTimeout(5000);
                client.setReceiveBufferSize(1 << 20);
                for (int size : new int[] {0, 1, 100, 1472, 9000, 40_000, 65_507}) {
                    byte[] out = new byte[size];
                    random.nextBytes(out);
                    client.send(new DatagramPacket(out, size, LOOPBACK, port));
                    byte[] in = new byte[65_536];
                    DatagramPacket reply = new DatagramPacket(in, in.length);
                    client.receive(reply);
                    assertEquals(size, reply.getLength());
                    assertArrayEquals(out, java.util.Arrays.copyOf(in, reply.getLength()), "datagram of " + size + " bytes");
                    int[] s = seen.get(seen.size() - 1);
                    assertEquals(size, s[0]);
                    assertTrue(s[1] <= size + (size >> 2) + 64, "a datagram of " + size + " bytes in a buffer of " + s[1]);
                }
            }
        }
    }

    @Test
    void aSliceOrAnOversizedBufferIsCopiedAndReleasedAndAFittingOneKept() {
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        ByteBuf big = alloc.directBuffer(65_536).writeBytes(new byte[] {1, 2, 3});
        ByteBuf fitted = SizedDatagrams.fit(alloc, big);
        assertEquals(0, big.refCnt(), "the big one goes back to the pool");
        assertEquals(3, fitted.capacity());
        assertEquals(2, fitted.getByte(1));
        fitted.release();

        ByteBuf batch = alloc.directBuffer(1024).writeZero(1024);
        ByteBuf slice = batch.retainedSlice(100, 10);
        batch.release();
        ByteBuf fromSlice = SizedDatagrams.fit(alloc, slice);
        assertEquals(0, batch.refCnt(), "the batch buffer is free once its slice was copied");
        assertEquals(10, fromSlice.capacity());
        fromSlice.release();

        ByteBuf own = alloc.directBuffer(100, 100).writeZero(90);
        assertTrue(SizedDatagrams.fit(alloc, own) == own, "nearly full: kept as it is");
        own.release();
    }
}
