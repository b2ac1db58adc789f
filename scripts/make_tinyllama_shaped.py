#!/usr/bin/env python3
"""Writes a TinyLlama-1.1B-shaped model directory with random BF16 weights (standard library only).

The config is TinyLlama-1.1B's (written from its published facts, not downloaded); the weights are
random, so the model talks nonsense: it exists to measure opening, generating and LoRA SFT at a real
size. Shards are cut at 2 GB as transformers' save_pretrained does, with model.safetensors.index.json.

Weights are random BF16 with magnitudes in [2^-7, 2^-5) and random signs, made from random bytes
by fixing the exponent (fast without numpy); RMSNorm weights are 1.0.

Usage: make_tinyllama_shaped.py OUT_DIR [TOKENIZER_DIR]
  TOKENIZER_DIR holds a Llama 2-style tokenizer.json (+ tokenizer_config.json) to copy; without it a
  byte-level tokenizer is written (vocab 32000 still, so the embedding keeps TinyLlama's shape).
"""
import json
import os
import random
import shutil
import struct
import sys

DIM, LAYERS, HEADS, KV_HEADS, HIDDEN, VOCAB = 2048, 22, 32, 4, 5632, 32000
HEAD = DIM // HEADS
SHARD_BYTES = 2 * 1000 ** 3  # transformers' "2GB"

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": DIM,
    "num_hidden_layers": LAYERS,
    "num_attention_heads": HEADS,
    "num_key_value_heads": KV_HEADS,
    "intermediate_size": HIDDEN,
    "vocab_size": VOCAB,
    "max_position_embeddings": 2048,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-05,
    "hidden_act": "silu",
    "torch_dtype": "bfloat16",
    "tie_word_embeddings": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
}


def tensors():
    """(name, shape, is_norm) in the order transformers writes them."""
    yield "model.embed_tokens.weight", (VOCAB, DIM), False
    for l in range(LAYERS):
        p = f"model.layers.{l}."
        yield p + "self_attn.q_proj.weight", (HEADS * HEAD, DIM), False
        yield p + "self_attn.k_proj.weight", (KV_HEADS * HEAD, DIM), False
        yield p + "self_attn.v_proj.weight", (KV_HEADS * HEAD, DIM), False
        yield p + "self_attn.o_proj.weight", (DIM, HEADS * HEAD), False
        yield p + "mlp.gate_proj.weight", (HIDDEN, DIM), False
        yield p + "mlp.up_proj.weight", (HIDDEN, DIM), False
        yield p + "mlp.down_proj.weight", (DIM, HIDDEN), False
        yield p + "input_layernorm.weight", (DIM,), True
        yield p + "post_attention_layernorm.weight", (DIM,), True
    yield "model.norm.weight", (DIM,), True
    yield "lm_head.weight", (VOCAB, DIM), False


# high byte of a little-endian BF16: keep the sign, exponent 0b0111100x (x is the low byte's top bit)
HIGH = bytes((b & 0x80) | 0x3C for b in range(256))


def random_bf16(rng, count):
    data = bytearray(rng.randbytes(2 * count))
    data[1::2] = data[1::2].translate(HIGH)
    return bytes(data)


def ones_bf16(count):
    return b"\x80\x3f" * count


def shards():
    """Groups tensors into shards of at most SHARD_BYTES."""
    groups, current, size = [], [], 0
    for name, shape, norm in tensors():
        n = 2
        for d in shape:
            n *= d
        if current and size + n > SHARD_BYTES:
            groups.append(current)
            current, size = [], 0
        current.append((name, shape, norm, n))
        size += n
    groups.append(current)
    return groups


def write_shard(path, group, rng):
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, _, n in group:
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name, _, norm, n in group:
            f.write(ones_bf16(n // 2) if norm else random_bf16(rng, n // 2))
    return offset


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261130)
    groups = shards()
    weight_map, total = {}, 0
    for i, group in enumerate(groups):
        file = f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        total += write_shard(os.path.join(out, file), group, rng)
        for name, *_ in group:
            weight_map[name] = file
        print(f"wrote {file}", flush=True)
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    tok = sys.argv[2] if len(sys.argv) == 3 else None
    if tok:
        for name in ("tokenizer.json", "tokenizer_config.json"):
            if os.path.exists(os.path.join(tok, name)):
                shutil.copy(os.path.join(tok, name), os.path.join(out, name))
    else:
        write_byte_tokenizer(out)
    add_chat_template(out)
    print(f"{out}: {total / 1e9:.2f} GB of BF16 weights in {len(groups)} shards")


# TinyLlama-1.1B-Chat-v1.0's template (Zephyr's format), as its tokenizer_config.json ships it
CHAT_TEMPLATE = ("{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n"
                 "{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n"
                 "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n"
                 "{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}")


def add_chat_template(out):
    """Puts TinyLlama-Chat's template into tokenizer_config.json unless it has one, so --chat and sft work as on the real model."""
    path = os.path.join(out, "tokenizer_config.json")
    config = json.load(open(path)) if os.path.exists(path) else {}
    config.setdefault("chat_template", CHAT_TEMPLATE)
    config.setdefault("bos_token", "<s>")
    config.setdefault("eos_token", "</s>")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


def write_byte_tokenizer(out):
    """A byte-fallback tokenizer: <unk> <s> </s>, then the 256 bytes as <0xNN>; the rest of the 32000 ids unused."""
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = 3 + b
    for i in range(len(vocab), VOCAB):
        vocab[f"<unused{i}>"] = i
    specials = [{"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
                 "special": True} for c, i in (("<unk>", 0), ("<s>", 1), ("</s>", 2))]
    tokenizer = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": specials,
                 "normalizer": None, "pre_tokenizer": None, "post_processor": None,
                 "decoder": {"type": "ByteFallback"},
                 "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                           "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "vocab": vocab,
                           "merges": []}}
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer, f)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}, f)


if __name__ == "__main__":
    main()
