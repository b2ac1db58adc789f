package dev.cria.util;

/**
 * A problem the user can fix: a malformed file, a bad flag, a wrong shape. The CLI prints its message
 * (which names the file, line, field or value) and exits non-zero, without a stack trace.
 */
public class CriaException extends RuntimeException {
    public CriaException(String message) {
        super(message);
    }

    public CriaException(String message, Throwable cause) {
        super(message, cause);
    }
}
