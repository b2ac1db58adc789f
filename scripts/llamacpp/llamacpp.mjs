// Runs a GGUF file in llama.cpp (through node-llama-cpp, CPU only) and answers one request as JSON on stdout.
// Cria's interop tests (LlamaCppInteropTest) and scripts/decode-side-by-side.sh use it as the reference.
// It is not a chat client: no templates, no sampling, only what the comparisons need.
//
//   node scripts/llamacpp/llamacpp.mjs MODEL.gguf '{"op": ..., ...}'
//
// Requests (ids are token ids; "threads" defaults to 1 everywhere):
//   {"op": "tokenize", "texts": ["Hello", ...]}           -> {"ids": [[...], ...]}   (no bos, special tokens as text)
//   {"op": "greedy", "prompt": [ids], "tokens": N}       -> {"ids": [N ids]}        (argmax each step, eos not special)
//   {"op": "loglik", "tokens": [ids]}                    -> {"logprobs": [...]}     (log p(tokens[i+1] | tokens[..i]))
//   {"op": "embed", "tokens": [ids]}                     -> {"type": "Q8_0", "vectors": [[...], ...]}
//        each token alone through the model's embedding context: the final norm's output at the token (pooling none),
//        and the type of token_embd.weight. A model whose attention and MLP outputs are zero gives
//        rmsnorm(embedding row) there, so this reads llama.cpp's dequantization of the file's embedding rows.
//   {"op": "bench", "prompt": [ids], "tokens": N, "threads": T, "repeats": R}
//        -> {"prefill_seconds", "decode_seconds", "seconds", "tokens_per_sec", "decode_tokens_per_sec"}, the best of R runs
//           after one warm-up; tokens_per_sec is N over the whole run (prompt included), as `cria bench decode` reports.
//
// node-llama-cpp is found under $CRIA_NODE_LLAMA_CPP (an npm prefix), else target/npm-llama of this repository.
// The context is made for exact comparisons: F32 key and value cache (llama.cpp's default is F16), flash attention
// off (on, it keeps the cache in 16 bits), a fixed seed.
import path from "node:path";
import fs from "node:fs";
import {fileURLToPath, pathToFileURL} from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = process.env.CRIA_NODE_LLAMA_CPP || path.join(here, "..", "..", "target", "npm-llama");
const entry = path.join(prefix, "node_modules", "node-llama-cpp", "dist", "index.js");

function fail(message) {
    process.stderr.write("llamacpp.mjs: " + message + "\n");
    process.exit(2);
}

const [modelPath, requestText] = process.argv.slice(2);
if (!modelPath || !requestText) fail("usage: node llamacpp.mjs MODEL.gguf '{\"op\": \"tokenize\"|\"greedy\"|\"loglik\"|\"embed\"|\"bench\", ...}'");
if (!fs.existsSync(entry)) fail("no node-llama-cpp at " + prefix + "; install it with: npm install --prefix " + prefix
    + " --no-audit --no-fund --ignore-scripts --omit=optional node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1");
if (!fs.existsSync(modelPath)) fail("no such model file: " + modelPath);
let request;
try {
    request = JSON.parse(requestText);
} catch (e) {
    fail("the request is not JSON: " + e.message);
}

const {getLlama, LlamaLogLevel, readGgufFileInfo, GgmlType} = await import(pathToFileURL(entry).href);
const threads = request.threads ?? 1;
const llama = await getLlama({build: "never", gpu: false, logLevel: LlamaLogLevel.error, maxThreads: threads});
/** Runs one step; a file llama.cpp cannot load or evaluate ends in one line, not a stack trace. */
async function step(what, body) {
    try {
        return await body();
    } catch (e) {
        fail(what + ": " + String(e?.message ?? e).split("\n")[0]);
    }
}

const model = await step("llama.cpp could not load " + modelPath, () => llama.loadModel({modelPath, gpuLayers: 0}));

/** A context of one sequence that holds `length` tokens, set up for exact comparisons. */
async function sequenceFor(length) {
    const context = await model.createContext({
        contextSize: Math.max(256, length + 1),
        batchSize: Math.max(32, length + 1),
        threads: {ideal: threads, min: threads},
        flashAttention: false,
        experimentalKvCacheKeyType: "F32",
        experimentalKvCacheValueType: "F32",
    });
    return {context, sequence: context.getSequence()};
}

