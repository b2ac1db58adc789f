#!/usr/bin/env bash
# B=1 greedy decoding of one model in Cria and in llama.cpp, same thread count, same prompt, same number of new
# tokens: exports the model as GGUF F16 and Q8_0 (or the types in $TYPES, e.g. TYPES="bf16 f16 q8_0 q4_0"), then
# alternates the measurements (Cria F16, llama.cpp F16, Cria Q8_0, llama.cpp Q8_0, ...) RUNS times, keeps each
# one's best, and prints a Markdown table with the ratios. For Q8_0 and Q4_0 it also times Cria quantizing the
# directory as it loads it (bench decode --model DIR --quantize), the same blocks in Cria's own memory.
#   scripts/decode-side-by-side.sh MODEL_DIR [THREADS [TOKENS [RUNS [PROMPT_LEN]]]]   (defaults: 2 32 3 16)
# Cria reads the GGUF files it wrote (cria bench decode --gguf); llama.cpp is node-llama-cpp's prebuilt CPU build
# (see scripts/llamacpp/llamacpp.mjs; .ci/run installs it into target/npm-llama), with a float32 KV cache and flash
# attention off, as in the interop tests. Files go to $WORK (default: a temporary directory, removed at the end).
# On a shared machine the numbers move with the load; the table prints the load average before and after.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: scripts/decode-side-by-side.sh MODEL_DIR [THREADS [TOKENS [RUNS [PROMPT_LEN]]]]}"
threads="${2:-2}"; tokens="${3:-32}"; runs="${4:-3}"; plen="${5:-16}"; types="${TYPES:-f16 q8_0}"
[ -f "$model/config.json" ] || { echo "decode-side-by-side: no config.json in $model" >&2; exit 1; }
command -v node >/dev/null || { echo "decode-side-by-side: node not found; llama.cpp runs through Node" >&2; exit 1; }
work="${WORK:-$(mktemp -d)}"
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before="$(load)"

for type in $types; do
  [ -f "$work/model-$type.gguf" ] || "$root/cria" export gguf --model "$model" --out "$work/model-$type.gguf" --type "$type" >&2
done
vocab="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vocab_size"])' "$model/config.json")"
# the prompt DecodeBench.prompt makes: token i is 1 + (7919 i mod (vocab - 1))
prompt="$(python3 -c 'import sys; P, V = map(int, sys.argv[1:]); print([1 + (7919 * i) % (V - 1) for i in range(P)])' "$plen" "$vocab")"

cria_run() { # --gguf FILE | --model DIR --quantize KIND -> decode tokens/s, tokens/s (prefill included), peak RSS MiB
  "$root/cria" bench decode "$@" --threads "$threads" --prompt-len "$plen" --tokens "$tokens" --repeats 1 --json --no-probe 2>/dev/null \
    | tail -n 1 | python3 -c 'import json,sys; j = json.load(sys.stdin); print(j["decode_tokens_per_sec"], j["tokens_per_sec"], j["peak_rss_mib"])'
}
llama_run() {
  node "$root/scripts/llamacpp/llamacpp.mjs" "$1" "{\"op\": \"bench\", \"prompt\": $prompt, \"tokens\": $tokens, \"threads\": $threads, \"repeats\": 1}" \
    | python3 -c 'import json,sys; j = json.load(sys.stdin); print(j["decode_tokens_per_sec"], j["tokens_per_sec"], 0)'
}
declare -A best best_all rss
keep() { # key "decode overall rss": keeps the run with the best decode rate
  set -- "$1" $2
  if [ -z "${best[$1]:-}" ] || python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$2" "${best[$1]}"; then
    best[$1]="$2"; best_all[$1]="$3"; rss[$1]="$4"
  fi
}
for r in $(seq "$runs"); do
  for type in $types; do
    keep "cria-$type" "$(cria_run --gguf "$work/model-$type.gguf")"
    keep "llama-$type" "$(llama_run "$work/model-$type.gguf")"
    case "$type" in q8_0|q4_0) keep "criadir-$type" "$(cria_run --model "$model" --quantize "$type")" ;; esac
  done
done

ratio() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"; }
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, load average $load_before before, $(load) after"
echo "Model: $model ($vocab tokens); B=1, prompt $plen tokens, $tokens new tokens, greedy; $threads threads; best of $runs alternating runs"
echo
echo "| Weights | Cria tok/s | llama.cpp tok/s | Cria/llama.cpp | With prefill: Cria | llama.cpp | Cria peak RSS |"
echo "|---|---|---|---|---|---|---|"
for type in $types; do
  c="cria-$type"; l="llama-$type"
  printf "| %s | %.2f | %.2f | %s× | %.2f | %.2f | %.0f MiB |\n" "$(echo "$type" | tr a-z A-Z)" "${best[$c]}" "${best[$l]}" \
    "$(ratio "${best[$c]}" "${best[$l]}")" "${best_all[$c]}" "${best_all[$l]}" "${rss[$c]}"
  d="criadir-$type"
  if [ -n "${best[$d]:-}" ]; then
    printf "| %s, Cria quantizing the directory as it loads | %.2f | %.2f | %s× | %.2f | %.2f | %.0f MiB |\n" "$(echo "$type" | tr a-z A-Z)" \
      "${best[$d]}" "${best[$l]}" "$(ratio "${best[$d]}" "${best[$l]}")" "${best_all[$d]}" "${best_all[$l]}" "${rss[$d]}"
  fi
done
echo
echo "tok/s: new tokens after the first, over their time (the first one's time includes the prompt); with prefill: all new tokens over the whole run."
