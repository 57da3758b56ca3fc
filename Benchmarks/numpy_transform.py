#!/usr/bin/env python3
"""numpy reference for Mimic's segment transform, run by `mimic-bench` in the same invocation.

The transform is MimicGen's: for a segment of N poses stored as an (N, 4, 4) C-order array of
homogeneous matrices, out[i] = world_from_new @ in[i]. Every batched variant below writes into a
preallocated output (allocated and touched before timing), like the Swift kernel does.

Batched variants (the best of them is the reference the Swift numbers are divided by):
  matmul      np.matmul(W, A, out=out): W (4, 4) broadcast over the stack
  einsum      np.einsum("ij,njk->nik", W, A, out=out)
  rows        the Swift kernel's algebra on (N, 4) row views: out row r = sum_j R[r, j] * A row j
              (+ t[r] in the last column), bottom row set to 0 0 0 1; in-place ufuncs, no temporaries
  gemm        one BLAS GEMM: copy A to (4, 4N), W @ that, copy back to (N, 4, 4)
Idiomatic per-pose loop (what a MimicGen-style Python loop does):
  loop        for i in range(n): out[i] = W @ A[i]

Prints one JSON object on stdout: numpy/BLAS info and, per (variant, dtype, poses), the median
ns per pose over `runs` timed runs (each run repeats the call `calls` times; time.thread_time_ns).

With --check IN OUT: IN holds 16 float64 (W, row-major) then N*16 float64 (the input stack);
every batched variant is run on it in float64, their largest disagreement is reported, and the
matmul result is written to OUT as raw float64 so the caller can compare it with its own.
"""
import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np


