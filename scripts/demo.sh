#!/usr/bin/env bash
# Sets up what is missing, builds Mimic, and runs the main job on the bundled datasets:
# inspect each source, prepare it (datagen_info), and augment it into new demos under out/.
# Usage: scripts/demo.sh [DEMOS_PER_TASK]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
scripts/setup.sh
swift build -c release --product mimic 2>&1 | grep -E "error|warning: |Compiling|Build complete" | grep -v "^\[" || true
mimic=.build/release/mimic
mkdir -p out
for task in lift pick_place_can two_arm_handover; do
    echo
    echo "== $task"
    "$mimic" inspect "Datasets/$task.hdf5" | sed -n '1,7p'
    "$mimic" prepare "Datasets/$task.hdf5" -o "out/${task}_prepared.hdf5"
    "$mimic" augment "out/${task}_prepared.hdf5" -o "out/${task}_generated.hdf5" -n "$n"
done
