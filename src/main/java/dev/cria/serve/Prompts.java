package dev.cria.serve;

import dev.cria.world.InstructionGenerator;
import dev.cria.chat.PromptExample;
import java.time.Instant;
import java.util.List;

/** The prompts answers are generated for: uploaded ({@code {"prompt"}} JSONL) or the built-in story instructions. */
public final class Prompts {
    public static final int MAX_CHARS = 2000;
    private final Store store;

    public Prompts(Store store) {
        this.store = store;
    }

    /** Adds prompts, skipping ones already there; returns how many were new. */
    public int add(List<String> texts, String source) {
        return store.tx(db -> {
            int added = 0;
            for (String t : texts) added += db.update("INSERT OR IGNORE INTO prompts(text, source, created_at) VALUES (?, ?, ?)", t, source, Instant.now().toString());
            return added;
        });
    }

    /** Adds {@code n} built-in story instructions (deterministic by seed). */
    public int addBuiltIn(int n, long seed) {
        return add(new InstructionGenerator(seed).prompts(n).stream().map(PromptExample::prompt).toList(), "built-in");
    }

    public long count() {
        return store.tx(db -> db.count("SELECT count(*) FROM prompts"));
    }

    public List<String> all() {
        return store.tx(db -> db.query("SELECT text FROM prompts ORDER BY id", rs -> rs.getString(1)));
    }

    /** The {@code n} prompts with the fewest items so far (oldest first among equals), so every prompt gets its turn. */
    public List<String> leastUsed(int n) {
        return store.tx(db -> db.query("""
                SELECT p.text FROM prompts p ORDER BY (SELECT count(*) FROM items i WHERE i.prompt = p.text), p.id LIMIT ?""",
                rs -> rs.getString(1), n));
    }
}
