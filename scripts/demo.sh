#!/usr/bin/env bash
# Sets up what is missing, builds Mimic, and runs the main job on the bundled datasets: inspect
# each source, prepare it (datagen_info), generate kinematic candidates, then generate demos that
# MuJoCo executes closed loop with robosuite's controllers, keeping the successful ones (out/), and
# let robosuite itself check the kept demos' recorded states.
# Usage: scripts/demo.sh [EXECUTED_DEMOS_PER_TASK]   (default 20; kinematic candidates: 50x that)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
scripts/setup.sh
swift build -c release --product mimic 2>&1 | grep -E "error|warning: |Build complete" || true
mimic=.build/release/mimic
mkdir -p out
for task in lift stack pick_place_can two_arm_handover gr1_lift gr1_two_arm_lift gr1_two_arm_handover; do
    echo
    echo "== $task"
    "$mimic" inspect "Datasets/$task.hdf5" | sed -n '1,7p'
    "$mimic" prepare "Datasets/$task.hdf5" -o "out/${task}_prepared.hdf5"
    "$mimic" augment "out/${task}_prepared.hdf5" -o "out/${task}_candidates.hdf5" -n $((50 * n))
    "$mimic" augment "out/${task}_prepared.hdf5" -o "out/${task}_generated.hdf5" -n "$n" --execute
    # robosuite's own success check on every kept demo's recorded states (its warnings kept aside)
    if ! python3 Demos/verify/robosuite_replay.py "out/${task}_generated.hdf5" --mode states --brief 2>out/robosuite_check.log; then
        cat out/robosuite_check.log >&2
        exit 1
    fi
done
