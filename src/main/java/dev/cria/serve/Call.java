package dev.cria.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP request and its response, over the JDK's {@link HttpExchange}: bounded body reading, query,
 * form and cookie parsing, and JSON, HTML and server-sent-event replies that all carry the same
 * security headers. Who is calling ({@link #user}, {@link #session}) is filled in by {@link Router}.
 */
public final class Call {
    public static final ObjectMapper JSON = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    /** Bodies of ordinary API calls; uploads get their own, larger limit. */
    public static final int DEFAULT_BODY_LIMIT = 64 * 1024;

    private final HttpExchange exchange;
    private Map<String, String> query;
    User user;
    Accounts.Session session;
    private boolean responded;

    Call(HttpExchange exchange) {
        this.exchange = exchange;
    }

    public String method() {
        return exchange.getRequestMethod();
    }

    public String path() {
        return exchange.getRequestURI().getPath();
    }

    public User user() {
        return user;
    }

    public Accounts.Session session() {
        return session;
    }

    /** The client's IP address (the peer of the TCP connection; Cria trusts no forwarding header). */
    public String remoteAddress() {
        return exchange.getRemoteAddress().getAddress().getHostAddress();
    }

    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    public Map<String, String> query() {
        if (query == null) query = parseForm(exchange.getRequestURI().getRawQuery());
        return query;
    }

    public String cookie(String name) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).strip().equals(name)) return part.substring(eq + 1).strip();
            }
        }
        return null;
    }

    /** The request body, refused with 413 past {@code limit} bytes (checked before and while reading). */
    public byte[] body(int limit) {
        String declared = header("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > limit) throw tooLarge(limit);
            } catch (NumberFormatException e) {
                throw new ApiError(400, "Content-Length", "Content-Length: not a number");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            var out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (out.size() > limit) throw tooLarge(limit);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ApiError(400, "body", "body: could not be read: " + e.getMessage());
        }
    }

    private ApiError tooLarge(int limit) {
        // subtle: the rest of the body stays unread, so this connection cannot carry another request
        exchange.getResponseHeaders().set("Connection", "close");
        return new ApiError(413, "body", "body: larger than the limit of " + limit + " bytes");
    }

    public String bodyText(int limit) {
        return new String(body(limit), StandardCharsets.UTF_8);
    }

    /** The body as a JSON object, with the field rules of {@link Fields}. */
    public Fields json() {
        byte[] bytes = body(DEFAULT_BODY_LIMIT);
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
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

    public void setCookie(String name, String value, long maxAgeSeconds) {
        exchange.getResponseHeaders().add("Set-Cookie", name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds);
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
        exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        text(200, "application/jsonl; charset=utf-8", body);
    }

    public void redirect(String location) {
        exchange.getResponseHeaders().set("Location", location);
        send(303, "text/plain; charset=utf-8", new byte[0]);
    }

    public void error(ApiError e) {
        var error = new LinkedHashMap<String, Object>();
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("code", e.code());
        error.put("field", e.field());
        error.put("param", e.field());
        json(e.status(), Map.of("error", error));
    }

    /** Starts a server-sent-event stream; write {@code data: ...} events to the returned stream. */
    public OutputStream eventStream() throws IOException {
        securityHeaders();
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        responded = true;
        return exchange.getResponseBody();
    }

    public boolean responded() {
        return responded;
    }

    private void send(int status, String contentType, byte[] body) {
        securityHeaders();
        exchange.getResponseHeaders().set("Content-Type", contentType);
        try {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            responded = true;
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to tell it
            responded = true;
        }
    }

    /** Scripts only from this server, no framing, no MIME sniffing: model text can never become markup or code. */
    private void securityHeaders() {
        var h = exchange.getResponseHeaders();
        h.set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cache-Control", "no-store");
    }

    void close() {
        exchange.close();
    }
}
