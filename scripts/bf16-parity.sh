#!/usr/bin/env bash
# Trains the tiny preset twice on the same built-in stories, in float32 and with bfloat16 products, and
# prints the validation loss of both at every evaluation with their relative difference (the parity bar
# is 1% at steps 100, 200 and 300).
#   scripts/bf16-parity.sh [STEPS] [BACKEND]      (defaults: 300, auto)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
steps="${1:-300}" backend="${2:-auto}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for precision in f32 bf16; do
  "$root/cria" pretrain --preset tiny --steps "$steps" --eval-every 100 --precision "$precision" --backend "$backend" \
    --out "$work/$precision" >/dev/null 2>"$work/$precision.log" || { cat "$work/$precision.log" >&2; exit 1; }
done
python3 - "$work" <<'PY'
import json, sys, os
def curve(run):
    rows = [json.loads(l) for l in open(os.path.join(sys.argv[1], run, "metrics.jsonl")) if l.strip()]
    return {r["step"]: r["val/loss"] for r in rows if "val/loss" in r}, next((r["backend"] for r in rows if "backend" in r), "?")
f32, b32 = curve("f32")
bf16, b16 = curve("bf16")
print(f"| Step | val/loss {b32} | val/loss {b16} | Difference |")
print("|---|---|---|---|")
for step in sorted(f32):
    print(f"| {step} | {f32[step]:.4f} | {bf16[step]:.4f} | {100 * (bf16[step] - f32[step]) / f32[step]:+.2f}% |")
PY
