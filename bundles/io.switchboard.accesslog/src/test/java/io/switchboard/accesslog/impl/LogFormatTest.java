package io.switchboard.accesslog.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    private static final ZoneId ZONE = ZoneId.of("+02:00");
    /** 2026-03-14 09:26:53.589 at +02:00. */
    private static final long START = ZonedDateTime.of(2026, 3, 14, 9, 26, 53, 589_000_000, ZONE).toInstant().toEpochMilli();

    private static String line(String format, Exchanges x) {
        StringBuilder sb = new StringBuilder();
        LogFormat.byName(format, ZONE).format(x.entry(7), START, sb);
        return sb.toString();
    }

    @Test
    void combinedIsNginxsFormat() {
        assertEquals("192.0.2.7 - - [14/Mar/2026:09:26:53 +0200] \"GET /index.html?q=1 HTTP/1.1\" 200 3 "
                + "\"http://example.com/start\" \"curl/8.5.0\"", line("combined", Exchanges.get()));
    }

    @Test
    void combinedEscapesQuotesAndBytesAsNginxDoesAndLogsAClientThatLeftAs499() {
        Exchanges x = Exchanges.get();
        x.referer = null;
        x.userAgent = "evil\"agent\\ \u00e9\n";
        x.status = 0;
        x.bodyBytesSent = 0;
        assertEquals("192.0.2.7 - - [14/Mar/2026:09:26:53 +0200] \"GET /index.html?q=1 HTTP/1.1\" 499 0 "
                + "\"-\" \"evil\\x22agent\\x5C \\xE9\\x0A\"", line("combined", x));
    }

    @Test
    void combinedHasAnEmptyRequestForOneThatCouldNotBeRead() {
        Exchanges x = Exchanges.get();
        x.method = null;
        x.target = null;
        x.protocol = null;
        x.referer = null;
        x.userAgent = null;
        x.status = 408;
        x.bodyBytesSent = 54;
        assertEquals("192.0.2.7 - - [14/Mar/2026:09:26:53 +0200] \"\" 408 54 \"-\" \"-\"", line("combined", x));
    }

    @Test
    void haproxyIsItsHttplogFormat() {
        assertEquals("192.0.2.7:40312 [14/Mar/2026:09:26:53.589] web web/app1 -1/0/1/2/7 200 145 - - ---- 0/0/0/0/0 0/0 "
                + "\"GET /index.html?q=1 HTTP/1.1\"", line("haproxy", Exchanges.get()));
    }

    @Test
    void haproxyShowsNoServerBadRequestsAndTerminationStates() {
        Exchanges x = Exchanges.get();
        x.cluster = null;
        x.endpoint = null;
        x.method = null;
        x.connectNanos = -1;
        x.responseNanos = -1;
        x.status = 400;
        x.bytesSent = 120;
        x.termination = "PR--";
        assertEquals("192.0.2.7:40312 [14/Mar/2026:09:26:53.589] web web/<NOSRV> -1/-1/-1/-1/7 400 120 - - PR-- 0/0/0/0/0 0/0 "
                + "\"<BADREQ>\"", line("haproxy", x));

        Exchanges retried = Exchanges.get();
        retried.retries = 1;
        retried.status = 0;
        retried.termination = "CD--";
        retried.client = new InetSocketAddress("::1", 5000);
        assertEquals("0:0:0:0:0:0:0:1:5000 [14/Mar/2026:09:26:53.589] web web/app1 -1/0/1/2/7 -1 145 - - CD-- 0/0/0/0/1 0/0 "
                + "\"GET /index.html?q=1 HTTP/1.1\"", line("haproxy", retried));
    }

    @Test
    void jsonIsOneObjectWithEveryField() {
        assertEquals("{\"time\":\"2026-03-14T09:26:53.589+02:00\",\"client\":\"192.0.2.7\",\"client_port\":40312,"
                + "\"frontend\":\"web\",\"cluster\":\"web\",\"endpoint\":\"app1\",\"method\":\"GET\",\"uri\":\"/index.html?q=1\","
                + "\"protocol\":\"HTTP/1.1\",\"status\":200,\"request_body_bytes\":0,\"bytes_sent\":145,\"body_bytes_sent\":3,"
                + "\"referer\":\"http://example.com/start\",\"user_agent\":\"curl/8.5.0\",\"duration_us\":7300,"
                + "\"connect_us\":1500,\"response_us\":2400,\"retries\":0,\"termination\":\"----\"}", line("json", Exchanges.get()));
    }

    @Test
    void jsonEscapesAndWritesNullForWhatIsUnknown() {
        Exchanges x = Exchanges.get();
        x.userAgent = "a\"b\\c\u00e9\t";
        x.referer = null;
        x.status = 0;
        x.connectNanos = -1;
        String line = line("json", x);
        assertEquals(true, line.contains("\"user_agent\":\"a\\\"b\\\\c\\u00E9\\u0009\""), line);
        assertEquals(true, line.contains("\"referer\":null,"), line);
        assertEquals(true, line.contains("\"status\":null,"), line);
        assertEquals(true, line.contains("\"connect_us\":-1,"), line);
    }

    @Test
    void theSecondsTextIsMadeOnceASecondAndTheMillisecondsEachTime() {
        Exchanges x = Exchanges.get();
        LogFormat f = LogFormat.byName("haproxy", ZONE);
        StringBuilder a = new StringBuilder();
        f.format(x.entry(1), START, a);
        StringBuilder b = new StringBuilder();
        f.format(x.entry(1), START + 411, b);
        assertEquals(true, a.toString().contains("[14/Mar/2026:09:26:53.589]"), a.toString());
        assertEquals(true, b.toString().contains("[14/Mar/2026:09:26:54.000]"), b.toString());
    }
}
