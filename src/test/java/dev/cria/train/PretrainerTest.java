package dev.cria.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.world.StoryGenerator;
import dev.cria.data.TokenPacker;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainerTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(16, 2, 2, 1, 32, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true);
    private static int[] train;
    private static int[] val;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        List<String> docs = new StoryGenerator(5).stories(40);
        train = TokenPacker.pack(TOKENIZER, docs.subList(0, 36));
        val = TokenPacker.pack(TOKENIZER, docs.subList(36, 40));
    }

    private static PretrainConfig config(int batch, int accum, int steps) {
        return new PretrainConfig(batch, 32, accum, steps, 1e-2, 1e-3, 2, 0.1, 0.9, 0.95, 1.0, 3, 2, 0, 7);
    }

    private static Llama freshModel() {
        return Llama.initialize(SHAPE, new Rng(11));
    }

    @Test
    void resumedRunContinuesExactlyWhereItStopped() {
        Path straight = dir.resolve("straight"), interrupted = dir.resolve("interrupted");
        var cfg = config(4, 1, 8);
        Pretrainer.start(freshModel(), TOKENIZER, train, val, cfg, RunDirectory.at(straight)).run(StopSignal.manual());

        Pretrainer.start(freshModel(), TOKENIZER, train, val, cfg, RunDirectory.at(interrupted)).runUntil(5, StopSignal.manual());
        var checkpoint = ModelDirectory.load(interrupted);
        assertThat(checkpoint.state().orElseThrow().step()).isEqualTo(5);
        var resumed = Pretrainer.resume(checkpoint, train, val, cfg, RunDirectory.at(interrupted));
        resumed.run(StopSignal.manual());

        Map<String, Tensor> a = ModelDirectory.load(straight).model().parameters();
        Map<String, Tensor> b = ModelDirectory.load(interrupted).model().parameters();
        for (String name : a.keySet()) assertThat(b.get(name).data).as(name).containsExactly(a.get(name).data);
        var lossesA = MetricsLog.series(new MetricsLog(straight.resolve(Pretrainer.METRICS)).read(), "train/loss");
        var lossesB = MetricsLog.series(new MetricsLog(interrupted.resolve(Pretrainer.METRICS)).read(), "train/loss");
        assertThat(lossesB[0]).containsExactly(lossesA[0]);
        assertThat(lossesB[1]).containsExactly(lossesA[1]);
    }

    /**
     * The first run starts in the interpreter and the second in compiled code, so this pins the kernels
     * to one rounding whatever the JIT has done: exact resume depends on it.
     */
    @Test
    void identicalRunsInOneProcessGiveIdenticalWeights() {
        var cfg = config(4, 1, 6);
        Pretrainer.start(freshModel(), TOKENIZER, train, val, cfg, RunDirectory.at(dir.resolve("first"))).run(StopSignal.manual());
        Pretrainer.start(freshModel(), TOKENIZER, train, val, cfg, RunDirectory.at(dir.resolve("second"))).run(StopSignal.manual());
        Map<String, Tensor> a = ModelDirectory.load(dir.resolve("first")).model().parameters();
        Map<String, Tensor> b = ModelDirectory.load(dir.resolve("second")).model().parameters();
        for (String name : a.keySet()) assertThat(b.get(name).data).as(name).containsExactly(a.get(name).data);
    }

    @Test
    void stopSignalSavesACheckpointAndReportsTheInterruption() {
        var stop = StopSignal.manual();
        stop.request();
        var result = Pretrainer.start(freshModel(), TOKENIZER, train, val, config(2, 1, 5), RunDirectory.at(dir)).run(stop);
        assertThat(result.interrupted()).isTrue();
        assertThat(ModelDirectory.load(dir).state().orElseThrow().step()).isZero();
    }

    @Test
    void batchOfFourEqualsFourAccumulatedBatchesOfOne() {
        Llama big = freshModel(), accumulated = freshModel();
        Pretrainer.start(big, TOKENIZER, train, val, config(4, 1, 1), RunDirectory.at(dir.resolve("a"))).run(StopSignal.manual());
        Pretrainer.start(accumulated, TOKENIZER, train, val, config(1, 4, 1), RunDirectory.at(dir.resolve("b"))).run(StopSignal.manual());
        var pa = big.parameters();
        var pb = accumulated.parameters();
        for (String name : pa.keySet()) {
            float[] x = pa.get(name).data, y = pb.get(name).data;
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).as("%s[%d]", name, i).isCloseTo(x[i], org.assertj.core.data.Offset.offset(2e-6f));
            }
        }
    }

    @Test
    void everyParameterChangesAfterAStep() {
        Llama model = freshModel();
        var before = new java.util.HashMap<String, float[]>();
        model.parameters().forEach((n, t) -> before.put(n, t.data.clone()));
        Pretrainer.start(model, TOKENIZER, train, val, config(2, 1, 1), RunDirectory.at(dir)).run(StopSignal.manual());
        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(before.get(n)));
    }

    @Test
    void lossFallsOnStories() {
        var result = Pretrainer.start(freshModel(), TOKENIZER, train, val, config(8, 1, 40), RunDirectory.at(dir)).run(StopSignal.manual());
        var losses = MetricsLog.series(new MetricsLog(dir.resolve(Pretrainer.METRICS)).read(), "train/loss")[1];
        assertThat(losses[losses.length - 1]).isLessThan(losses[0] - 1.5);
        assertThat(result.valLoss()).isLessThan(Math.log(SHAPE.vocab()) - 1.5);
        assertThat(Files.exists(dir.resolve(Pretrainer.LOSS_PLOT))).isTrue();
    }

    @Test
    void nonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() {
        Llama model = freshModel();
        var trainer = Pretrainer.start(model, TOKENIZER, train, val, config(2, 1, 6), RunDirectory.at(dir));
        trainer.runUntil(2, StopSignal.manual());
        model.parameters().get("model.norm.weight").data[0] = Float.NaN;
        assertThatThrownBy(() -> trainer.run(StopSignal.manual())).isInstanceOf(TrainingDiverged.class)
                .hasMessageContaining("step 2").hasMessageContaining("learning rate").hasMessageContaining("gradient norm");
        var kept = ModelDirectory.load(dir);
        assertThat(kept.state().orElseThrow().step()).isEqualTo(2);
        assertThat(kept.model().parameters().get("model.norm.weight").data[0]).isFinite();
    }

    @Test
    void crashDuringSaveLeavesThePreviousCheckpointLoadable() throws Exception {
        Llama model = freshModel();
        Pretrainer.start(model, TOKENIZER, train, val, config(2, 1, 2), RunDirectory.at(dir)).run(StopSignal.manual());
        assertThatThrownBy(() -> dev.cria.io.AtomicDirectory.replace(dir.resolve(ModelDirectory.RUN_CHECKPOINT), tmp -> {
            ModelDirectory.writeModel(tmp, model, TOKENIZER);
            throw new IllegalStateException("simulated crash mid-save");
        })).hasMessageContaining("simulated crash");
        assertThat(ModelDirectory.load(dir).state().orElseThrow().step()).isEqualTo(2);
        // a crash between the two renames leaves only model.old: it is recovered
        Files.move(dir.resolve("model"), dir.resolve("model.old"));
        assertThat(ModelDirectory.load(dir).state().orElseThrow().step()).isEqualTo(2);
    }
}
