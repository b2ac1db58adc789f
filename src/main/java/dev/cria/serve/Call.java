package dev.cria.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP request and its response, over Jetty's blocking-style API on the request's own virtual
 * thread: body reading bounded in size and time, query, form and cookie parsing, and JSON, HTML and
 * server-sent-event replies that all carry the same security headers. Who is calling ({@link #user},
 * {@link #session}) is filled in by {@link Router}.
 */
public final class Call {
    public static final ObjectMapper JSON = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    /** Bodies of ordinary API calls; uploads get their own, larger limit. */
    public static final int DEFAULT_BODY_LIMIT = 64 * 1024;
    /** How much of a too-large body is read and dropped so that the 413 reaches the client. */
    private static final int DISCARD_LIMIT = 16 * 1024 * 1024;

    /** Rejects {@code {...} trailing garbage}: a body is one JSON value and nothing else. */
    private static final ObjectReader ONE_VALUE = JSON.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Request request;
    private final Response response;
    private final Limits limits;
    private Map<String, String> query;
    private EventStream events;
    User user;
    Accounts.Session session;
    private boolean responded;
    private boolean bodyRead;

    Call(Request request, Response response, Limits limits) {
        this.request = request;
        this.response = response;
        this.limits = limits;
    }

    public String method() {
        return request.getMethod();
    }

    public String path() {
        return Request.getPathInContext(request);
    }

    public User user() {
        return user;
    }

    public Accounts.Session session() {
        return session;
    }

    /** The client's IP address (the peer of the TCP connection; Cria trusts no forwarding header). */
    public String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    public Map<String, String> query() {
        if (query == null) query = parseForm(request.getHttpURI().getQuery());
        return query;
    }

    public String cookie(String name) {
        for (String header : request.getHeaders().getValuesList("Cookie")) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).strip().equals(name)) return part.substring(eq + 1).strip();
            }
        }
        return null;
    }

    /**
     * The request body, refused with 413 past {@code limit} bytes (checked before and while reading). It
     * must arrive within {@link Limits#bodyDeadline}: at the deadline the connection is closed, which
     * also ends a read that is waiting for bytes that never come.
     */
    public byte[] body(int limit) {
        bodyRead = true;
        long declared = declaredLength();
        var endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long seconds = limits.bodyDeadline().toSeconds();
        var deadline = request.getComponents().getScheduler().schedule(
                () -> endPoint.close(new TimeoutException("request body not received within " + seconds + " s")),
                limits.bodyDeadline().toMillis(), TimeUnit.MILLISECONDS);
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > limit) throw tooLarge(limit, in);
            var out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                if (out.size() > limit) throw tooLarge(limit, in);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ApiError(408, "body", "body: not received in time or cut off: " + e.getMessage());
        } finally {
            deadline.cancel();
        }
    }

    /**
     * subtle: a request refused before its body was read (a 403, a 404) still has that body on the wire.
     * Left there, Jetty would close the connection, and a client that had already sent its next request
     * on it would lose that one; reading it to the end keeps the connection usable.
     */
    private void discardUnreadBody() {
        if (bodyRead || (declaredLengthOrZero() == 0 && header("Transfer-Encoding") == null)) return;
        try {
            body(DISCARD_LIMIT);
        } catch (ApiError tooLargeOrCutOff) {
            // the reply is sent; whatever the body was, nothing more is owed
        }
    }

    private long declaredLengthOrZero() {
        try {
            return Math.max(0, declaredLength());
        } catch (ApiError notANumber) {
            return 0;
        }
    }

    /** The Content-Length header, or -1 without one. */
    private long declaredLength() {
        String declared = header("Content-Length");
        if (declared == null) return -1;
        try {
            return Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            throw new ApiError(400, "Content-Length", "Content-Length: not a number");
        }
    }

    /**
     * subtle: closing a connection whose client is still sending makes the kernel reset it, and the
     * client may lose the 413 on its way. So a body up to {@link #DISCARD_LIMIT} is read to its end and
     * dropped first; only a larger one closes the connection.
     */
    private ApiError tooLarge(int limit, InputStream rest) throws IOException {
        byte[] buffer = new byte[8192];
        long discarded = 0;
        for (int n; discarded <= DISCARD_LIMIT && (n = rest.read(buffer)) >= 0; ) discarded += n;
        if (discarded > DISCARD_LIMIT) response.getHeaders().put("Connection", "close");
        return new ApiError(413, "body", "body: larger than the limit of " + limit + " bytes");
    }

    public String bodyText(int limit) {
        return new String(body(limit), StandardCharsets.UTF_8);
    }

    /** The body as a JSON object, with the field rules of {@link Fields}; it must be sent as {@code application/json}. */
    public Fields json() {
        String type = header("Content-Type");
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new ApiError(415, "Content-Type", "Content-Type: send the body as application/json, not " + (type == null ? "nothing" : "'" + type + "'"));
        }
        byte[] bytes = body(DEFAULT_BODY_LIMIT);
        JsonNode node;
        try {
            node = ONE_VALUE.readValue(bytes);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "body", "body: not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, "body", "body: could not be read");
        }
        if (node == null || !node.isObject()) throw new ApiError(400, "body", "body: expected a JSON object");
        return new Fields(node);
    }

    /** An {@code application/x-www-form-urlencoded} body. */
    public Map<String, String> form() {
        return parseForm(bodyText(DEFAULT_BODY_LIMIT));
    }

    static Map<String, String> parseForm(String raw) {
        var out = new LinkedHashMap<String, String>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq), value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, key, key + ": bad percent-encoding");
            }
        }
        return out;
    }

    /** A header of the reply; call before the reply is sent. */
    public void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    public void setCookie(String name, String value, long maxAgeSeconds) {
        response.getHeaders().add("Set-Cookie", name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds);
    }

    public void json(int status, Object body) {
        try {
            send(status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unserialisable reply", e);
        }
    }

    public void html(int status, String page) {
        send(status, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
    }

    public void text(int status, String contentType, String body) {
        send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public void attachment(String fileName, String body) {
        response.getHeaders().put("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        text(200, "application/jsonl; charset=utf-8", body);
    }

    public void redirect(String location) {
        response.getHeaders().put("Location", location);
        send(303, "text/plain; charset=utf-8", new byte[0]);
    }

    public void error(ApiError e) {
        if (e.retryAfterSeconds() > 0) setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        var error = new LinkedHashMap<String, Object>();
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("code", e.code());
        error.put("field", e.field());
        error.put("param", e.field());
        json(e.status(), Map.of("error", error));
    }

    /**
     * Starts a server-sent-event stream; write {@code data: ...} events to the returned stream, each
     * ended by {@code flush()}. Writing never waits for the client: see {@link EventStream}.
     */
    public OutputStream eventStream() {
        securityHeaders();
        response.getHeaders().put("Content-Type", "text/event-stream; charset=utf-8");
        response.getHeaders().put("Cache-Control", "no-cache");
        response.setStatus(200);
        responded = true;
        events = new EventStream(response);
        return events;
    }

    public boolean responded() {
        return responded;
    }

    private void send(int status, String contentType, byte[] body) {
        securityHeaders();
        response.getHeaders().put("Content-Type", contentType);
        response.getHeaders().put("Content-Length", body.length);
        response.setStatus(status);
        responded = true;
        try {
            Content.Sink.write(response, true, ByteBuffer.wrap(body));
        } catch (IOException e) {
            // the client went away; nothing to tell it
        }
    }

    /** Scripts only from this server, no framing, no MIME sniffing: model text can never become markup or code. */
    private void securityHeaders() {
        var h = response.getHeaders();
        h.put("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cache-Control", "no-store");
    }

    /** Ends the exchange: waits for a stream's last event to be written (or to fail), then tells Jetty. */
    void finish(Callback callback) {
        if (!responded) error(new ApiError(500, null, "internal error: the handler sent no reply", "internal_error"));
        discardUnreadBody();
        Throwable failure = events == null ? null : events.awaitEnd();
        if (failure == null) callback.succeeded();
        else callback.failed(failure);
    }
}
