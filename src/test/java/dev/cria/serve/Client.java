package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A test's HTTP client over a real loopback socket: an API key, or a browser-like session cookie with its CSRF token. */
final class Client {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Long enough for any one request of the tests (a training round is started, not awaited), short
     * enough that a request lost while a test restarts the server is retried before the test's deadline.
     */
    static final int REQUEST_TIMEOUT_SECONDS = 30;
    private static final Pattern META_CSRF = Pattern.compile("<meta name=\"csrf\" content=\"([^\"]*)\">");

    record Response(int status, String body, HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        /** The field an error names. */
        String field() {
            return json().path("error").path("field").asText(null);
        }
    }

    private final HttpClient http;
    private final Supplier<String> baseUrl;
    private String apiKey;
    private String session;
    String csrf;

    Client(Supplier<String> baseUrl, String apiKey) {
        this(baseUrl, apiKey, null);
    }

    /** A client whose connections come from {@code localAddress} (null: any), such as 127.0.0.2 for a second machine on loopback. */
    Client(Supplier<String> baseUrl, String apiKey, java.net.InetAddress localAddress) {
        var builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (localAddress != null) builder.localAddress(localAddress);
        this.http = builder.build();
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    /** Signs in through the login form, as a browser does. */
    Client signIn(String name, String password) {
        apiKey = null;
        Response r = postLogin(name, password);
        if (r.status() != 303) throw new IllegalStateException("sign-in failed: " + r.status() + " " + r.body());
        session = cookie(r.headers(), "cria_session");
        Matcher m = META_CSRF.matcher(get("/compare").body());
        if (!m.find()) throw new IllegalStateException("no CSRF token on the page");
        csrf = m.group(1);
        return this;
    }

    /** Fetches the sign-in form and posts it, and returns the answer: 303 signed in, 401 wrong, 429 locked out. */
    Response postLogin(String name, String password) {
        String loginCsrf = cookie(get("/login").headers(), "cria_login_csrf");
        return send(HttpRequest.newBuilder(uri("/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "cria_login_csrf=" + loginCsrf)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + loginCsrf + "&name=" + name + "&password=" + password)));
    }

    static String cookie(HttpHeaders headers, String name) {
        for (String c : headers.allValues("Set-Cookie")) if (c.startsWith(name + "=")) return c.substring(name.length() + 1, c.indexOf(';'));
        throw new IllegalStateException("no cookie " + name + " in " + headers.allValues("Set-Cookie"));
    }

    URI uri(String path) {
        return URI.create(baseUrl.get() + path);
    }

    Response get(String path) {
        return send(auth(HttpRequest.newBuilder(uri(path))).GET());
    }

    Response post(String path, Object json) {
        try {
            return postRaw(path, json instanceof String s ? s : JSON.writeValueAsString(json), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A POST that carries the session's CSRF token only when {@code withCsrf}. */
    Response postRaw(String path, String body, boolean withCsrf) {
        var b = auth(HttpRequest.newBuilder(uri(path))).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (withCsrf && csrf != null) b.header("X-CSRF-Token", csrf);
        return send(b);
    }

    HttpRequest.Builder auth(HttpRequest.Builder b) {
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        if (session != null) b.header("Cookie", "cria_session=" + session);
        return b.timeout(Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS));
    }

    Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
