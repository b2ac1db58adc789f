package dev.cria.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.HfConfig.TokenIds;
import dev.cria.model.LlamaConfig;
import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
    void refusesAHeadDimCriaCannotCompute() {
        assertParseFails(json("\"head_dim\": 16"),
                "config.json: field \"head_dim\" is 16; Cria needs head_dim == hidden_size / num_attention_heads = 64 / 8");
    }

    @Test
    void refusesArchitectureVariants() {
        assertParseFails(json("\"hidden_act\": \"gelu\""),
                "config.json: field \"hidden_act\" is \"gelu\"; Cria's Llama uses SwiGLU and needs \"silu\"");
        assertParseFails(json("\"attention_bias\": true"),
                "config.json: field \"attention_bias\" is true; Cria's Llama has no biases");
        assertParseFails(json("\"mlp_bias\": true"),
                "config.json: field \"mlp_bias\" is true; Cria's Llama has no biases");
        assertParseFails(json("\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"),
                "config.json: field \"rope_scaling\" is {\"type\":\"linear\",\"factor\":2.0}; "
                        + "Cria supports only plain RoPE (rope_scaling null or absent)");
        assertParseFails(json("\"model_type\": \"mistral\""),
                "config.json: field \"model_type\" is \"mistral\"; Cria reads only \"llama\" checkpoints");
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
