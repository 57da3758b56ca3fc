#!/usr/bin/env python3
"""Run one `mimic augment` as N parts on a Ray cluster, then merge them.

Usage:
    python3 Demos/ray/launch.py MIMIC SOURCE -n N --shard-size K --parts P --work DIR -o OUT \
        [--workers W] [--retries R] [--address ADDR] [-- AUGMENT OPTIONS ...]

    MIMIC      the mimic binary (e.g. .build/release/mimic)
    SOURCE     the prepared source dataset (`mimic prepare ...`)
    --parts P  split the run into P parts, one Ray task each (`augment --part i/P`)
    --work DIR part i is written to DIR/part-<i>
    -o OUT     the merged run (`mimic merge`): the files a single `augment -o OUT` writes
    --workers  CPUs Ray reserves for each task; passed on as mimic's --workers (default 1)
    --retries  how many times a failed part is run again (default 2)
    --address  the Ray cluster to use ("auto": the cluster running on this machine, or
               "HOST:PORT" of its head); without it, ray.init() uses $RAY_ADDRESS or starts a
               local Ray instance for this run
    -- ...     everything after `--` goes to every `mimic augment` unchanged
               (e.g. `-- --execute --seed 7 --compression gzip`)

Example (an 8-part checked run on a cluster whose nodes all mount /shared):
    python3 Demos/ray/launch.py /shared/mimic/.build/release/mimic /shared/lift_prepared.hdf5 \
        -n 1000 --shard-size 50 --parts 8 --workers 4 --work /shared/runs/lift -o /shared/runs/lift/all \
        --address auto -- --execute

What it does:
  1. Starts one Ray task per part. Each task runs, with subprocess, on whichever node Ray picks:
         MIMIC augment SOURCE -n N --shard-size K --workers W --part i/P -o DIR/part-i [-- options]
     A part is a contiguous stretch of whole shards, so the parts never write the same file.
  2. A part that fails (mimic exits non-zero, or its Ray worker or node dies) is run again, up to
     --retries times. The retry is the same command, and mimic resumes a part directory from its
     finished shards: only the unfinished shards are generated again.
  3. When every part has finished, runs `MIMIC merge DIR/part-0 ... -o OUT` here (hard links, one
     manifest, one index) and prints a one-line summary. If a part still fails after its retries,
     the other parts run to their end (their shards are kept) and the launcher exits 1 with a
     one-line error; running the same command again resumes every part where it stopped.

Shared filesystem: the tasks run on the cluster's nodes, not here. Every node must see the mimic
binary, SOURCE, DIR (and any file named in the options) at the same paths as this machine, and
the same working directory (relative paths are resolved in it): a shared filesystem such as NFS or
Lustre mounted at the same place on every node, as for a Slurm array job (Demos/slurm/). The
merge runs on this machine and needs DIR and OUT on one filesystem for its hard links (it copies
otherwise).

For tests: MIMIC_LAUNCH_FAIL_ONCE=i[,j...] makes the first attempt of those parts fail for real:
that attempt also gets `--manifest /dev/full`, so mimic writes its first shard and the manifest,
then fails to append the shard's line to /dev/full (a full device, ENOSPC) and exits 74. The retry
(without it) resumes from that shard. Tests/mimicTests/RayLauncherTests.swift uses it.

Needs: ray (tested with ray==2.40.0 on Python 3.11) on this machine and on every node.
"""

import argparse
import os
import shlex
import socket
import subprocess
import sys
import time

import ray


# --- The Ray task ------------------------------------------------------------------------------


@ray.remote
def run_part(command, cwd):
    """Runs one mimic command on a Ray worker; returns what happened (it never raises for a
    failed command, so that the driver decides about retries)."""
    started = time.time()
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        code, stdout, stderr = result.returncode, result.stdout, result.stderr
    except OSError as error:  # e.g. the binary is not at that path on this node
        code, stdout, stderr = 127, "", f"cannot run {command[0]}: {error}"
    return {
        "exit": code,
        "seconds": time.time() - started,
        "node": socket.gethostname(),
        "stdout": stdout,
        "stderr": stderr,
    }


# --- The driver --------------------------------------------------------------------------------


def parse_arguments(argv):
    """The launcher's own arguments, and the augment options after `--`."""
    if "--" in argv:
        cut = argv.index("--")
        own, passed = argv[:cut], argv[cut + 1 :]
    else:
        own, passed = argv, []
    parser = argparse.ArgumentParser(
        prog="launch.py", description="Run `mimic augment` as parts on a Ray cluster, then `mimic merge` them."
    )
    parser.add_argument("mimic", help="the mimic binary (the same path on every node)")
    parser.add_argument("source", help="the prepared source dataset")
    parser.add_argument("-n", type=int, required=True, help="demos in the whole run")
    parser.add_argument("--shard-size", type=int, required=True, help="demos per shard")
    parser.add_argument("--parts", type=int, required=True, help="number of parts (Ray tasks)")
    parser.add_argument("--work", required=True, help="directory of the parts (DIR/part-<i>)")
    parser.add_argument("-o", "--output", required=True, help="the merged run's directory")
    parser.add_argument("--workers", type=int, default=1, help="CPUs per part (Ray num_cpus and mimic --workers)")
    parser.add_argument("--retries", type=int, default=2, help="runs of a failed part after its first (default 2)")
    parser.add_argument("--address", default=None, help='Ray cluster address ("auto" or HOST:PORT)')
    args = parser.parse_args(own)
    if args.parts < 1 or args.workers < 1 or args.retries < 0:
        parser.error("--parts and --workers must be at least 1, --retries at least 0")
    for option in passed:
        name = option.split("=", 1)[0]
        if name in ("--part", "-o", "--output", "--workers", "--shard-size", "-n"):
            parser.error(f"{name} after `--`: the launcher sets it for each part (see its own options)")
    return args, passed


