#!/usr/bin/env python3
"""Load a dataset with robomimic 0.3.0's own SequenceDataset and iterate every sample.

Usage (robomimic needs torch; see README.md for the venv):
    /tmp/rmvenv/bin/python Demos/verify/robomimic_load.py FILE.hdf5 [--filter-key train]
        [--obs-keys robot0_eef_pos,robot0_eef_quat,...] [--no-next-obs] [--sample K --no-cache]

Loads FILE the way robomimic's BC training does (low-dim obs keys, dataset_keys actions, rewards,
dones, seq_length 10, frame_stack 1, hdf5_cache_mode "all", next_obs loaded as robomimic's
default config does), iterates every sample through a torch DataLoader and checks, for every
sample, that the first step's actions and obs equal the file's values at that step, and that
shapes are (10, dim) (robomimic casts some arrays to float32, so values are compared
after a float32 cast). Prints the number of samples and an OK line; exits 1 on any failure.

For very large datasets (a sharded run's index.hdf5), `--no-cache` loads with hdf5_cache_mode None
(robomimic then reads each sample from the file) and `--sample K` checks K random samples (seed 0)
instead of iterating them all. Dataset keys are actions, and rewards and dones where the file has
them (kinematic candidates have neither).

Default obs keys: robot<K>_eef_pos, robot<K>_eef_quat, robot<K>_gripper_qpos for every robot
found in the file, and object.
"""

import argparse
import sys

import h5py
import numpy as np


def default_obs_keys(path):
    with h5py.File(path, "r") as f:
        demos = sorted((k for k in f["data"] if k.startswith("demo_")), key=lambda n: int(n[5:]))
        keys = set(f["data"][demos[0]]["obs"].keys())
    out = []
    for k in range(8):
        for suffix in ("eef_pos", "eef_quat", "gripper_qpos"):
            name = f"robot{k}_{suffix}"
            if name in keys:
                out.append(name)
    if "object" in keys:
        out.append("object")
    return out


def check_all(ds, args, obs_keys, dataset_keys):
    """Iterates every sample through a DataLoader; compares each one's first step with the file."""
    import torch

    # expected per-sample values straight from the file
    with h5py.File(args.file, "r") as f:
        if args.filter_key:
            demos = [d.decode() if isinstance(d, bytes) else d for d in f[f"mask/{args.filter_key}"][()]]
        else:
            demos = list(f["data"].keys())
        demos = sorted(demos, key=lambda n: int(n[5:]))
        expected_actions = [f[f"data/{d}/actions"][()] for d in demos]
        expected_obs = {k: [f[f"data/{d}/obs/{k}"][()] for d in demos] for k in obs_keys}
        lengths = [int(f[f"data/{d}"].attrs["num_samples"]) for d in demos]
    flat = [(i, t) for i, n in enumerate(lengths) for t in range(n)]

    failures = []
    if len(ds) != sum(lengths):
        failures.append(f"len(dataset) {len(ds)} != sum of num_samples {sum(lengths)}")
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=False, num_workers=0)
    seen = 0
    for batch in loader:
        b = batch["actions"].shape[0]
        if tuple(batch["actions"].shape[1:2]) != (args.seq_length,):
            failures.append(f"actions batch shape {tuple(batch['actions'].shape)}")
        for j in range(b):
            if seen + j >= len(flat):
                break
            i, t = flat[seen + j]
            a = batch["actions"][j, 0].numpy()
            # robomimic casts some arrays to float32 (actions when cached), others not: compare in float32
            if not np.array_equal(a.astype(np.float32), expected_actions[i][t].astype(np.float32)):
                failures.append(f"{demos[i]} step {t}: actions differ")
            for k in obs_keys:
                o = batch["obs"][k][j, 0].numpy()
                if not np.array_equal(o.astype(np.float32), expected_obs[k][i][t].astype(np.float32)):
                    failures.append(f"{demos[i]} step {t}: obs {k} differs")
        for key in dataset_keys:
            if key not in batch:
                failures.append(f"batch lacks {key}")
        seen += b
        if len(failures) > 20:
            break
    return failures, seen


