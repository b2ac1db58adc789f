package dev.cria.serve;

/**
 * A refusal the client can act on: an HTTP status, the request field at fault (or null) and a message.
 * Sent as {@code {"error": {"message", "type", "code", "field", "param"}}} ({@code param} is OpenAI's name
 * for the field); never a stack trace. {@code code} is a stable word a client can branch on: the status's
 * own (see {@link #code()}) unless the thrower names a more precise one, such as {@code model_not_found}.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String field;
    private final String code;
    private long retryAfterSeconds;

    public ApiError(int status, String field, String message) {
        this(status, field, message, null);
    }

    public ApiError(int status, String field, String message, String code) {
        super(message);
        this.status = status;
        this.field = field;
        this.code = code;
    }

    public static ApiError badField(String field, String message) {
        return new ApiError(400, field, field + ": " + message);
    }

    /** A 400 naming the field, with a precise code such as {@code context_length_exceeded}. */
    public static ApiError badField(String field, String message, String code) {
        return new ApiError(400, field, field + ": " + message, code);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }

    /** Asks the client to wait before it tries again (sent as {@code Retry-After}). */
    public ApiError retryAfter(long seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** Seconds the client should wait, or 0 for no advice. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The thrower's code, or the status's own. */
    public String code() {
        if (code != null) return code;
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 409 -> "conflict";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limited";
            case 503 -> "busy";
            default -> status >= 500 ? "internal_error" : "invalid_request";
        };
    }

    /** OpenAI's error types by status. */
    public String type() {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 409 -> "conflict_error";
            case 413 -> "request_too_large";
            case 429, 503 -> "server_busy";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
