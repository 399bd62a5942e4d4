package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.HttpSyntax.named;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Parses a back-end response head held in an array, in one pass: the status line, each header line
 * (kept, left out as hop-by-hop, or read for the framing: Connection, Content-Length,
 * Transfer-Encoding), then how the body is framed and whether the connection persists. A head that
 * cannot be framed safely is refused: Transfer-Encoding together with Content-Length, Content-Length
 * values that differ or are not numbers, obs-fold, bare CR or LF line ends, control bytes, a header
 * name that is not a token, more than {@value #MAX_HEADERS} header lines, and a malformed status line.
 * A 101 Switching Protocols keeps its Upgrade line (the client must see what it switches to), and
 * the value is read: whether the switch is one the request asked for is the exchange's to judge.
 *
 * <p>Somewhat over 300 lines, as one pass: what it finds (lines kept, framing, persistence) lives in
 * locals of {@link #parse}; in parts, that would take an object per response to carry.
 */
final class ResponseHeadParser {
    private static final int MAX_HEADERS = 256;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** Bytes a head line may not hold (every control byte but HTAB); CR and LF are looked at again. */
    private static final boolean[] CONTROL = new boolean[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            CONTROL[c] = c != '\t';
        }
        CONTROL[0x7F] = true;
    }

    private ResponseHeadParser() {
    }

    /**
     * Parses the head at the start of {@code b[0..end)}: null while its empty line has not come yet,
     * else the head. A response to HEAD ({@code headRequest}) has no body, whatever its head says.
     *
     * @throws Refused if the head cannot be framed safely
     */
    static ResponseHead parse(byte[] b, int end, boolean headRequest) {
        return parse(b, end, headRequest, new ResponseHead());
    }

    /** As {@link #parse(byte[], int, boolean)}, into {@code into} (a back-end connection's one head) and its range array. */
    static ResponseHead parse(byte[] b, int end, boolean headRequest, ResponseHead into) {
        int start = 0;
        // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
        int lf = lineEnd(b, start, end);
        if (lf < 0) {
            return null;
        }
        if (lf - start < 13 || !isHttp1(b, start) || b[start + 8] != ' ') {
            throw new Refused("malformed status line");
        }
        boolean http10 = b[start + 7] == '0';
        int status = 0;
        for (int i = start + 9; i < start + 12; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new Refused("malformed status code");
            }
            status = status * 10 + d;
        }
        if (lf - 1 > start + 12 && b[start + 12] != ' ') {
            throw new Refused("malformed status line");
        }
        if (status < 100) {
            throw new Refused("status code " + status);
        }
        boolean switching = status == 101;
        String upgrade = null;
        int[] kept = into.ranges();
        kept[0] = start + 9;
        kept[1] = lf + 1;
        int keptCount = 2;
        // Lines to strip because Connection names them are only known at the end: the kept lines are looked at again then.
        String[] connectionTokens = null;
        int tokenCount = 0;
        boolean close = false;
        boolean keepAlive = false;
        long contentLength = -1;
        boolean transferEncoding = false;
        boolean chunked = false;
        int teStart = 0;
        int teEnd = 0;
        int lines = 0;
        int ls = lf + 1;
        while (true) {
            lf = lineEnd(b, ls, end);
            if (lf < 0) {
                return null;
            }
            if (lf == ls + 1) {
                break; // the empty line
            }
            if (++lines > MAX_HEADERS) {
                throw new Refused("more than " + MAX_HEADERS + " header lines");
            }
            int c = b[ls] & 0xFF;
            if (c == ' ' || c == '\t') {
                throw new Refused("obs-fold in a response header");
            }
            int colon = ls;
            while ((c = b[colon] & 0xFF) != ':') {
                if (!HttpSyntax.tchar(c)) {
                    throw new Refused("invalid header name");
                }
                colon++;
            }
            if (colon == ls) {
                throw new Refused("empty header name");
            }
            int nameLength = colon - ls;
            int vs = colon + 1;
            int ve = lf - 1;
            while (vs < ve && isWs(b[vs])) {
                vs++;
            }
            while (ve > vs && isWs(b[ve - 1])) {
                ve--;
            }
            boolean keep;
            if (nameLength == 10 && named(b, ls, "connection")) {
                keep = false;
                for (int ts = vs; ts < ve; ) {
                    int te = ts;
                    while (te < ve && b[te] != ',') {
                        te++;
                    }
                    int next = te + 1;
                    while (ts < te && isWs(b[ts])) {
                        ts++;
                    }
                    while (te > ts && isWs(b[te - 1])) {
                        te--;
                    }
                    if (te - ts == 5 && named(b, ts, "close")) {
                        close = true;
                    } else if (te - ts == 10 && named(b, ts, "keep-alive")) {
                        keepAlive = true;
                    } else if (te > ts && !(switching && te - ts == 7 && named(b, ts, "upgrade"))) {
                        if (connectionTokens == null) {
                            connectionTokens = new String[4];
                        } else if (tokenCount == connectionTokens.length) {
                            connectionTokens = Arrays.copyOf(connectionTokens, tokenCount * 2);
                        }
                        connectionTokens[tokenCount++] = new String(b, ts, te - ts, StandardCharsets.ISO_8859_1);
                    }
                    ts = next;
                }
            } else if (nameLength == 14 && named(b, ls, "content-length")) {
                keep = true;
                long n = contentLength(b, vs, ve);
                if (contentLength >= 0 && contentLength != n) {
                    throw new Refused("Content-Length values differ");
                }
                contentLength = n;
            } else if (nameLength == 17 && named(b, ls, "transfer-encoding")) {
                if (transferEncoding) {
                    throw new Refused("more than one Transfer-Encoding line");
                }
                transferEncoding = true;
                chunked = lastCodingIsChunked(b, vs, ve);
                keep = false; // kept apart, see ResponseHead
                teStart = ls;
                teEnd = lf + 1;
            } else if (switching && nameLength == 7 && named(b, ls, "upgrade")) {
                keep = true;
                String value = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
                upgrade = upgrade == null ? value : upgrade + ", " + value;
            } else {
                keep = !HttpSyntax.hopByHop(b, ls, nameLength);
            }
            if (keep) {
                if (keptCount == kept.length) {
                    kept = Arrays.copyOf(kept, keptCount * 2);
                }
                kept[keptCount++] = ls;
                kept[keptCount++] = lf + 1;
            }
            ls = lf + 1;
        }
        if (transferEncoding && contentLength >= 0) {
            throw new Refused("Transfer-Encoding together with Content-Length");
        }
        if (connectionTokens != null) {
            keptCount = stripNamed(b, kept, keptCount, connectionTokens, tokenCount);
        }
        // Adjacent ranges become one: fewer copies when the head is written.
        int merged = 0;
        for (int i = 0; i < keptCount; i += 2) {
            if (merged > 0 && kept[merged - 1] == kept[i]) {
                kept[merged - 1] = kept[i + 1];
            } else {
                kept[merged++] = kept[i];
                kept[merged++] = kept[i + 1];
            }
        }
        keptCount = merged;
        ResponseHead.Body body;
        if (status < 200 || status == 204 || status == 304 || headRequest) {
            body = ResponseHead.Body.NONE;
        } else if (transferEncoding) {
            body = chunked ? ResponseHead.Body.CHUNKED : ResponseHead.Body.UNTIL_CLOSE;
        } else if (contentLength >= 0) {
            body = contentLength == 0 ? ResponseHead.Body.NONE : ResponseHead.Body.LENGTH;
        } else {
            body = ResponseHead.Body.UNTIL_CLOSE;
        }
        boolean persistent = body != ResponseHead.Body.UNTIL_CLOSE && !close && (!http10 || keepAlive);
        return into.set(status, body, contentLength, persistent, b, lf + 1, kept, keptCount, teStart, teEnd, upgrade);
    }

    /** Drops the kept header lines whose names the Connection header listed (never the framing ones). */
    private static int stripNamed(byte[] b, int[] kept, int keptCount, String[] tokens, int tokenCount) {
        int out = 2;
        for (int i = 2; i < keptCount; i += 2) {
            int ls = kept[i];
            int length = 0;
            while (b[ls + length] != ':') {
                length++; // every kept line has a colon: the parse checked it
            }
            boolean strip = false;
            for (int t = 0; t < tokenCount && !strip; t++) {
                String token = tokens[t];
                strip = token.length() == length && named(b, ls, token.toLowerCase(Locale.ROOT))
                        && !token.equalsIgnoreCase("content-length") && !token.equalsIgnoreCase("transfer-encoding");
            }
            if (!strip) {
                kept[out++] = kept[i];
                kept[out++] = kept[i + 1];
            }
        }
        return out;
    }

    private static boolean isHttp1(byte[] b, int at) {
        return b[at] == 'H' && b[at + 1] == 'T' && b[at + 2] == 'T' && b[at + 3] == 'P'
                && b[at + 4] == '/' && b[at + 5] == '1' && b[at + 6] == '.'
                && (b[at + 7] == '0' || b[at + 7] == '1');
    }

    private static boolean isWs(byte c) {
        return c == ' ' || c == '\t';
    }

    /**
     * The LF ending the line that starts at {@code from}, which must be preceded by CR and hold no
     * other CR or control byte; -1 when the line has not ended by {@code to}.
     */
    private static int lineEnd(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (CONTROL[b[i] & 0xFF]) {
                int c = b[i];
                if (c == LF) {
                    if (i == from || b[i - 1] != CR) {
                        throw new Refused("response header line without CRLF");
                    }
                    return i;
                }
                if (c != CR) {
                    throw new Refused("control character in a response head");
                }
                if (i + 1 < to && b[i + 1] != LF) {
                    throw new Refused("bare CR in a response head");
                }
            }
        }
        return -1;
    }

    /** A Content-Length value: digits, or a comma-separated list of identical ones. */
    private static long contentLength(byte[] b, int from, int to) {
        long value = -1;
        int i = from;
        while (true) {
            while (i < to && isWs(b[i])) {
                i++;
            }
            long n = 0;
            int digits = 0;
            int c;
            while (i < to && (c = b[i]) >= '0' && c <= '9') {
                if (n > (Long.MAX_VALUE - 9) / 10) {
                    throw new Refused("Content-Length too large");
                }
                n = n * 10 + (c - '0');
                digits++;
                i++;
            }
            while (i < to && isWs(b[i])) {
                i++;
            }
            if (digits == 0) {
                throw new Refused("invalid Content-Length");
            }
            if (value >= 0 && value != n) {
                throw new Refused("Content-Length values differ");
            }
            value = n;
            if (i == to) {
                return value;
            }
            if (b[i] != ',') {
                throw new Refused("invalid Content-Length");
            }
            i++;
        }
    }

    private static boolean lastCodingIsChunked(byte[] b, int from, int to) {
        int comma = to - 1;
        while (comma >= from && b[comma] != ',') {
            comma--;
        }
        int s = comma < from ? from : comma + 1;
        while (s < to && isWs(b[s])) {
            s++;
        }
        return to - s == 7 && named(b, s, "chunked");
    }

    /** A head that cannot be framed safely; the message says why. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }
}
