#!/usr/bin/env bash
# Measures Cria and the PyTorch peer (PyTorch with OpenBLAS, and oneDNN for bfloat16) on the same shapes,
# one after the other, and prints the ratios as a Markdown table (docs/performance.md's tables come from here).
#   scripts/side-by-side.sh [PEER_DIR]     (default: scripts/peer, the peer's scripts in this repository)
#   ROWS="gemm train bf16 decode"           the sections to run (default: all four)
#   RUNS=2                                  float32 training rows: runs per side, alternating; each side's best
#   AVX2=1                                  on an AVX-512 CPU, stand in for an AVX2-only host: Cria's JVM
#                                           limited to AVX2 (-XX:UseAVX=2), OpenBLAS to its AVX2 kernels,
#                                           oneDNN to AVX2 (ONEDNN_MAX_CPU_ISA); no bf16 row
# Needs Debian's python3-torch and libopenblas0-pthread for the peer (see scripts/peer/README.md).
#
# The peer is put at its best first: OpenBLAS picks a kernel by CPU model and its pick is not always its
# fastest (on Zen 5 it picks a Zen kernel at half the speed of its SkylakeX one), so every core type this
# CPU can run is timed on a 1024×2048×2048 product and the fastest is used for all float32 rows; then
# every allocator at hand is timed on training steps of both presets and each peer row runs under the
# fastest for its model.
# Float32 rows give PyTorch one thread of its own (OpenBLAS still uses every core; two PyTorch threads
# were slower here). bfloat16 rows run PyTorch's autocast (oneDNN) with 1 and with all threads, the faster.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peer="${1:-$root/scripts/peer}"
rows="${ROWS-gemm train bf16 decode}"
runs="${RUNS:-2}"
py=/usr/bin/python3
cores=$(nproc)
flags=$(grep -m1 '^flags' /proc/cpuinfo)
if [ "${AVX2:-}" = 1 ]; then
  flags=$(tr ' ' '\n' <<<"$flags" | grep -v -e '^avx512' -e '^amx' | tr '\n' ' ')
  export CRIA_JAVA_OPTS="${CRIA_JAVA_OPTS:-} -XX:UseAVX=2" ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2
  # PyTorch's autocast fails outright with oneDNN held to AVX2 (a real AVX2 host takes a slower path)
  rows="${rows//bf16/}"
fi
has() { [[ " $flags " == *" $1 "* ]]; }

