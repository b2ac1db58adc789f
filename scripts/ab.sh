#!/usr/bin/env bash
# Times two revisions of Cria against each other in one JVM, call by call (scripts/InOneJvm.java says why).
#   scripts/ab.sh OLD_REV NEW_REV WHAT [SHAPE] [PAIRS]
#     OLD_REV, NEW_REV   git revisions; "." is the working tree as it is
#     WHAT               attention-forward | attention-backward | train | decode | abt | ab | atb
#     SHAPE              see scripts/InOneJvm.java (default: the tiny preset; 1024,2048,2048 for a GEMM)
#     PAIRS              timed pairs (default 100; 12 for train, 10 for decode)
# For example:  scripts/ab.sh HEAD~1 HEAD attention-backward
#               scripts/ab.sh main . train 288,6,6,6,768,32000,256,8 8
# Prints the new/old time per pair: below 1, NEW_REV is faster. CRIA_JAVA_OPTS reaches the JVM
# (-XX:UseAVX=2 stands in for an AVX2-only host).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -lt 3 ]; then sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
old=$1 new=$2 what=$3 shape=${4:-} pairs=${5:-}
[ -z "$pairs" ] && { case $what in train) pairs=12;; decode) pairs=10;; *) pairs=100;; esac; }
JDK=""
for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  if [ -n "$home" ] && [ -x "$home/bin/java" ] && "$home/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then JDK=$home; break; fi
done
[ -n "$JDK" ] || { echo "ab.sh: no JDK 25 found (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME="$JDK"
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

classes() {  # REV DIR: compiles REV's main classes into DIR
  if [ "$1" = . ]; then
    (cd "$root" && mvn -q -o -B compile)
    cp -r "$root/target/classes" "$2"
  else
    git -C "$root" worktree add --detach -q "$work/tree" "$1"
    (cd "$work/tree" && mvn -q -o -B compile)
    cp -r "$work/tree/target/classes" "$2"
    git -C "$root" worktree remove --force "$work/tree"
  fi
}
echo "ab.sh: compiling $old and $new ..." >&2
classes "$old" "$work/old"
classes "$new" "$work/new"
# one idle worker must not spin while the other build works: workers park at once (spin 0) except for
# whole training steps, whose hand-offs are part of what is measured
spin=$(case $what in train|decode) echo 100;; *) echo 0;; esac)
"$JDK/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx12g \
  -Dcria.spin.micros="$spin" ${CRIA_JAVA_OPTS:-} "$root/scripts/InOneJvm.java" "$work/old" "$work/new" "$pairs" "$what" $shape 2>&1 \
  | grep -v '^WARNING: Using incubator modules'
