package io.switchboard.systest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Felix Web Console of a runtime, asked over HTTP with Basic credentials, as a browser would. */
final class ConsoleClient {
    /** One bundle of {@code bundles.json}: {"id":..,"name":"..","fragment":..,"stateRaw":..,"state":"..",..,"symbolicName":".."}. */
    private static final Pattern BUNDLE = Pattern.compile(
            "\"fragment\":(true|false),\"stateRaw\":\\d+,\"state\":\"([^\"]+)\",\"version\":\"[^\"]*\",\"symbolicName\":\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String root;
    private final String authorization;

    ConsoleClient(int port, String user, String password) {
        root = "http://127.0.0.1:" + port + "/system/console";
        authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET without credentials, or with these instead of the right ones. */
    HttpResponse<String> getAs(String path, String authorizationHeader) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(10));
        if (authorizationHeader != null) {
            b.header("Authorization", authorizationHeader);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A form POST (redirects not followed), with an Origin header when one is given. */
    HttpResponse<String> post(String path, String form, String origin) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/x-www-form-urlencoded");
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(10)).header("Authorization", authorization);
    }

    /** GETs the path until it answers 200 with a body containing the text; fails after the time. */
    String await(String path, String text, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get(path);
                if (r.statusCode() == 200 && r.body().contains(text)) {
                    return r.body();
                }
                last = r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length()));
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " did not answer 200 with '" + text + "' within " + millis + " ms; last: " + last);
    }

    /** Symbolic name to state ("Active", "Resolved", or "Fragment" for an attached fragment) from bundles.json. */
    static Map<String, String> bundleStates(String bundlesJson) {
        Map<String, String> states = new LinkedHashMap<>();
        Matcher m = BUNDLE.matcher(bundlesJson);
        while (m.find()) {
            states.put(m.group(3), m.group(2));
        }
        return states;
    }
}