cria() { "$root/cria" bench "$@" --json --no-probe 2>/dev/null | tail -n 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
best() { python3 -c "import sys; print(max(map(float, sys.argv[1:])))" "$@"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

# GFLOP/s of one PyTorch product in a layout Cria's bench also times: abt = a·wᵀ, ab = a·b, atb = c += aᵀ·b.
torch_gemm() { # M N K layout
  env ${peer_env:-} "$py" - "$@" <<'PY'
import sys, time, torch
torch.set_num_threads(1)
M, N, K = map(int, sys.argv[1:4]); layout = sys.argv[4]
c = torch.zeros(M, N)
if layout == "abt":
    a, w = torch.randn(M, K), torch.randn(N, K)
    run = lambda: torch.mm(a, w.t(), out=c)
elif layout == "ab":
    a, b = torch.randn(M, K), torch.randn(K, N)
    run = lambda: torch.mm(a, b, out=c)
else:
    a, b = torch.randn(K, M), torch.randn(K, N)
    run = lambda: c.addmm_(a.t(), b)
for _ in range(3): run()
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    for _ in range(10): run()
    best = min(best, (time.perf_counter() - t) / 10)
print(2 * M * N * K / best / 1e9)
PY
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $cores cores;" \
  "$(for f in avx2 avx512f avx512_bf16 amx_bf16; do has $f && printf '%s ' $f; done)$([ "${AVX2:-}" = 1 ] && echo '(AVX2=1: an AVX2-only host stood in for)')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# The OpenBLAS core types this CPU can run, each timed; the fastest is exported for every peer run below.
types=(default)
[ "${AVX2:-}" = 1 ] && types=() # OpenBLAS's own pick would be an AVX-512 kernel
has avx2 && types+=(Haswell Zen)
has avx512f && types+=(SkylakeX)
has avx512_bf16 && types+=(Cooperlake)
has amx_bf16 && types+=(SapphireRapids)
best_type=default best_gflops=0 probes=""
for t in "${types[@]}"; do
  if [ "$t" = default ]; then g=$(unset OPENBLAS_CORETYPE; torch_gemm 1024 2048 2048 ab)
  else g=$(OPENBLAS_CORETYPE=$t torch_gemm 1024 2048 2048 ab); fi
  probes+="$t $(printf '%.0f' "$g"), "
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$g" "$best_gflops"; then
    best_type=$t best_gflops=$g
  fi
done
echo "OpenBLAS core types (GFLOP/s at 1024×2048×2048): ${probes%, }; the peer uses: $best_type"
if [ "$best_type" = default ]; then unset OPENBLAS_CORETYPE; else export OPENBLAS_CORETYPE=$best_type; fi

# The peer's memory allocator, each timed on training steps of both presets; each peer row then runs under
# the fastest for its model (decoding under the small preset's). glibc hands every freed block over 32 MB
# back to the kernel, so PyTorch's large temporaries (a tiny step's attention scores are 67 MB) come back as
# fresh pages, each a page fault, and on some of these VMs a fault costs about 15 µs: there PyTorch trained
# 11 times slower than with the memory kept. PyTorch's CPU tuning guides recommend tcmalloc or jemalloc for
# the same reason. (The tiny step alone chose once between two allocators 1% apart, and the one chosen ran
# the small step 17% slower than the other.)
lib=/usr/lib/x86_64-linux-gnu
allocators=("glibc" "glibc, memory kept")
[ -f $lib/libtcmalloc_minimal.so.4 ] && allocators+=(tcmalloc)
[ -f $lib/libjemalloc.so.2 ] && allocators+=("jemalloc, memory kept")
allocator_env() { # name -> the environment that selects it
  case "$1" in
    "glibc, memory kept") echo MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1000000000000 ;;
    tcmalloc) echo LD_PRELOAD=$lib/libtcmalloc_minimal.so.4 ;;
    "jemalloc, memory kept") echo LD_PRELOAD=$lib/libjemalloc.so.2 MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 ;;
  esac
}
fastest_allocator() { # label, then bench_train.py's arguments -> prints the probes; sets best_alloc
  local label=$1 a tps best_tps=0 probes=""
  shift
  best_alloc=glibc
  for a in "${allocators[@]}"; do
    # an allocator the peer cannot run under counts as 0 tokens/s instead of ending the script
    tps=$(env $(allocator_env "$a") "$py" "$peer/bench_train.py" "$@" 2>/dev/null | sed -n 's/.* \([0-9]*\) tokens\/s/\1/p' || true)
    probes+="$a ${tps:-0}, "
    if [ "${tps:-0}" -gt "$best_tps" ]; then best_alloc=$a best_tps=$tps; fi
  done
  echo "Allocators (peer tokens/s, $label training): ${probes%, }; the peer uses: $best_alloc"
}
# for the peer's runs only: Cria's JVM keeps its own heap
fastest_allocator tiny 64 5 8 4 172 512 512 8 2
tiny_env=$(allocator_env "$best_alloc")
peer_env=$tiny_env
if [[ " $rows " == *" train "* || " $rows " == *" bf16 "* || " $rows " == *" decode "* ]]; then
  fastest_allocator small 288 6 6 6 768 32000 256 8 2
fi
small_env=$(allocator_env "$best_alloc")
echo

