package dev.cria.checkpoint.llama2c;

import dev.cria.io.AtomicFiles;
import dev.cria.io.Io;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * llama2.c's {@code tokenizer.bin}: int32 max_token_length, then for each token id in order a float32
 * score, an int32 byte length and the token's bytes. run.c decodes an id by printing its bytes, and
 * encodes a prompt by repeatedly merging the adjacent pair whose concatenation is a token of the highest
 * score. The file does not store the vocabulary size; run.c takes it from the checkpoint.
 *
 * <p>Written from a Cria tokenizer: each token as the bytes it decodes to (a special as its name; a
 * byte another token also decodes to as {@code <0xXX>}), scored from its merge rank (see {@link #score}) so
 * run.c merges in the BPE's order. Ids the tokenizer lacks (a padded vocabulary) are empty.
 */
public record Llama2cTokenizerFile(int maxTokenLength, float[] scores, byte[][] tokens) {
    /** run.c starts its best merge score at -1e10 and only takes a higher one, so this token is never merged into. */
    static final float NEVER_MERGED = -1e10f;

    /** The file for the first {@code vocab} ids (the model's vocabulary, at least the tokenizer's). */
    public static Llama2cTokenizerFile of(Tokenizer tokenizer, int vocab) {
        var specials = new HashSet<Integer>();
        for (int id : tokenizer.specials().ids()) specials.add(id);
        float[] scores = new float[vocab];
        byte[][] tokens = new byte[vocab][];
        for (int id = 0; id < vocab; id++) {
            tokens[id] = bytesOf(tokenizer, id);
            boolean special = specials.contains(id) || tokens[id] == null;
            if (tokens[id] == null) tokens[id] = new byte[0];
            scores[id] = score(tokenizer, id, special, tokens[id]);
        }
        spellSharedBytes(tokens);
        int longest = 1;
        for (byte[] t : tokens) longest = Math.max(longest, t.length);
        return new Llama2cTokenizerFile(longest, scores, tokens);
    }

    /**
     * Keeps run.c's token strings unique: when several ids decode to the same single byte (Llama 2's
     * byte-fallback {@code <0x61>} and its piece "a"), all but the last are written {@code <0x61>}, as
     * tokenizer.py writes them, which run.c's decode turns back into the byte. subtle: run.c finds a
     * string's id by binary search, so a duplicate string could encode to either id.
     */
    private static void spellSharedBytes(byte[][] tokens) {
        int[] last = new int[256];
        Arrays.fill(last, -1);
        for (int id = 0; id < tokens.length; id++) if (tokens[id].length == 1) last[tokens[id][0] & 0xFF] = id;
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id].length == 1 && last[tokens[id][0] & 0xFF] != id) {
                tokens[id] = String.format("<0x%02X>", tokens[id][0] & 0xFF).getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    /**
     * What makes run.c's highest-score-first merging follow the tokenizer's BPE: -1 - rank for a token a
     * merge makes (the first merge applies first), 0 for a single byte, and {@link #NEVER_MERGED} for
     * specials and for the rest, which no merge makes (a sentencepiece base character, which run.c looks
     * up whole).
     */
    private static float score(Tokenizer tokenizer, int id, boolean special, byte[] token) {
        if (special) return NEVER_MERGED;
        int rank = tokenizer.mergeRank(id);
        if (rank >= 0) return -1f - rank;
        return token.length <= 1 ? 0f : NEVER_MERGED;
    }

    /** The token's bytes, or null for an id the tokenizer lacks (past its end, or a gap in another model's vocabulary). */
    private static byte[] bytesOf(Tokenizer tokenizer, int id) {
        if (id >= tokenizer.vocabSize()) return null;
        try {
            return tokenizer.tokenBytes(id);
        } catch (IllegalArgumentException gap) {
            return null;
        }
    }

    public int vocabSize() {
        return tokens.length;
    }

    public void write(Path file) {
        long bytes = Integer.BYTES;
        for (byte[] t : tokens) bytes += Float.BYTES + Integer.BYTES + t.length;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(maxTokenLength);
        for (int id = 0; id < tokens.length; id++) b.putFloat(scores[id]).putInt(tokens[id].length).put(tokens[id]);
        AtomicFiles.write(file, b.array());
    }

    /** Reads every entry to the end of the file, naming the byte and token where it is cut short. */
    public static Llama2cTokenizerFile read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        need(file, b, Integer.BYTES, "max_token_length");
        int maxLength = b.getInt();
        if (maxLength <= 0) throw new CriaException(file + ": max_token_length at byte 0 is " + maxLength + "; it must be positive");
        var scores = new ArrayList<Float>();
        List<byte[]> tokens = new ArrayList<>();
        while (b.hasRemaining()) {
            int id = tokens.size();
            need(file, b, Float.BYTES + Integer.BYTES, "token " + id + "'s score and length");
            scores.add(b.getFloat());
            int at = b.position();
            int length = b.getInt();
            if (length < 0 || length > maxLength) {
                throw new CriaException(file + ": token " + id + "'s length at byte " + at + " is " + length
                        + "; it must be in [0, max_token_length " + maxLength + "]");
            }
            need(file, b, length, "token " + id + "'s " + length + " bytes");
            byte[] token = new byte[length];
            b.get(token);
            tokens.add(token);
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) s[i] = scores.get(i);
        return new Llama2cTokenizerFile(maxLength, s, tokens.toArray(byte[][]::new));
    }

    private static void need(Path file, ByteBuffer b, int count, String what) {
        if (b.remaining() < count) {
            throw new CriaException(file + ": truncated at byte " + b.limit() + ", expected " + count + " bytes of " + what
                    + " from byte " + b.position());
        }
    }
}
