#!/usr/bin/env bash
# The million-demo run of docs/scale.md: N kinematic Lift demos (default 1,000,000) in shards of
# 10,000 (float32, gzip, --share-model-file), killed with SIGKILL at random moments and resumed
# each time by the same command until it finishes.
#
#   Benchmarks/million.sh [N] [WORK] [KILLS]     (defaults: 1000000, /tmp/mimic-million, 4)
#
# Then it checks that the result is the data of an uninterrupted run: every shard that was being
# written at a kill, and 4 others picked at random, is generated again on its own, uninterrupted
# (`--part s/S` with S parts of one shard each) and must be the same bytes, with the SHA-256 the
# manifest records; every shard's file must have its manifest SHA-256.
#
# Prints the total wall time (all segments, the work lost at kills included), demos/s, MB/s, the
# peak RSS of any segment (the run and its writer processes), the size on disk. With
# ROBOMIMIC_PYTHON set to a python that has robomimic 0.3.0 and torch (Demos/verify/README.md),
# robomimic's SequenceDataset then loads the whole index (hdf5_cache_mode None) and 1000 random
# samples are compared with the file. The kill moments come from bash's RANDOM seeded with 1.
# VERIFY_ONLY=1 skips the run and checks the one already in WORK (with the same mimic binary:
# MIMIC=PATH uses that binary instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WORK=${2:-/tmp/mimic-million}
KILLS=${3:-4}
SHARD=10000
SHARDS=$(((N + SHARD - 1) / SHARD))

if [ -n "${MIMIC:-}" ]; then
    mimic=$MIMIC  # a mimic binary to use as it is
else
    swift build -c release --product mimic >/dev/null
    mimic=$PWD/.build/release/mimic
fi
mkdir -p "$WORK"
[ -f "$WORK/lift_prepared.hdf5" ] || "$mimic" prepare Datasets/lift.hdf5 -o "$WORK/lift_prepared.hdf5" >/dev/null
command=(augment "$WORK/lift_prepared.hdf5" -n "$N" --shard-size "$SHARD" --float32 --compression gzip --share-model-file)
run="$WORK/run"
if [ "${VERIFY_ONLY:-0}" != 1 ]; then
rm -rf "$run" "$WORK"/check-* "$WORK"/segment-*.time "$WORK/in-flight"
: >"$WORK/in-flight"

# One segment of the run under /usr/bin/time -v; with a delay, SIGKILL to mimic after it.
segment() {
    local k=$1 delay=${2:-}
    /usr/bin/time -v -o "$WORK/segment-$k.time" "$mimic" "${command[@]}" -o "$run" >/dev/null 2>"$WORK/segment-$k.log" &
    local timer=$!
    if [ -n "$delay" ]; then
        sleep "$delay"
        local pid
        pid=$(pgrep -P "$timer" || true)
        if [ -n "$pid" ]; then
            # The shards being written at the kill (their partial files name them).
            ls -a "$run" | sed -n 's/^\.\(shard-[0-9]*\.hdf5\)\.partial-.*/\1/p' >>"$WORK/in-flight"
            kill -9 "$pid"
            echo "segment $k: SIGKILL after $delay s, $(wc -l <"$run/manifest.jsonl" 2>/dev/null || echo 0) shards in the manifest"
        fi
    fi
    wait "$timer" || true
}

start=$(date +%s.%N)
RANDOM=1
for k in $(seq 1 "$KILLS"); do segment "$k" $((20 + RANDOM % 281)); done
segment final
end=$(date +%s.%N)
grep -h "resuming" "$WORK"/segment-*.log || true
[ -f "$run/index.hdf5" ] || { echo "million.sh: the run did not finish: $(tail -1 "$WORK/segment-final.log")" >&2; exit 1; }

bytes=$(du -sb "$run" | cut -f1)
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK"/segment-*.time | sort -n | tail -1)
python3 - "$N" "$start" "$end" "$bytes" "$rss" <<'PY'
import sys
n, seconds, size, rss = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]), int(sys.argv[4]), int(sys.argv[5])
print(f"{n} demos in {seconds:.0f} s (all segments): {n / seconds:.0f} demos/s, {size / seconds / 1e6:.1f} MB/s, "
      f"{size / 1e9:.2f} GB on disk ({size / n / 1e3:.1f} KB per demo), peak RSS {rss / 1024:.0f} MB")
PY
fi

# Every shard has its manifest checksum.
(cd "$run" && sha256sum shard-*.hdf5) >"$WORK/run.sha256"
python3 - "$run/manifest.jsonl" "$WORK/run.sha256" "$SHARDS" <<'PY'
import json, sys
manifest = {r["file"]: r["sha256"] for r in map(json.loads, open(sys.argv[1]))}
on_disk = dict(reversed(line.split()) for line in open(sys.argv[2]))
assert len(manifest) == int(sys.argv[3]) and manifest == on_disk, "the manifest's checksums are not the files'"
PY

# The shards being written at a kill, and 4 random others, generated again uninterrupted.
check=$(sort -u "$WORK/in-flight"; for s in $(python3 -c "import random; random.seed(1); print(*random.sample(range($SHARDS), 4))"); do printf 'shard-%05d.hdf5\n' "$s"; done)
for name in $(echo "$check" | sort -u); do
    s=$((10#$(echo "$name" | sed 's/^shard-\([0-9]*\)\.hdf5$/\1/')))
    "$mimic" "${command[@]}" -o "$WORK/check-$s" --part "$s/$SHARDS" >/dev/null 2>&1
    cmp "$WORK/check-$s/$name" "$run/$name"
    rm -rf "$WORK/check-$s"
done
echo "killed $KILLS times and resumed; regenerated uninterrupted and identical: $(echo "$check" | sort -u | tr '\n' ' ')"

if [ -n "${ROBOMIMIC_PYTHON:-}" ]; then
    /usr/bin/time -f "robomimic: %e s, peak RSS %M KB" "$ROBOMIMIC_PYTHON" Demos/verify/robomimic_load.py "$run/index.hdf5" \
        --no-cache --no-next-obs --sample 1000 --obs-keys robot0_eef_pos,cube_pos 2>&1 | tail -3
fi