function ids(list, what) {
    if (!Array.isArray(list) || list.length === 0 || !list.every(Number.isInteger)) fail(what + " must be a non-empty list of token ids");
    return list;
}

/** Evaluates the tokens and returns the argmax of the last position's logits (temperature 0 is llama.cpp's greedy sampler). */
async function evaluateAndPick(sequence, tokens, probabilities = false) {
    const items = tokens.map((t, i) => i < tokens.length - 1 ? t : [t, {generateNext: {token: true, probabilities, options: {temperature: 0}}}]);
    const out = await sequence.controlledEvaluate(items);
    return out[tokens.length - 1].next;
}

async function greedy(prompt, n) {
    const {context, sequence} = await sequenceFor(prompt.length + n);
    const out = [];
    let next = (await evaluateAndPick(sequence, prompt)).token;
    while (out.length < n) {
        out.push(next);
        if (out.length < n) next = (await evaluateAndPick(sequence, [next])).token;
    }
    await context.dispose();
    return out;
}

async function loglik(tokens) {
    const {context, sequence} = await sequenceFor(tokens.length);
    // subtle: the probabilities are llama.cpp's softmax of the raw logits (the greedy sampler leaves them as they are)
    const items = tokens.map((t, i) => i < tokens.length - 1 ? [t, {generateNext: {probabilities: true, options: {temperature: 0}}}] : t);
    const out = await sequence.controlledEvaluate(items);
    const logprobs = [];
    for (let i = 0; i + 1 < tokens.length; i++) logprobs.push(Math.log(out[i].next.probabilities.get(tokens[i + 1]) ?? 0));
    await context.dispose();
    return logprobs;
}

async function embed(tokens) {
    const info = await readGgufFileInfo(modelPath, {readTensorInfo: true});
    const tensor = info.fullTensorInfo.find(t => t.name === "token_embd.weight");
    const context = await model.createEmbeddingContext({contextSize: 256, threads});
    const vectors = [];
    for (const t of tokens) vectors.push(Array.from((await context.getEmbeddingFor([t])).vector));
    await context.dispose();
    return {type: GgmlType[tensor.ggmlType], vectors};
}

async function bench(prompt, n, repeats) {
    const {context, sequence} = await sequenceFor(prompt.length + n);
    let best = null;
    for (let r = 0; r <= repeats; r++) {
        await sequence.clearHistory();
        const t0 = performance.now();
        let next = (await evaluateAndPick(sequence, prompt)).token;
        const t1 = performance.now();
        for (let i = 1; i < n; i++) next = (await evaluateAndPick(sequence, [next])).token;
        const t2 = performance.now();
        const run = {prefill_seconds: (t1 - t0) / 1000, decode_seconds: (t2 - t1) / 1000, seconds: (t2 - t0) / 1000};
        if (r > 0 && (best === null || run.seconds < best.seconds)) best = run;   // run 0 is the warm-up
    }
    const used = context.currentThreads;
    await context.dispose();
    return {...best, tokens_per_sec: n / best.seconds, decode_tokens_per_sec: (n - 1) / best.decode_seconds,
        threads: used, prompt_len: prompt.length, new_tokens: n};
}

const result = await step("llama.cpp failed on " + request.op, async () => {
    switch (request.op) {
        case "tokenize":
            if (!Array.isArray(request.texts)) fail("tokenize needs \"texts\": a list of strings");
            return {ids: request.texts.map(text => Array.from(model.tokenize(text, false)))};
        case "greedy":
            return {ids: await greedy(ids(request.prompt, "prompt"), request.tokens ?? 32)};
        case "loglik":
            return {logprobs: await loglik(ids(request.tokens, "tokens"))};
        case "embed":
            return await embed(ids(request.tokens, "tokens"));
        case "bench":
            return await bench(ids(request.prompt, "prompt"), request.tokens ?? 128, request.repeats ?? 3);
        default:
            fail("op must be tokenize, greedy, loglik, embed or bench: " + request.op);
    }
});
process.stdout.write(JSON.stringify(result) + "\n");
await model.dispose();
await llama.dispose();
