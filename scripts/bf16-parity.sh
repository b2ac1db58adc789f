#!/usr/bin/env bash
# Trains the tiny preset in float32 and with bfloat16 products, from the same initial weights and batches,
# and prints the validation loss of both at every evaluation with their relative difference (the parity
# bar is 1% at steps 100, 200 and 300), for each seed asked for.
#   scripts/bf16-parity.sh [STEPS] [BACKEND] [SEEDS]      (defaults: 300, auto, 1337; SEEDS: "1337 2 3")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
steps="${1:-300}" backend="${2:-auto}" seeds="${3:-1337}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for seed in $seeds; do
  for precision in f32 bf16; do
    run="$work/$seed-$precision"
    "$root/cria" pretrain --preset tiny --steps "$steps" --eval-every 100 --seed "$seed" --precision "$precision" \
      --backend "$backend" --out "$run" >/dev/null 2>"$run.log" || { cat "$run.log" >&2; exit 1; }
  done
done
python3 - "$work" $seeds <<'PY'
import json, sys, os
def curve(run):
    rows = [json.loads(l) for l in open(os.path.join(sys.argv[1], run, "metrics.jsonl")) if l.strip()]
    return {r["step"]: r["val/loss"] for r in rows if "val/loss" in r}, next((r["backend"] for r in rows if "backend" in r), "?")
print("| Seed | Step | val/loss float32 | val/loss bfloat16 | Difference |")
print("|---|---|---|---|---|")
for seed in sys.argv[2:]:
    f32, _ = curve(f"{seed}-f32")
    bf16, backend = curve(f"{seed}-bf16")
    for step in sorted(f32):
        print(f"| {seed} | {step} | {f32[step]:.4f} | {bf16[step]:.4f} ({backend}) | {100 * (bf16[step] - f32[step]) / f32[step]:+.2f}% |")
PY