def check_sample(ds, args, obs_keys):
    """Compares K random samples (seed 0), whole windows with end padding, with the file."""
    rng = np.random.default_rng(0)
    failures = []
    f = ds.hdf5_file  # robomimic's own handle (SWMR): HDF5 allows one mode per open file
    for index in rng.integers(0, len(ds), size=args.sample):
        sample = ds[int(index)]
        demo = ds._index_to_demo_id[int(index)]
        t = int(index) - ds._demo_id_to_start_indices[demo]
        n = ds._demo_id_to_demo_length[demo]
        steps = [min(t + k, n - 1) for k in range(args.seq_length)]
        expected = f[f"data/{demo}/actions"][()][steps]
        if not np.array_equal(np.asarray(sample["actions"], dtype=np.float32), expected.astype(np.float32)):
            failures.append(f"{demo} step {t}: actions differ")
        for k in obs_keys:
            want = f[f"data/{demo}/obs/{k}"][()][steps]
            if not np.array_equal(np.asarray(sample["obs"][k], dtype=np.float32), want.astype(np.float32)):
                failures.append(f"{demo} step {t}: obs {k} differs")
    return failures, args.sample


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file")
    p.add_argument("--obs-keys", help="comma-separated low-dim obs keys (default: see above)")
    p.add_argument("--filter-key", default=None, help="use mask/<key> (e.g. train)")
    p.add_argument("--seq-length", type=int, default=10)
    p.add_argument("--no-next-obs", action="store_true", help="do not load next_obs (load_next_obs=False)")
    p.add_argument("--no-cache", action="store_true", help="hdf5_cache_mode None instead of all")
    p.add_argument("--sample", type=int, default=None, help="check K random samples instead of iterating all")
    args = p.parse_args()

    import torch
    import robomimic
    import robomimic.utils.obs_utils as ObsUtils
    from robomimic.utils.dataset import SequenceDataset

    obs_keys = args.obs_keys.split(",") if args.obs_keys else default_obs_keys(args.file)
    with h5py.File(args.file, "r") as f:
        first = next(iter(f["data"]))
        dataset_keys = tuple(k for k in ("actions", "rewards", "dones") if f"data/{first}/{k}" in f)
    ObsUtils.initialize_obs_utils_with_obs_specs({"obs": {"low_dim": list(obs_keys), "rgb": []}})

    ds = SequenceDataset(
        hdf5_path=args.file,
        obs_keys=obs_keys,
        dataset_keys=dataset_keys,
        frame_stack=1,
        seq_length=args.seq_length,
        pad_frame_stack=True,
        pad_seq_length=True,
        get_pad_mask=False,
        goal_mode=None,
        hdf5_cache_mode=None if args.no_cache else "all",
        hdf5_use_swmr=True,
        hdf5_normalize_obs=False,
        filter_by_attribute=args.filter_key,
        load_next_obs=not args.no_next_obs,
    )
    print(ds)

    if args.sample is not None:
        failures, seen = check_sample(ds, args, obs_keys)
    else:
        failures, seen = check_all(ds, args, obs_keys, dataset_keys)
    print(f"robomimic {robomimic.__version__}, torch {torch.__version__}")
    print(f"file {args.file}: {len(ds.demos)} demos, {len(ds)} samples, checked {seen}; obs keys {','.join(obs_keys)}; "
          f"seq_length {args.seq_length}; next_obs {'no' if args.no_next_obs else 'yes'}; filter {args.filter_key}")
    if failures:
        for x in failures[:20]:
            print("FAIL:", x)
        sys.exit(1)
    what = f"checked {seen} random samples" if args.sample is not None else f"iterated all {seen} samples"
    print(f"OK: robomimic SequenceDataset loaded {args.file} and {what}")


if __name__ == "__main__":
    main()
