#!/usr/bin/env bash
# Runs the whole verification on every dataset given (default: the robosuite datasets in
# Datasets/): mimic prepare, the simulator reference, the comparison, and robomimic's loader on
# the source and the prepared file. Outputs go to $OUT (default /tmp/mimic_verify).
#
#   bash Demos/verify/run_all.sh [SOURCE.hdf5 ...]
#
# Needs: python3 with robosuite 1.5.2, mujoco, h5py, numpy; the built mimic binary
# (swift build); robomimic 0.3.0 at $RMPY (default: the venv scripts/setup_robomimic.sh makes).
set -u
cd "$(dirname "$0")/../.."
MIMIC=${MIMIC:-.build/debug/mimic}
RMPY=${RMPY:-$PWD/.cache/robomimic-venv/bin/python}
OUT=${OUT:-/tmp/mimic_verify}
mkdir -p "$OUT"
if [ $# -eq 0 ]; then
  set -- $(ls Datasets/lift.hdf5 Datasets/pick_place_can.hdf5 Datasets/two_arm_handover.hdf5 2>/dev/null)
fi
status=0
for src in "$@"; do
  name=$(basename "$src" .hdf5)
  echo "=== $name ($src)"
  "$MIMIC" prepare "$src" -o "$OUT/${name}_prep.hdf5" || { status=1; continue; }
  python3 Demos/verify/mimicgen_reference.py "$src" -o "$OUT/${name}_ref.hdf5" 2>&1 | grep -v "robosuite WARNING" || status=1
  python3 Demos/verify/compare_datagen_info.py "$OUT/${name}_prep.hdf5" "$OUT/${name}_ref.hdf5" \
      --source "$src" --json "$OUT/${name}_compare.json" || status=1
  if [ -x "$RMPY" ]; then
    for f in "$src" "$OUT/${name}_prep.hdf5"; do
      "$RMPY" Demos/verify/robomimic_load.py "$f" 2>&1 | tail -n 2 || status=1
    done
  else
    echo "robomimic venv $RMPY not found: skipped robomimic_load"
  fi
done
exit $status
