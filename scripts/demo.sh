#!/usr/bin/env bash
# Sets up what is missing, builds Mimic, and runs the main job on the bundled datasets: inspect
# each source, prepare it (datagen_info), generate kinematic candidates, then generate demos that
# MuJoCo executes closed loop with robosuite's controllers, keeping the successful ones (out/), and
# let robosuite itself check the kept demos' recorded states; then render checked Stack demos' cameras,
# write their run report and export them for LeRobot / GR00T.
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

# Into training: checked Stack demos with two cameras (robosuite's own rendering compared on every
# 10th state), their run report, and the same demos as a LeRobot v2.1 / GR00T dataset.
echo
echo "== stack with cameras"
"$mimic" augment out/stack_prepared.hdf5 -o out/stack_images.hdf5 -n 4 --execute \
    --cameras agentview,robot0_eye_in_hand --image-size 84x84 --report out/stack_report.html
if ! python3 Demos/verify/robosuite_render.py out/stack_images.hdf5 --every 10 2>out/robosuite_check.log; then
    cat out/robosuite_check.log >&2
    exit 1
fi
rm -rf out/stack_lerobot
"$mimic" export out/stack_images.hdf5 --to lerobot -o out/stack_lerobot --task "stack the red cube on the green cube"
