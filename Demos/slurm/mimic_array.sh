#!/usr/bin/env bash
# One `mimic augment` run as a Slurm array job: array task i runs part i of PARTS
# (`mimic augment ... --part i/PARTS -o WORK/part-i`, a contiguous stretch of whole shards), and a
# second job, started when every task has succeeded, joins the parts with `mimic merge` into the
# files a single `mimic augment -o OUT` writes.
#
# Every node must see MIMIC, SOURCE and WORK at the same paths (a shared filesystem), and the
# tasks run in the directory sbatch was called from (relative paths resolve there).
#
# Settings come from the environment (sbatch passes the submitting shell's environment on):
#   MIMIC        the mimic binary (default: .build/release/mimic)
#   SOURCE       the prepared source (`mimic prepare`)           (required)
#   N            demos in the whole run                          (required)
#   SHARD_SIZE   demos per shard                                 (required)
#   PARTS        number of parts = array tasks                   (required; the array is 0-(PARTS-1))
#   WORK         part i goes to WORK/part-i                      (required)
#   OUT          the merged run (default: WORK/all)
#   OPTIONS      more augment options, e.g. "--execute --seed 7" (default: none)
#   RETRIES      runs of a failed part after its first, inside its task (default 2)
#
# Submit the parts, then the merge as a job that waits for all of them (afterok on an array job
# waits for every task, and never starts if one fails):
#
#   export MIMIC=$PWD/.build/release/mimic SOURCE=$PWD/out/lift_prepared.hdf5 \
#          N=1000 SHARD_SIZE=50 PARTS=8 WORK=$PWD/runs/lift OPTIONS="--execute"
#   jobid=$(sbatch --parsable --array=0-$((PARTS - 1)) Demos/slurm/mimic_array.sh)
#   sbatch --dependency=afterok:$jobid --job-name=mimic-merge --wrap "Demos/slurm/mimic_array.sh merge"
#
# (--array on the command line overrides the #SBATCH --array line below.) A task that fails
# after its retries fails the array job; the merge job then stays pending with
# DependencyNeverSatisfied: cancel it, rerun only that part (it resumes from its finished
# shards), and submit the merge again:
#
#   jobid=$(sbatch --parsable --array=3 Demos/slurm/mimic_array.sh)
#   sbatch --dependency=afterok:$jobid --job-name=mimic-merge --wrap "Demos/slurm/mimic_array.sh merge"
#
# Without Slurm, the same script runs a part by hand: SLURM_ARRAY_TASK_ID=0 Demos/slurm/mimic_array.sh
#
#SBATCH --job-name=mimic-augment
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail

MIMIC=${MIMIC:-.build/release/mimic}
: "${SOURCE:?set SOURCE, the prepared source}" "${N:?set N, the demos of the whole run}"
: "${SHARD_SIZE:?set SHARD_SIZE}" "${PARTS:?set PARTS, the number of array tasks}" "${WORK:?set WORK, the parts directory}"
OUT=${OUT:-$WORK/all}
OPTIONS=${OPTIONS:-}
RETRIES=${RETRIES:-2}

# The merge step: `mimic_array.sh merge` (the dependent job). Every part is named, so a missing
# one is refused by merge (exit 64) rather than left out.
if [ "${1:-}" = merge ]; then
    parts=()
    for ((i = 0; i < PARTS; i++)); do parts+=("$WORK/part-$i"); done
    exec "$MIMIC" merge "${parts[@]}" -o "$OUT"
fi

# The part of this array task.
i=${SLURM_ARRAY_TASK_ID:?not an array task: submit with sbatch --array=0-$((PARTS - 1)), or run mimic_array.sh merge}
if [ "$i" -ge "$PARTS" ]; then
    echo "mimic_array.sh: error: array task $i, but PARTS=$PARTS: submit with --array=0-$((PARTS - 1))" >&2
    exit 64
fi

# The same command on every attempt: a rerun resumes from the part's finished shards.
# OPTIONS is split on spaces on purpose (several options).
# shellcheck disable=SC2086
command=("$MIMIC" augment "$SOURCE" -n "$N" --shard-size "$SHARD_SIZE" --workers "${SLURM_CPUS_PER_TASK:-1}"
    --part "$i/$PARTS" -o "$WORK/part-$i" $OPTIONS)
echo "part $i/$PARTS on $(hostname): ${command[*]}" >&2
for ((attempt = 1; ; attempt++)); do
    status=0
    "${command[@]}" || status=$?
    [ "$status" -eq 0 ] && exit 0
    if [ "$attempt" -gt "$RETRIES" ]; then
        echo "mimic_array.sh: error: part $i/$PARTS failed after $attempt attempts (exit $status)" >&2
        exit "$status"
    fi
    echo "part $i/$PARTS: attempt $attempt failed (exit $status); retrying" >&2
done