def last_line(text):
    """The last non-empty line of a program's output (its error line, for mimic)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def main(argv):
    args, passed = parse_arguments(argv)
    # The tasks run on other machines: give them absolute paths, and this working directory (on
    # the shared filesystem) for any relative path among the options after `--`.
    cwd = os.getcwd()
    mimic = os.path.abspath(args.mimic)
    work = os.path.abspath(args.work)
    output = os.path.abspath(args.output)
    part_dirs = [os.path.join(work, f"part-{i}") for i in range(args.parts)]
    if not os.access(mimic, os.X_OK):
        print(f"launch.py: error: {mimic} is not an executable (build it with `swift build -c release`)", file=sys.stderr)
        return 2
    fail_once = {int(i) for i in os.environ.get("MIMIC_LAUNCH_FAIL_ONCE", "").split(",") if i.strip()}

    def command(i, attempt):
        """Part i's augment command; the same on every attempt (that is what makes it resume),
        except for the test hook's failing first attempt."""
        cmd = [mimic, "augment", os.path.abspath(args.source), "-n", str(args.n), "--shard-size", str(args.shard_size)]
        cmd += ["--workers", str(args.workers), "--part", f"{i}/{args.parts}", "-o", part_dirs[i]] + passed
        if i in fail_once and attempt == 1:
            cmd += ["--manifest", "/dev/full"]
        return cmd

    # Without an address, ray.init() connects to $RAY_ADDRESS if set, else starts Ray here.
    ray.init(address=args.address, log_to_driver=False)
    resources = ray.cluster_resources()
    print(
        f"ray: {int(resources.get('CPU', 0))} CPUs on {len(ray.nodes())} nodes; "
        f"{args.parts} parts of {args.n} demos, {args.workers} CPUs each",
        file=sys.stderr,
    )

    started = time.time()
    attempts = {i: 0 for i in range(args.parts)}
    pending = {}  # Ray object ref -> part index

    def submit(i):
        attempts[i] += 1
        task = run_part.options(num_cpus=args.workers, max_retries=0)  # retries are ours, below
        pending[task.remote(command(i, attempts[i]), cwd)] = i

    for i in range(args.parts):
        submit(i)

    failed = {}  # part index -> its last error line
    retried = 0
    while pending:
        [ref], _ = ray.wait(list(pending), num_returns=1)
        i = pending.pop(ref)
        name = f"part {i}/{args.parts}"
        try:
            result = ray.get(ref)
        except ray.exceptions.RayError as error:  # the worker or its node died
            result = {"exit": None, "seconds": 0.0, "node": "?", "stdout": "", "stderr": f"Ray: {type(error).__name__}"}
        if result["exit"] == 0:
            resumed = [line for line in result["stderr"].splitlines() if line.startswith("resuming ")]
            note = f" (resumed: {resumed[0].split(': ', 1)[-1]})" if resumed else ""
            print(
                f"{name}: done on {result['node']} in {result['seconds']:.1f} s, attempt {attempts[i]}{note}",
                file=sys.stderr,
            )
            continue
        error = last_line(result["stderr"])
        code = result["exit"]
        why = "lost" if code is None else f"signal {-code}" if code < 0 else f"exit {code}"
        if attempts[i] <= args.retries:
            print(f"{name}: attempt {attempts[i]} failed ({why}: {error}); retrying", file=sys.stderr)
            retried += 1
            submit(i)
        else:
            failed[i] = f"{why}: {error}"

    if failed:
        first = min(failed)
        more = len(failed) - 1
        others = f" ({more} more part{'s' if more > 1 else ''} failed too)" if more else ""
        print(
            f"launch.py: error: part {first}/{args.parts} failed after {attempts[first]} attempt{'s' if attempts[first] > 1 else ''} "
            f"({failed[first]}){others}; rerun the same command to resume",
            file=sys.stderr,
        )
        return 1
    seconds = time.time() - started

    # Join the parts into the whole run, on this machine.
    merge = [mimic, "merge", *part_dirs, "-o", output]
    result = subprocess.run(merge, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"launch.py: error: {shlex.join(merge)} exited {result.returncode}: {last_line(result.stderr)}", file=sys.stderr)
        return result.returncode
    # One summary line: what merge said, and how the parts went.
    print(f"{last_line(result.stdout)} ({args.parts} Ray tasks in {seconds:.1f} s, {retried} retried)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