def random_poses(n, dtype, rng):
    """n random rigid poses as an (n, 4, 4) array: unit quaternions -> rotation matrices."""
    q = rng.standard_normal((n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    x, y, z, w = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    m = np.zeros((n, 4, 4))
    m[:, 0, 0] = 1 - 2 * (y * y + z * z)
    m[:, 0, 1] = 2 * (x * y - z * w)
    m[:, 0, 2] = 2 * (x * z + y * w)
    m[:, 1, 0] = 2 * (x * y + z * w)
    m[:, 1, 1] = 1 - 2 * (x * x + z * z)
    m[:, 1, 2] = 2 * (y * z - x * w)
    m[:, 2, 0] = 2 * (x * z - y * w)
    m[:, 2, 1] = 2 * (y * z + x * w)
    m[:, 2, 2] = 1 - 2 * (x * x + y * y)
    m[:, :3, 3] = rng.uniform(-1, 1, (n, 3))
    m[:, 3, 3] = 1
    return np.ascontiguousarray(m.astype(dtype))


def make_matmul(W, A, out):
    def run():
        np.matmul(W, A, out=out)
    return run


def make_einsum(W, A, out):
    def run():
        np.einsum("ij,njk->nik", W, A, out=out)
    return run


def make_rows(W, A, out):
    # (n, 4) strided views of rows 0..2 of every input and rows 0..3 of every output.
    a = [A[:, j, :] for j in range(3)]
    o = [out[:, r, :] for r in range(4)]
    tmp = np.empty_like(a[0])
    R = [[W.dtype.type(W[r, j]) for j in range(3)] for r in range(3)]
    t = [W.dtype.type(W[r, 3]) for r in range(3)]

    def run():
        for r in range(3):
            np.multiply(a[0], R[r][0], out=o[r])
            np.multiply(a[1], R[r][1], out=tmp)
            np.add(o[r], tmp, out=o[r])
            np.multiply(a[2], R[r][2], out=tmp)
            np.add(o[r], tmp, out=o[r])
            o[r][:, 3] += t[r]
        o[3][...] = (0, 0, 0, 1)
    return run


def make_gemm(W, A, out):
    n = A.shape[0]
    stacked = np.empty((4, 4 * n), dtype=A.dtype)      # A as columns: (j, (n, k))
    product = np.empty((4, 4 * n), dtype=A.dtype)
    stacked_view = stacked.reshape(4, n, 4)
    product_view = product.reshape(4, n, 4)

    def run():
        np.copyto(stacked_view, A.transpose(1, 0, 2))
        np.matmul(W, stacked, out=product)
        np.copyto(out, product_view.transpose(1, 0, 2))
    return run


def make_loop(W, A, out):
    def run():
        for i in range(A.shape[0]):
            out[i] = W @ A[i]
    return run


BATCHED = {"matmul": make_matmul, "einsum": make_einsum, "rows": make_rows, "gemm": make_gemm}


def measure(run, poses, runs, target_ns):
    """Median / min / max ns per pose over `runs` runs of `calls` calls each (calls calibrated so a
    run lasts about target_ns)."""
    run()  # warm up (first touch, BLAS init)
    calls = 1
    while True:
        t0 = time.thread_time_ns()
        for _ in range(calls):
            run()
        elapsed = time.thread_time_ns() - t0
        if elapsed >= target_ns or calls >= 1 << 20:
            break
        calls = calls * 2 if elapsed < target_ns / 8 else max(calls + 1, int(calls * target_ns / max(elapsed, 1)))
    samples = []
    for _ in range(runs):
        t0 = time.thread_time_ns()
        for _ in range(calls):
            run()
        samples.append((time.thread_time_ns() - t0) / (calls * poses))
    return {"ns_per_pose": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": runs, "calls": calls}


def blas_name():
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: show_config has no mode
        return "unknown"


def check(path_in, path_out):
    raw = np.fromfile(path_in, dtype=np.float64)
    W = raw[:16].reshape(4, 4).copy()
    A = raw[16:].reshape(-1, 4, 4).copy()
    reference = np.empty_like(A)
    make_matmul(W, A, reference)()
    worst = 0.0
    for name, make in BATCHED.items():
        out = np.empty_like(A)
        make(W, A, out)()
        worst = max(worst, float(np.max(np.abs(out - reference))))
    out = np.empty_like(A)
    make_loop(W, A, out)()
    worst = max(worst, float(np.max(np.abs(out - reference))))
    reference.tofile(path_out)
    return {"poses": int(A.shape[0]), "max_abs_diff_between_variants": worst}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000,1000000", help="batched sizes in poses, comma separated")
    parser.add_argument("--loop-poses", type=int, default=2000, help="poses for the per-pose loop")
    parser.add_argument("--runs", type=int, default=21, help="timed runs per measurement (median)")
    parser.add_argument("--target-ms", type=float, default=2.0, help="minimum duration of one run")
    parser.add_argument("--check", nargs=2, metavar=("IN", "OUT"))
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    results = []
    checksum = 0.0
    W64 = random_poses(1, np.float64, rng)[0]
    sizes = [int(s) for s in args.sizes.split(",")]
    for dtype in (np.float64, np.float32):
        W = W64.astype(dtype)
        jobs = [(n, name) for n in sizes for name in BATCHED]
        if dtype is np.float64 and args.loop_poses > 0:
            jobs.append((args.loop_poses, "loop"))  # the idiomatic loop, in float64 only
        for n, name in jobs:
            A = random_poses(n, dtype, rng)
            out = np.zeros_like(A)
            make = make_loop if name == "loop" else BATCHED[name]
            # Large stacks: one call already lasts long; fewer runs keep the total short.
            runs = args.runs if n <= 100_000 else max(3, args.runs // 4)
            stats = measure(make(W, A, out), n, runs, args.target_ms * 1e6)
            stats.update({"impl": name, "dtype": np.dtype(dtype).name, "poses": n})
            results.append(stats)
            checksum += float(out[n // 2, 0, 3])
            print(f"  numpy {name:6s} {np.dtype(dtype).name} {n:>8d} poses: "
                  f"{stats['ns_per_pose']:.2f} ns/pose", file=sys.stderr, flush=True)
            del A, out

    report = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_name(),
        "results": results,
        "checksum": checksum,
    }
    if args.check:
        report["check"] = check(*args.check)
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