echo "| What | Shape | Cria | PyTorch | Cria/PyTorch |"
echo "|---|---|---|---|---|"
if [[ " $rows " == *" gemm "* ]]; then
  for s in "512 768 768" "1024 2048 2048"; do
    set -- $s
    for layout in abt ab atb; do
      # two alternating runs per side, the best of each: this VM's speed drifts by several percent a minute
      c1=$(field "$(cria gemm --m "$1" --n "$2" --k "$3" --layout $layout --seconds 3)" gflops)
      t1=$(torch_gemm "$1" "$2" "$3" $layout)
      c2=$(field "$(cria gemm --m "$1" --n "$2" --k "$3" --layout $layout --seconds 3)" gflops)
      t2=$(torch_gemm "$1" "$2" "$3" $layout)
      c=$(best "$c1" "$c2"); t=$(best "$t1" "$t2")
      printf "| GEMM %s | %s×%s×%s | %.0f GFLOP/s | %.0f GFLOP/s | %s× |\n" $layout "$1" "$3" "$2" "$c" "$t" "$(ratio "$c" "$t")"
    done
  done
fi
# A float32 training row alternates the two sides RUNS times and keeps each side's best: on this VM either
# side's single run moved by up to 30% within minutes, and one lucky or unlucky run decided the ratio.
train() { # precision label D L H KV F V T B steps
  local precision=$1 label=$2; shift 2
  local c=0 t=0 t1 tn i n=$runs
  [ "$precision" = bf16 ] && n=1
  peer_train() { env ${peer_env:-} "$py" "$peer/bench_train.py" "$@" | sed -n 's/.* \([0-9]*\) tokens\/s/\1/p'; }
  for ((i = 0; i < n; i++)); do
    c=$(best "$c" "$(field "$(cria train --precision "$precision" --dim "$1" --layers "$2" --heads "$3" --kv-heads "$4" --hidden "$5" --vocab "$6" --seq-len "$7" --batch "$8" --steps "$9")" tokens_per_sec)")
    if [ "$precision" = bf16 ]; then
      t1=$(BF16=1 THREADS=1 peer_train "$@"); tn=$(BF16=1 THREADS=$cores peer_train "$@")
      t=$(( t1 > tn ? t1 : tn )); label="$label, bf16 (PyTorch autocast, $([ "$t1" -ge "$tn" ] && echo 1 || echo "$cores") threads)"
    else
      t=$(best "$t" "$(peer_train "$@")")
    fi
  done
  [ "$precision" = bf16 ] || label="$label, best of $runs"
  printf "| Training | %s: %s %s %s %s %s %s, T=%s, B=%s | %.0f tok/s | %.0f tok/s | %s× |\n" "$label" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$c" "$t" "$(ratio "$c" "$t")"
}
if [[ " $rows " == *" train "* ]]; then
  peer_env=$tiny_env train f32 tiny 64 5 8 4 172 512 512 8 20
  peer_env=$small_env train f32 small 288 6 6 6 768 32000 256 8 3
fi
if [[ " $rows " == *" bf16 "* ]]; then
  peer_env=$small_env train bf16 small 288 6 6 6 768 32000 256 8 3
fi
decode() { # B
  c=$(field "$(cria decode --dim 288 --layers 6 --heads 6 --kv-heads 6 --hidden 768 --vocab 32000 --batch "$1" --prompt-len 16 --new-tokens 128)" tokens_per_sec)
  t=$(env ${small_env:-} "$py" "$peer/bench_decode.py" 288 6 6 6 768 32000 "$1" 16 128 | sed -n 's/.* \([0-9]*\) generated tokens\/s/\1/p')
  printf "| Decode | small, B=%s, prompt 16, 128 new | %.0f tok/s | %s tok/s | %s× |\n" "$1" "$c" "$t" "$(ratio "$c" "$t")"
}
if [[ " $rows " == *" decode "* ]]; then
  decode 32
  decode 1
fi
