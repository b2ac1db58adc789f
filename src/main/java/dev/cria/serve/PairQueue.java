package dev.cria.serve;

import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes items to label in the background: for each prompt, two samples from one model (normally the
 * current policy), or one answer each from two models (shown in random order), or a single answer to
 * rate. Jobs run one after another on their own thread, in batches of {@value #BATCH} prompts, each
 * batch a task on the {@link ModelHost} worker so chat requests interleave. Progress is kept in memory.
 */
public final class PairQueue implements AutoCloseable {
    static final int BATCH = 8;
    public static final int MAX_JOB = 2000;

    /** A generation job and how far it got. */
    public static final class Job {
        public final long id;
        public final String kind;
        public final String modelA;
        public final String modelB;
        public final int total;
        public final AtomicInteger done = new AtomicInteger();
        public volatile String state = "queued";
        public volatile String error;

        Job(long id, String kind, String modelA, String modelB, int total) {
            this.id = id;
            this.kind = kind;
            this.modelA = modelA;
            this.modelB = modelB;
            this.total = total;
        }
    }

    private final RunDir run;
    private final ModelHost host;
    private final Sampling sampling;
    private final AtomicLong ids = new AtomicLong();
    private final List<Job> jobs = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cria-queue");
        t.setDaemon(true);
        return t;
    });

    public PairQueue(RunDir run, ModelHost host, Sampling sampling) {
        this.run = run;
        this.host = host;
        this.sampling = sampling;
    }

    /**
     * Queues {@code count} items for the least-used prompts.
     *
     * @param modelB null for two samples of {@code modelA} (or one, for a single)
     */
    public Job submit(String kind, int count, String modelA, String modelB) {
        if (!kind.equals(Item.PAIR) && !kind.equals(Item.SINGLE)) throw ApiError.badField("kind", "must be pair or single");
        if (count < 1 || count > MAX_JOB) throw ApiError.badField("count", "must be from 1 to " + MAX_JOB);
        run.modelDir(modelA);
        if (modelB != null) {
            if (kind.equals(Item.SINGLE)) throw ApiError.badField("model_b", "a single answer comes from one model");
            run.modelDir(modelB);
        }
        List<String> prompts = run.prompts.leastUsed(count);
        if (prompts.isEmpty()) throw new ApiError(409, "prompts", "prompts: there are none yet; upload a JSONL file or add the built-in story prompts");
        var job = new Job(ids.incrementAndGet(), kind, modelA, modelB, prompts.size());
        jobs.add(job);
        thread.submit(() -> work(job, prompts));
        return job;
    }

    public List<Job> jobs() {
        return List.copyOf(jobs);
    }

    private void work(Job job, List<String> prompts) {
        job.state = "running";
        try {
            Rng rng = new Rng((sampling.seed() == 0 ? System.nanoTime() : sampling.seed()) + job.id);
            for (int from = 0; from < prompts.size(); from += BATCH) {
                List<String> batch = prompts.subList(from, Math.min(prompts.size(), from + BATCH));
                List<Answer> answers = host.callQueued(() -> answer(job, batch, rng));
                store(job, answers, rng);
                job.done.addAndGet(answers.size());
            }
            job.state = "done";
        } catch (RuntimeException e) {
            job.error = e.getMessage();
            job.state = "failed";
        }
    }

    /** One prompt's answers and the concrete model names that wrote them. */
    private record Answer(String prompt, String a, String modelA, String b, String modelB) {
    }

    private List<Answer> answer(Job job, List<String> prompts, Rng rng) {
        var a = host.load(job.modelA);
        boolean twoSamples = job.kind.equals(Item.PAIR) && job.modelB == null;
        var fits = new ArrayList<String>();
        for (String p : prompts) if (a.chat().promptTokens(p).length < a.model().config().maxSeqLen() - 1) fits.add(p);
        List<String> first = sample(a, twoSamples ? twice(fits) : fits, rng);
        List<String> second = null;
        String nameB = a.name();
        if (job.modelB != null) {
            var b = host.load(job.modelB);
            second = sample(b, fits, rng);
            nameB = b.name();
        }
        var out = new ArrayList<Answer>();
        for (int i = 0; i < fits.size(); i++) {
            if (twoSamples) out.add(new Answer(fits.get(i), first.get(2 * i), a.name(), first.get(2 * i + 1), a.name()));
            else out.add(new Answer(fits.get(i), first.get(i), a.name(), second == null ? null : second.get(i), nameB));
        }
        return out;
    }

    private static List<String> twice(List<String> prompts) {
        var out = new ArrayList<String>();
        for (String p : prompts) {
            out.add(p);
            out.add(p);
        }
        return out;
    }

    private List<String> sample(ModelHost.Loaded m, List<String> prompts, Rng rng) {
        var tokens = new ArrayList<int[]>();
        for (String p : prompts) tokens.add(m.chat().promptTokens(p));
        var sampler = new Sampler(sampling.temperature(), 0, sampling.topP());
        var texts = new ArrayList<String>();
        for (var c : m.generator().generate(tokens, sampling.maxNewTokens(), sampler, rng.split(), m.chat().stopTokens(), null)) {
            texts.add(m.chat().decodeResponse(c.tokens()));
        }
        return texts;
    }

    private void store(Job job, List<Answer> answers, Rng rng) {
        for (Answer x : answers) {
            if (job.kind.equals(Item.SINGLE)) run.items.addSingle(x.prompt(), x.a(), x.modelA());
            else if (job.modelB != null && rng.nextInt(2) == 1) run.items.addPair(x.prompt(), x.b(), x.a(), x.modelB(), x.modelA());
            else run.items.addPair(x.prompt(), x.a(), x.b(), x.modelA(), x.modelB());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
