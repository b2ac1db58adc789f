#!/usr/bin/env bash
# Measures Cria and the PyTorch peer (PyTorch with OpenBLAS) on the same shapes, one after the other,
# and prints the ratios as a Markdown table (docs/performance.md's tables come from this script).
#   scripts/side-by-side.sh [PEER_DIR]     (default: scripts/peer, the peer's scripts in this repository)
# Needs Debian's python3-torch and libopenblas0-pthread for the peer (see scripts/peer/README.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peer="${1:-$root/scripts/peer}"
py=/usr/bin/python3
cria() { "$root/cria" bench "$@" --json --no-probe 2>/dev/null | tail -n 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
torch_gemm() {
  "$py" - "$1" "$2" "$3" <<'PY'
import sys, time, torch
torch.set_num_threads(1)
M, N, K = map(int, sys.argv[1:4])
a, b = torch.randn(M, K), torch.randn(K, N)
for _ in range(3): a @ b
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    for _ in range(10): a @ b
    best = min(best, (time.perf_counter() - t) / 10)
print(2 * M * N * K / best / 1e9)
PY
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

echo "| What | Shape | Cria | PyTorch | Cria/PyTorch |"
echo "|---|---|---|---|---|"
for s in "512 768 768" "1024 2048 2048"; do
  set -- $s
  c=$(field "$(cria gemm --m "$1" --n "$2" --k "$3" --seconds 3)" gflops)
  t=$(torch_gemm "$1" "$2" "$3")
  printf "| GEMM | %s×%s×%s | %.0f GFLOP/s | %.0f GFLOP/s | %s× |\n" "$1" "$3" "$2" "$c" "$t" "$(ratio "$c" "$t")"
done
train() { # label D L H KV F V T B steps
  local label=$1; shift
  c=$(field "$(cria train --dim "$1" --layers "$2" --heads "$3" --kv-heads "$4" --hidden "$5" --vocab "$6" --seq-len "$7" --batch "$8" --steps "$9")" tokens_per_sec)
  t=$("$py" "$peer/bench_train.py" "$@" | sed -n 's/.* \([0-9]*\) tokens\/s/\1/p')
  printf "| Training | %s: %s %s %s %s %s %s, T=%s, B=%s | %s tok/s | %s tok/s | %s× |\n" "$label" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$c" "$t" "$(ratio "$c" "$t")"
}
train tiny 64 5 8 4 172 512 512 8 5
train small 288 6 6 6 768 32000 256 8 3
decode() { # B
  c=$(field "$(cria decode --dim 288 --layers 6 --heads 6 --kv-heads 6 --hidden 768 --vocab 32000 --batch "$1" --prompt-len 16 --new-tokens 128)" tokens_per_sec)
  t=$("$py" "$peer/bench_decode.py" 288 6 6 6 768 32000 "$1" 16 128 | sed -n 's/.* \([0-9]*\) generated tokens\/s/\1/p')
  printf "| Decode | small, B=%s, prompt 16, 128 new | %s tok/s | %s tok/s | %s× |\n" "$1" "$c" "$t" "$(ratio "$c" "$t")"
}
decode 32
decode 1
