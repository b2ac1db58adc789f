package dev.cria.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's peak resident memory, from Linux's /proc/self/status (VmHWM); -1 where unavailable. */
public final class Memory {
    private Memory() {
    }

    public static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** "123.4 MiB", or "unknown". */
    public static String format(long bytes) {
        return bytes < 0 ? "unknown" : String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
