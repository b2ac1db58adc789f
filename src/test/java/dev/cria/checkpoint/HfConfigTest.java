package dev.cria.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.HfConfig.TokenIds;
import dev.cria.kernels.Rope;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HfConfigTest {
    @TempDir
    Path dir;

    /** The fields Cria requires, as a Hugging Face config.json would have them, plus {@code extra}. */
    private static String json(String extra) {
        return """
                {
                  "hidden_size": 64,
                  "intermediate_size": 172,
                  "num_attention_heads": 8,
                  "num_hidden_layers": 2,
                  "vocab_size": 300,
                  "max_position_embeddings": 128,
                  "rms_norm_eps": 1e-05%s
                }""".formatted(extra.isEmpty() ? "" : ",\n" + extra);
    }

    private static void assertParseFails(String json, String message) {
        assertThatThrownBy(() -> HfConfig.parse(json, "config.json"))
                .isInstanceOf(CriaException.class)
                .hasMessage(message);
    }

    @Test
    void roundTripsThroughAFile() {
        LlamaConfig config = new LlamaConfig(64, 5, 8, 4, 172, 512, 512, 1e-5f, 10000f, true);
        Path file = dir.resolve("ckpt/config.json");
        HfConfig.write(file, config, new TokenIds(1, 2, null));

        HfConfig.Contents read = HfConfig.readContents(file);
        assertThat(read.model()).isEqualTo(config);
        assertThat(read.tokens()).isEqualTo(new TokenIds(1, 2, null));
        assertThat(HfConfig.read(file)).isEqualTo(config);
    }

    @Test
    void roundTripsUnusualFloatsExactly() {
        LlamaConfig config = new LlamaConfig(48, 1, 4, 2, 128, 260, 32, 1e-6f, 500000f, false);
        assertThat(HfConfig.parse(HfConfig.toJson(config, TokenIds.NONE), "x").model()).isEqualTo(config);
        LlamaConfig odd = new LlamaConfig(48, 1, 4, 2, 128, 260, 32, 3.3e-7f, 12345.678f, false);
        assertThat(HfConfig.parse(HfConfig.toJson(odd, TokenIds.NONE), "x").model()).isEqualTo(odd);
    }

    @Test
    void writesWhatTransformersExpectsWithSortedKeys() throws IOException {
        LlamaConfig config = new LlamaConfig(64, 2, 8, 4, 172, 300, 64, 1e-5f, 10000f, false);
        String text = HfConfig.toJson(config, new TokenIds(1, 2, 3));
        JsonNode json = new ObjectMapper().readTree(text);

        assertThat(json.get("architectures").toString()).isEqualTo("[\"LlamaForCausalLM\"]");
        assertThat(json.get("model_type").textValue()).isEqualTo("llama");
        assertThat(json.get("torch_dtype").textValue()).isEqualTo("float32");
        assertThat(json.get("hidden_act").textValue()).isEqualTo("silu");
        assertThat(json.get("head_dim").intValue()).isEqualTo(8);
        assertThat(json.get("num_key_value_heads").intValue()).isEqualTo(4);
        assertThat(json.get("tie_word_embeddings").booleanValue()).isFalse();
        assertThat(json.get("rope_scaling").isNull()).isTrue();
        assertThat(json.get("rms_norm_eps").doubleValue()).isEqualTo(1e-5);
        assertThat(json.get("rope_theta").doubleValue()).isEqualTo(10000.0);
        assertThat(json.get("pad_token_id").intValue()).isEqualTo(3);

        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).isSorted();
        assertThat(text).contains("\n  \"hidden_size\": 64,\n").endsWith("}\n");
    }

    @Test
    void appliesTransformersDefaultsForAbsentOptionalFields() {
        LlamaConfig config = HfConfig.parse(json(""), "config.json").model();

        assertThat(config.kvHeads()).isEqualTo(8);
        assertThat(config.ropeTheta()).isEqualTo(10000f);
        assertThat(config.tieEmbeddings()).isFalse();
        assertThat(HfConfig.parse(json(""), "config.json").tokens()).isEqualTo(TokenIds.NONE);
    }

    @Test
    void acceptsTheFieldsOfARealLlamaConfig() {
        String extra = """
                "architectures": ["LlamaForCausalLM"], "model_type": "llama", "num_key_value_heads": 2,
                "head_dim": 8, "hidden_act": "silu", "attention_bias": false, "mlp_bias": false,
                "rope_scaling": null, "rope_theta": 500000.0, "tie_word_embeddings": true,
                "initializer_range": 0.02, "pretraining_tp": 1, "transformers_version": "4.46.0",
                "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": null""";
        HfConfig.Contents c = HfConfig.parse(json(extra), "config.json");

        assertThat(c.model()).isEqualTo(new LlamaConfig(64, 2, 8, 2, 172, 300, 128, 1e-5f, 500000f, true));
        assertThat(c.tokens()).isEqualTo(new TokenIds(1, 2, null));
    }

    @Test
    void acceptsPlainRopeSpelledTheTransformers5Way() {
        String extra = "\"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 250000.0}";
        assertThat(HfConfig.parse(json(extra), "config.json").model().ropeTheta()).isEqualTo(250000f);
    }

    @Test
    void namesTheFileAndAMissingField() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json("").replace("\"hidden_size\": 64,", ""));

        assertThatThrownBy(() -> HfConfig.read(file))
                .isInstanceOf(CriaException.class)
                .hasMessage(file + ": field \"hidden_size\" is missing");
    }

    @Test
    void namesAFieldOfTheWrongType() {
        assertParseFails(json("").replace("\"hidden_size\": 64", "\"hidden_size\": \"64\""),
                "config.json: field \"hidden_size\" must be an integer, got \"64\"");
        assertParseFails(json("\"tie_word_embeddings\": 1"),
                "config.json: field \"tie_word_embeddings\" must be true or false, got 1");
        assertParseFails(json("").replace("1e-05", "\"small\""),
                "config.json: field \"rms_norm_eps\" must be a number, got \"small\"");
        assertParseFails(json("\"num_key_value_heads\": 2.5"),
                "config.json: field \"num_key_value_heads\" must be an integer, got 2.5");
    }

    @Test
    void readsAHeadDimApartFromHiddenSizeOverHeads() {
        LlamaConfig config = HfConfig.parse(json("\"head_dim\": 16"), "config.json").model();

        assertThat(config.headSize()).isEqualTo(16);
        assertThat(config.qDim()).isEqualTo(128);
        assertThat(config.kvDim()).isEqualTo(128);
        assertParseFails(json("\"head_dim\": 7"), "config.json: headSize must be even for RoPE: 7");
        assertThat(HfConfig.parse(json("\"model_type\": \"qwen3\""), "config.json").model().headSize())
                .as("transformers' Qwen3Config default").isEqualTo(128);
    }

    @Test
    void readsTheFamiliesAndTheirBiases() {
        assertThat(variant("\"model_type\": \"llama\"")).isEqualTo(Variant.LLAMA);
        assertThat(variant("\"model_type\": \"mistral\", \"sliding_window\": null").family()).isEqualTo(Variant.Family.MISTRAL);
        Variant qwen2 = variant("\"model_type\": \"qwen2\", \"use_sliding_window\": false, \"sliding_window\": 64");
        assertThat(qwen2.biases()).containsExactlyInAnyOrder(Projection.Q, Projection.K, Projection.V);
        assertThat(qwen2.qkNorm()).isFalse();
        Variant qwen3 = variant("\"model_type\": \"qwen3\", \"attention_bias\": false");
        assertThat(qwen3.biases()).isEmpty();
        assertThat(qwen3.qkNorm()).isTrue();
        assertThat(variant("\"attention_bias\": true").biases())
                .containsExactlyInAnyOrder(Projection.Q, Projection.K, Projection.V, Projection.O);
        assertThat(variant("\"mlp_bias\": true").biases())
                .containsExactlyInAnyOrder(Projection.GATE, Projection.UP, Projection.DOWN);
    }

    @Test
    void readsLinearAndLlama3RopeScalingInBothSpellings() {
        assertThat(variant("\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}").ropeScaling())
                .isEqualTo(new Rope.Scaling.Linear(2f));
        String llama3 = """
                "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}""";
        assertThat(variant(llama3).ropeScaling()).isEqualTo(new Rope.Scaling.Llama3(8f, 1f, 4f, 8192));
        String v5 = """
                "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0,
                "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}""";
        LlamaConfig config = HfConfig.parse(json(v5), "config.json").model();
        assertThat(config.ropeTheta()).isEqualTo(500000f);
        assertThat(config.variant().ropeScaling()).isEqualTo(new Rope.Scaling.Llama3(32f, 1f, 4f, 8192));
    }

    @Test
    void keepsTokenIdListsAndTheDtype() {
        HfConfig.Contents c = HfConfig.parse(json(
                "\"bos_token_id\": 1, \"eos_token_id\": [2, 5, 7], \"torch_dtype\": \"bfloat16\""), "config.json");

        assertThat(c.tokens()).isEqualTo(new TokenIds(List.of(1), List.of(2, 5, 7), List.of()));
        assertThat(c.dtype()).isEqualTo("bfloat16");
        assertThat(HfConfig.parse(HfConfig.toJson(c.model(), c.tokens()), "x").tokens()).isEqualTo(c.tokens());
        assertParseFails(json("\"torch_dtype\": \"int8\""),
                "config.json: field \"torch_dtype\" is \"int8\"; Cria reads [float32, bfloat16, float16]");
    }

    @Test
    void roundTripsEveryVariant() {
        LlamaConfig base = new LlamaConfig(48, 1, 4, 2, 128, 260, 32, 1e-6f, 500000f, false);
        for (Variant v : List.of(
                new Variant(Variant.Family.QWEN2, Set.of(Projection.Q, Projection.K, Projection.V), false, Rope.Scaling.NONE),
                new Variant(Variant.Family.QWEN3, Set.of(), true, new Rope.Scaling.Linear(4f)),
                new Variant(Variant.Family.MISTRAL, Set.of(), false, new Rope.Scaling.Llama3(8f, 1f, 4f, 16)),
                Variant.LLAMA.withBiases(Set.of(Projection.Q, Projection.K, Projection.V, Projection.O)))) {
            LlamaConfig config = new LlamaConfig(48, 1, 4, 2, 128, 260, 32, 1e-6f, 500000f, false, 16, v);
            assertThat(HfConfig.parse(HfConfig.toJson(config, TokenIds.NONE), "x").model()).isEqualTo(config);
        }
        assertThat(HfConfig.parse(HfConfig.toJson(base, TokenIds.NONE), "x").model()).isEqualTo(base);
    }

    @Test
    void refusesToWriteAVariantItsFamilyCannotDescribe() {
        Variant mistralWithBiases = new Variant(Variant.Family.MISTRAL, Set.of(Projection.Q, Projection.K, Projection.V, Projection.O),
                false, Rope.Scaling.NONE);
        LlamaConfig config = new LlamaConfig(48, 1, 4, 2, 128, 260, 32, 1e-6f, 10000f, false, 12, mistralWithBiases);
        assertThatThrownBy(() -> HfConfig.toJson(config, TokenIds.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model_type mistral cannot describe");
        assertThatThrownBy(() -> HfConfig.toJson(config.withVariant(Variant.LLAMA.withQkNorm(true)), TokenIds.NONE))
                .hasMessageContaining("model_type llama cannot describe");
    }

    @Test
    void refusesBiasFlagsTheFamilyIgnores() {
        assertParseFails(json("\"model_type\": \"mistral\", \"attention_bias\": true"),
                "config.json: field \"attention_bias\" is true; transformers' Mistral has no attention biases");
        assertParseFails(json("\"model_type\": \"qwen3\", \"mlp_bias\": true"),
                "config.json: field \"mlp_bias\" is true; only model_type llama has MLP biases");
    }

    @Test
    void refusesArchitectureVariants() {
        assertParseFails(json("\"hidden_act\": \"gelu\""),
                "config.json: field \"hidden_act\" is \"gelu\"; Cria's MLP is SwiGLU and needs \"silu\" (GELU models are not supported)");
        assertParseFails(json("\"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2.0}"),
                "config.json: field \"rope_scaling\" has rope_type \"dynamic\"; Cria computes default, linear and llama3 RoPE");
        assertParseFails(json("\"rope_parameters\": {\"rope_type\": \"yarn\", \"factor\": 4.0}"),
                "config.json: field \"rope_parameters\" has rope_type \"yarn\"; Cria computes default, linear and llama3 RoPE");
        assertParseFails(json("\"model_type\": \"gemma\""),
                "config.json: field \"model_type\" is \"gemma\"; Cria reads llama, mistral, qwen2, qwen3");
        assertParseFails(json("\"num_local_experts\": 8"),
                "config.json: field \"num_local_experts\" is 8; Cria has no mixture-of-experts MLP");
        assertParseFails(json("\"final_logit_softcapping\": 30.0"),
                "config.json: field \"final_logit_softcapping\" is 30.0; Cria does not compute Gemma-style models");
    }

    @Test
    void acceptsASlidingWindowOnlyWhenItCoversTheContext() {
        assertThat(variant("\"model_type\": \"mistral\", \"sliding_window\": 128").family()).isEqualTo(Variant.Family.MISTRAL);
        assertParseFails(json("\"model_type\": \"mistral\", \"sliding_window\": 64"),
                "config.json: field \"sliding_window\" is 64, shorter than max_position_embeddings 128; Cria has no "
                        + "sliding-window attention (set it to null or lower max_position_embeddings to 64)");
        assertParseFails(json("\"model_type\": \"qwen2\", \"use_sliding_window\": true, \"sliding_window\": 64"),
                "config.json: field \"sliding_window\" is 64, shorter than max_position_embeddings 128; Cria has no "
                        + "sliding-window attention (set it to null or lower max_position_embeddings to 64)");
    }

    private static Variant variant(String extra) {
        return HfConfig.parse(json(extra), "config.json").model().variant();
    }

    @Test
    void reportsInconsistentShapesWithTheFileName() {
        assertParseFails(json("\"num_key_value_heads\": 3"),
                "config.json: heads must be a multiple of kvHeads: heads=8, kvHeads=3");
    }

    @Test
    void reportsInvalidJson() {
        assertThatThrownBy(() -> HfConfig.parse("{\"hidden_size\": 64,", "config.json"))
                .isInstanceOf(CriaException.class)
                .hasMessageStartingWith("config.json: not valid JSON: ");
    }
}
