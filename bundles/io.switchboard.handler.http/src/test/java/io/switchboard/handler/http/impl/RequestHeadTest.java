package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scanner's own heads ({@link RequestHead} over the bytes, no decoder) against Netty's decoded
 * requests for the same bytes: what routing reads of them and what the back-end gets must be the
 * same, byte for byte, whichever path a head took.
 */
class RequestHeadTest {
    /** Bodiless heads in origin-form with one Host (or HTTP/1.0 without): the scanner passes them itself. */
    private static final String[] FAST = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /p/q?x=%20y&z=&w HTTP/1.1\r\nhOsT:  a.example:8080 \r\nUser-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS)\r\n"
            + "Cookie: a=1; b=\"2\"\r\nCookie: c=3\r\nX-Foo:\tbar  baz\t\r\nReferer: http://r/\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Drop, keep-alive , Host\r\nX-Drop: 1\r\nX-Keep: 2\r\nKeep-Alive: 5\r\n"
            + "TE: trailers\r\nProxy-Connection: x\r\nUpgradeable: no\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nconnection: Keep-Alive, CLOSE\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2, 3.3.3.3\r\nForwarded: for=1.1.1.1\r\n"
            + "X-Forwarded-Proto: http\r\nforwarded: for=4.4.4.4;proto=https\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX_Under: 1\r\nX-Ok: 2\r\n_: 3\r\n\r\n",
        "GET /old HTTP/1.0\r\n\r\n",
        "GET /old HTTP/1.0\r\nConnection: keep-alive\r\nHost: b:81\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Blank:   \t \r\nX-Last: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Latin: caf\u00e9 \u00ff\r\n\r\n",
        "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n",
        "PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS /o HTTP/1.1\r\nHost: a\r\nUser-Agent: Googlebot/2.1\r\n\r\n",
        "\r\n\r\nGET /after-empty-lines HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Quoted: \"a, b\", c\r\nConnection: x-quoted\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    };

    /** Bodies of a known length, Content-Length written as the decoder leaves it: the scanner passes them too. */
    private static final String[] FAST_BODY = {
        "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "PUT /p HTTP/1.1\r\nHost: a\r\ncontent-length:\t11 \r\nExpect: 100-continue\r\n\r\nhello world",
        "POST /old HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
    };

    /** Heads the scanner leaves to the decoder: framing fields, absolute-form, CONNECT, upgrades are its and the validator's. */
    private static final String[] SLOW = {
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 00\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
        "GET http://a/abs?x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET http://c:8080/ HTTP/1.0\r\n\r\n",
    };

    private static final String[] ATTRIBUTES = {"method", "uri", "path", "query", "host", "device", "header:x-foo",
        "header:User-Agent", "header:cookie", "header:missing", "cookie:a", "cookie:b", "cookie:c", "cookie:d", "query:x",
        "query:z", "query:w", "query:v"};

    private static EmbeddedChannel channel(boolean fastHeads) {
        RequestFramingValidator validator = new RequestFramingValidator();
        RequestHeadScanner scanner = new RequestHeadScanner(validator, 10_000, HttpSettings.DEFAULTS, fastHeads);
        validator.scanner(scanner);
        return new EmbeddedChannel(scanner, new HttpRequestDecoder(HttpSettings.DEFAULTS.decoder), validator);
    }

    /** What comes out of the pipeline for {@code in}, cut into reads at {@code cuts}: heads, body parts as text, ends. */
    private static List<Object> run(boolean fastHeads, byte[] in, int... cuts) {
        EmbeddedChannel ch = channel(fastHeads);
        int from = 0;
        for (int cut : cuts) {
            ch.writeInbound(Unpooled.wrappedBuffer(in, from, cut - from));
            from = cut;
        }
        ch.writeInbound(Unpooled.wrappedBuffer(in, from, in.length - from));
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof HttpRequest) {
                HttpRequest r = (HttpRequest) m;
                assertFalse(r.decoderResult().isFailure(), () -> "rejected: " + r.decoderResult());
                out.add(DECODED);
                out.add(RequestHead.of(r));
            } else if (m instanceof RequestHead) {
                out.add(m);
            }
            if (m instanceof HttpContent) {
                HttpContent c = (HttpContent) m;
                if (c.content().isReadable()) {
                    out.add("body:" + c.content().toString(StandardCharsets.ISO_8859_1));
                }
                if (m instanceof LastHttpContent) {
                    out.add("end");
                }
            }
            ReferenceCountUtil.release(m);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    /** Put before a head that came through the decoder (and is read here as a RequestHead). */
    private static final String DECODED = "decoded";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aBodilessHeadSkipsTheDecoderAndReadsAsTheDecodedOne() {
        for (String request : FAST) {
            List<Object> fast = run(true, bytes(request));
            List<Object> decoded = run(false, bytes(request));
            assertEquals(2, fast.size(), request);
            assertInstanceOf(RequestHead.class, fast.get(0), request);
            assertEquals("end", fast.get(1));
            assertEquals(DECODED, decoded.get(0));
            assertSame(request, (RequestHead) decoded.get(1), (RequestHead) fast.get(0));
        }
    }

    @Test
    void aBodyOfKnownLengthFollowsItsHeadAsTheDecoderWouldPassIt() {
        for (String request : FAST_BODY) {
            byte[] in = bytes(request);
            List<Object> decoded = run(false, in);
            List<String> expected = describe(decoded);
            int headEnd = request.indexOf("\r\n\r\n") + 4;
            for (int cut = 1; cut < in.length; cut++) {
                List<Object> fast = run(true, in, cut);
                if (cut >= headEnd) { // a head cut in two goes through the decoder
                    assertInstanceOf(RequestHead.class, fast.get(0), request + " cut at " + cut);
                }
                assertEquals(expected, describe(fast), request + " cut at " + cut);
            }
            List<Object> fast = run(true, in);
            assertEquals(3, fast.size(), request); // head, body, end
            assertSame(request, (RequestHead) decoded.get(1), (RequestHead) fast.get(0));
        }
    }

    @Test
    void headsWithFramingFieldsOrAnotherTargetFormGoThroughTheDecoder() {
        for (String request : SLOW) {
            List<Object> out = run(true, bytes(request));
            assertEquals(3, out.size(), request);
            assertEquals(DECODED, out.get(0), request);
            assertEquals("end", out.get(2));
        }
    }

    @Test
    void pipelinedRequestsOfBothKindsKeepTheirOrderHoweverTheStreamIsCut() {
        String stream = FAST[0] + FAST_BODY[0] + FAST[1]
                + "PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + FAST[7] + SLOW[2]
                + FAST_BODY[1] + "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 04\r\n\r\nabcd" + FAST[2];
        byte[] in = bytes(stream);
        List<String> expected = describe(run(false, in));
        assertEquals(9 * 2 + 4, expected.size(), expected.toString()); // 9 heads and ends, 4 bodies
        for (int cut = 1; cut < in.length; cut++) {
            assertEquals(expected, describe(run(true, in, cut)), "cut at " + cut);
        }
        assertEquals(expected, describe(run(true, in)));
    }

    private static List<String> describe(List<Object> out) {
        List<String> d = new ArrayList<>();
        for (Object o : out) {
            if (o == DECODED) {
                continue; // which path it took is not what is compared
            }
            if (o instanceof RequestHead) {
                RequestHead h = (RequestHead) o;
                ByteBuf b = RequestEncoder.head(ByteBufAllocator.DEFAULT, h, "192.0.2.7", null);
                d.add(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            } else {
                d.add(String.valueOf(o));
            }
        }
        // Body parts come in as many pieces as the reads: compare the bodies whole.
        List<String> joined = new ArrayList<>();
        for (String s : d) {
            if (s.startsWith("body:") && !joined.isEmpty() && joined.get(joined.size() - 1).startsWith("body:")) {
                joined.set(joined.size() - 1, joined.get(joined.size() - 1) + s.substring(5));
            } else {
                joined.add(s);
            }
        }
        return joined;
    }

    /** The two heads read the same to routing and forward the same bytes, whatever the options. */
    private static void assertSame(String request, RequestHead expected, RequestHead actual) {
        assertEquals(expected.method(), actual.method(), request);
        assertEquals(expected.uri(), actual.uri(), request);
        assertEquals(expected.protocol(), actual.protocol(), request);
        assertEquals(expected.http10, actual.http10, request);
        assertEquals(expected.keepAlive(), actual.keepAlive(), request);
        assertEquals(expected.expectsContinue(), actual.expectsContinue(), request);
        assertEquals(expected.chunked(), actual.chunked(), request);
        assertEquals(Upgrades.asked(expected), Upgrades.asked(actual), request);
        assertEquals(expected.headers("cookie"), actual.headers("cookie"), request);
        for (String a : ATTRIBUTES) {
            assertEquals(HttpRequestContext.attribute(expected, a), HttpRequestContext.attribute(actual, a), request + " " + a);
        }
        for (String ip : new String[] {"192.0.2.7", "2001:db8::1"}) {
            for (boolean drop : new boolean[] {true, false}) {
                for (String defaultHost : new String[] {null, "10.0.0.1:8080"}) {
                    String e = encode(expected, ip, drop, defaultHost);
                    assertEquals(e, encode(actual, ip, drop, defaultHost), request);
                    assertTrue(e.startsWith(expected.method() + " " + expected.uri() + " HTTP/1.1\r\n"), e);
                }
            }
        }
    }

    private static String encode(RequestHead h, String ip, boolean dropUnderscores, String defaultHost) {
        ByteBuf b = RequestEncoder.head(ByteBufAllocator.DEFAULT, h, ip, "1.1 sb", defaultHost, dropUnderscores, "https", false);
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }
}
