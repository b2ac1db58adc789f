package dev.cria.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp, as the tests reach it: {@code scripts/llamacpp/llamacpp.mjs} run by Node with node-llama-cpp from
 * {@code target/npm-llama} ({@code .ci/run} installs it there; {@code -Dcria.nodeLlamaCpp=PREFIX} points elsewhere).
 * Where Node or the package is missing, {@link #require()} skips the calling test and says why.
 */
final class LlamaCpp {
    static final Path SCRIPT = Path.of("scripts/llamacpp/llamacpp.mjs");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path prefix;

    private LlamaCpp(Path prefix) {
        this.prefix = prefix;
    }

    /** The runner, or the test is skipped with the reason. */
    static LlamaCpp require() {
        Path prefix = Path.of(System.getProperty("cria.nodeLlamaCpp", "target/npm-llama")).toAbsolutePath();
        assumeTrue(Files.isDirectory(prefix.resolve("node_modules/node-llama-cpp")), "no node-llama-cpp under " + prefix
                + "; run: npm install --prefix target/npm-llama --no-audit --no-fund --ignore-scripts --omit=optional "
                + "node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1 (.ci/run does it under CI)");
        assumeTrue(nodeRuns(), "no node on the PATH; llama.cpp runs through Node (install nodejs)");
        return new LlamaCpp(prefix);
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** llama.cpp's ids for each text: no bos, special tokens' text as plain text. */
    int[][] tokenize(Path gguf, List<String> texts) {
        ObjectNode request = JSON.createObjectNode().put("op", "tokenize");
        ArrayNode array = request.putArray("texts");
        texts.forEach(array::add);
        JsonNode ids = call(gguf, request).get("ids");
        int[][] out = new int[ids.size()][];
        for (int i = 0; i < out.length; i++) out[i] = ints(ids.get(i));
        return out;
    }

    /** N tokens, each the argmax of llama.cpp's logits, after the prompt. */
    int[] greedy(Path gguf, int[] prompt, int n) {
        ObjectNode request = JSON.createObjectNode().put("op", "greedy").put("tokens", n);
        putInts(request.putArray("prompt"), prompt);
        return ints(call(gguf, request).get("ids"));
    }

    /** log p(tokens[i+1] | tokens[0..i]) for each i, from llama.cpp's softmax. */
    double[] logLikelihoods(Path gguf, int[] tokens) {
        ObjectNode request = JSON.createObjectNode().put("op", "loglik");
        putInts(request.putArray("tokens"), tokens);
        JsonNode logprobs = call(gguf, request).get("logprobs");
        double[] out = new double[logprobs.size()];
        for (int i = 0; i < out.length; i++) out[i] = logprobs.get(i).asDouble();
        return out;
    }

    /** The GGML type of the file's token_embd.weight and, per token, llama.cpp's final-norm output at that token alone. */
    record Embeddings(String type, float[][] vectors) {
    }

    Embeddings embed(Path gguf, int[] tokens) {
        ObjectNode request = JSON.createObjectNode().put("op", "embed");
        putInts(request.putArray("tokens"), tokens);
        JsonNode answer = call(gguf, request);
        JsonNode vectors = answer.get("vectors");
        float[][] out = new float[vectors.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[vectors.get(i).size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = (float) vectors.get(i).get(j).asDouble();
        }
        return new Embeddings(answer.get("type").asText(), out);
    }

    private JsonNode call(Path gguf, ObjectNode request) {
        try {
            var pb = new ProcessBuilder("node", SCRIPT.toString(), gguf.toAbsolutePath().toString(), request.toString());
            pb.environment().put("CRIA_NODE_LLAMA_CPP", prefix.toString());
            Path err = Files.createTempFile("llamacpp", ".err");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("llama.cpp did not answer " + request.get("op") + " within 120 s");
            }
            String stderr = Files.readString(err);
            Files.delete(err);
            if (p.exitValue() != 0) throw new AssertionError("llama.cpp failed on " + gguf.getFileName() + ": " + stderr.strip());
            return JSON.readTree(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run node: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static void putInts(ArrayNode array, int[] values) {
        for (int v : values) array.add(v);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
