package dev.cria.chat;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Python's strftime for the codes chat templates use (Llama 3.1's "%d %b %Y"); other codes are kept as written. */
final class Strftime {
    private Strftime() {}

    static String format(String format, ZonedDateTime time) {
        if (format == null) throw new IllegalArgumentException("format is null");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char code = format.charAt(++i);
            String pattern = switch (code) {
                case 'Y' -> "yyyy";
                case 'm' -> "MM";
                case 'd' -> "dd";
                case 'H' -> "HH";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'y' -> "yy";
                default -> null;
            };
            if (code == '%') out.append('%');
            else if (pattern == null) out.append('%').append(code);
            else out.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(time));
        }
        return out.toString();
    }
}
