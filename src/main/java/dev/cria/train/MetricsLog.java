package dev.cria.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training metrics as JSON Lines, one object per record: {@code {"step":10,"train/loss":2.31,...}}. The
 * first record a process writes also names the backend its products ran on: {@code "backend":"java-bf16"}.
 * Each line is flushed as written, so a crash loses at most the line being written. On resume, lines
 * from steps after the checkpoint are dropped, so the file always describes the run that continues.
 */
public final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path path;

    public MetricsLog(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public void append(long step, Map<String, ? extends Number> values) {
        append(step, Map.of(), values);
    }

    /** One record with text fields too (the backend's name on a run's first record); {@link #read} skips them. */
    public void append(long step, Map<String, String> text, Map<String, ? extends Number> values) {
        ObjectNode node = JSON.createObjectNode();
        node.put("step", step);
        text.forEach(node::put);
        values.forEach((k, v) -> node.put(k, v.doubleValue()));
        try {
            Files.writeString(path, node + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + path, e);
        }
    }

    /** Drops records with step > lastStep (rewriting the file atomically), as after a resume. */
    public void truncateAfter(long lastStep) {
        if (!Files.exists(path)) return;
        var kept = new StringBuilder();
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                try {
                    if (JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) <= lastStep) kept.append(line).append('\n');
                } catch (IOException tornLine) {
                    // a line cut short by a crash belongs to no saved step: drop it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        try {
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            Files.writeString(tmp, kept.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + path, e);
        }
    }

    /** All records, in order; a torn last line (from a crash) is skipped. */
    public List<Map<String, Double>> read() {
        var records = new ArrayList<Map<String, Double>>();
        if (!Files.exists(path)) return records;
        try {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) continue;
                try {
                    var node = JSON.readTree(line);
                    var record = new LinkedHashMap<String, Double>();
                    node.properties().forEach(e -> {
                        if (!e.getValue().isTextual()) record.put(e.getKey(), e.getValue().asDouble());
                    });
                    records.add(record);
                } catch (IOException e) {
                    if (i < lines.size() - 1) throw new CriaException(path + ":" + (i + 1) + ": not valid JSON: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return records;
    }

    /** The values of one metric with their steps, for plotting. */
    public static double[][] series(List<Map<String, Double>> records, String key) {
        var steps = new ArrayList<Double>();
        var values = new ArrayList<Double>();
        for (var r : records) {
            if (r.containsKey(key)) {
                steps.add(r.get("step"));
                values.add(r.get(key));
            }
        }
        double[][] s = new double[2][steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            s[0][i] = steps.get(i);
            s[1][i] = values.get(i);
        }
        return s;
    }
}
