package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The response reader fed by hand: every way a response can be cut into reads gives the same result. */
class ResponseReaderTest {
    /** Records what the reader reports, as text. */
    private static final class Recorder implements ResponseReader.Listener {
        final StringBuilder heads = new StringBuilder();
        final StringBuilder body = new StringBuilder();
        final StringBuilder events = new StringBuilder();
        int ends;
        String invalid;
        boolean outOfStep;

        @Override
        public void responseHead(ResponseHead head) {
            ByteBuf b = head.encode(ByteBufAllocator.DEFAULT, null, null);
            heads.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }

        @Override
        public void responseBody(ByteBuf part) {
            body.append(part.toString(StandardCharsets.ISO_8859_1));
            part.release();
        }

        @Override
        public void switched(ResponseHead head, ByteBuf rest) {
            events.append("switched;");
            if (rest != null) {
                rest.release();
            }
        }

        @Override
        public void responseEnd() {
            ends++;
            events.append("end;");
        }

        @Override
        public void responseInvalid(String reason) {
            invalid = reason;
        }

        @Override
        public void outOfStep() {
            outOfStep = true;
            events.append("out-of-step;");
        }
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aResponseCutAtAnyTwoPointsReadsTheSame() {
        String head = "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nTransfer-Encoding: chunked\r\nX-A: a\r\n\r\n";
        String body = "5;e=1\r\nhello\r\n1\r\n!\r\n0\r\nT: t\r\n\r\n";
        String all = head + body;
        String expectedHead = "HTTP/1.1 200 OK\r\nX-A: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 1; i < all.length(); i++) {
            for (int j = i; j < all.length(); j++) {
                Recorder r = new Recorder();
                ResponseReader reader = new ResponseReader(r);
                reader.expect(false);
                reader.read(bytes(all.substring(0, i)));
                reader.read(bytes(all.substring(i, j)));
                reader.read(bytes(all.substring(j)));
                String at = "cut at " + i + " and " + j;
                assertNull(r.invalid, at);
                assertEquals(expectedHead, r.heads.toString(), at);
                assertEquals(body, r.body.toString(), at);
                assertEquals(1, r.ends, at);
            }
        }
    }

    @Test
    void aContentLengthBodyEndsAtItsLengthAndMoreBytesAreOutOfStep() {
        Recorder r = new Recorder();
        ResponseReader reader = new ResponseReader(r);
        reader.expect(false);
        reader.read(bytes("HTTP/1.0 404 Not Found\r\nContent-Length: 4\r\n\r\nnopeEXTRA"));
        assertEquals("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\n", r.heads.toString());
        assertEquals("nope", r.body.toString());
        assertEquals(1, r.ends);
        assertEquals("out-of-step;end;", r.events.toString(),
                "bytes after the response, with no request, put the connection out of step before it could be pooled");
    }

    @Test
    void bytesAfterABodilessOrChunkedResponseAreOutOfStepToo() {
        for (String response : new String[] {"HTTP/1.1 204 No Content\r\n\r\nX",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX"}) {
            Recorder r = new Recorder();
            ResponseReader reader = new ResponseReader(r);
            reader.expect(false);
            reader.read(bytes(response));
            assertEquals("out-of-step;end;", r.events.toString(), response);
            assertEquals(1, r.ends);
        }
    }

    @Test
    void interimHeadsComeBeforeTheFinalOneAndAResponseToHeadHasNoBody() {
        Recorder r = new Recorder();
        ResponseReader reader = new ResponseReader(r);
        reader.expect(true);
        reader.read(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"));
        assertEquals("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", r.heads.toString());
        assertEquals("", r.body.toString());
        assertEquals(1, r.ends);
    }

    @Test
    void aHeadThatNeverEndsIsRefusedPastTheLimit() {
        Recorder r = new Recorder();
        ResponseReader reader = new ResponseReader(r);
        reader.expect(false);
        reader.read(bytes("HTTP/1.1 200 OK\r\n"));
        String line = "X-Filler: " + "f".repeat(1000) + "\r\n";
        for (int i = 0; i < 30 && r.invalid == null; i++) {
            reader.read(bytes(line));
        }
        assertTrue(r.invalid != null && r.invalid.contains("over"), String.valueOf(r.invalid));
    }

    @Test
    void oneConnectionsResponsesEachGetOnlyTheirOwnHeadThoughTheReaderReusesIt() {
        // The reader refills one head (and its range array) per response: a long head after a short
        // one grows it, a short one after a long one must carry none of the earlier lines, framing or Upgrade.
        StringBuilder many = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
        for (int i = 0; i < 40; i++) {
            many.append("X-Line-").append(i).append(": ").append(i).append("\r\n");
        }
        String[] heads = {
            "HTTP/1.1 200 OK\r\nX-A: a\r\nContent-Length: 2\r\n\r\n",
            many + "\r\n",
            "HTTP/1.1 404 Not Found\r\nConnection: X-Hop\r\nX-Hop: 1\r\nX-B: b\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
        };
        String[] bodies = {"ok", "ok", "2\r\nok\r\n0\r\n\r\n", "", "ok"};
        String[] expected = {
            "HTTP/1.1 200 OK\r\nX-A: a\r\nContent-Length: 2\r\n\r\n",
            many + "\r\n",
            "HTTP/1.1 404 Not Found\r\nX-B: b\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
        };
        Recorder r = new Recorder();
        ResponseReader reader = new ResponseReader(r);
        for (int i = 0; i < heads.length; i++) {
            r.heads.setLength(0);
            r.body.setLength(0);
            reader.expect(false);
            reader.read(bytes(heads[i] + bodies[i]));
            assertNull(r.invalid, heads[i]);
            assertEquals(expected[i], r.heads.toString(), "response " + i);
            assertEquals(bodies[i], r.body.toString(), "response " + i);
            assertEquals(i + 1, r.ends, "response " + i);
        }
    }
}
