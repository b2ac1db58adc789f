package dev.cria.serve;

/**
 * A refusal the client can act on: an HTTP status, the request field at fault (or null) and a message.
 * Sent as {@code {"error": {"message", "type", "field", "param"}}} ({@code param} is OpenAI's name for
 * the field); never a stack trace.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String field;

    public ApiError(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiError badField(String field, String message) {
        return new ApiError(400, field, field + ": " + message);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
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
