#!/usr/bin/env python3
"""Load a dataset with robomimic 0.3.0's own SequenceDataset and iterate every sample.

Usage (robomimic needs torch; see README.md for the venv):
    .cache/robomimic-venv/bin/python Demos/verify/robomimic_load.py FILE.hdf5 [--filter-key train]
        [--obs-keys robot0_eef_pos,robot0_eef_quat,...] [--no-next-obs] [--sample K --no-cache]
        [--image-keys agentview_image robot0_eye_in_hand_image | --no-images]

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

Camera images (`mimic augment --execute --cameras ...`, `mimic render`): every `*_image` obs key of
the file is loaded as robomimic's "rgb" modality (ObsUtils initialized with {"low_dim": [...],
"rgb": [...]}), or only those given with `--image-keys` (`--no-images`: none). With images the
cache mode is "low_dim" (robomimic keeps the low-dim keys in memory and reads images from the file
per sample; "all" would hold every 10-step window of every image). For every sample the whole
window of each image key (obs, and next_obs when loaded) must equal the file's uint8 frames
exactly (robomimic 0.3.0's SequenceDataset returns them raw: uint8, (seq_length, H, W, 3), end
padding repeats the last frame), and robomimic's own rgb processing, ObsUtils.process_obs, must
give float32 (seq_length, 3, H, W) = frame / 255 in channel-first order.
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


def default_image_keys(path):
    with h5py.File(path, "r") as f:
        demos = sorted((k for k in f["data"] if k.startswith("demo_")), key=lambda n: int(n[5:]))
        obs = f["data"][demos[0]]["obs"]
        return sorted(k for k in obs.keys() if k.endswith("_image"))


def check_images(batch_obs, j, window, frames, key, failures, where):
    """Sample j of a batch: raw uint8 window == file frames; robomimic's rgb processing == frames / 255, CHW."""
    import robomimic.utils.obs_utils as ObsUtils

    got = batch_obs[key][j].numpy()
    want = frames[window]
    if got.dtype != np.uint8 or got.shape != want.shape:
        failures.append(f"{where}: {key} is {got.dtype} {got.shape}, file {want.dtype} {want.shape}")
        return
    if not np.array_equal(got, want):
        failures.append(f"{where}: {key} differs from the file (max {int(np.abs(got.astype(int) - want).max())} levels)")
        return
    processed = ObsUtils.process_obs(batch_obs[key][j], obs_key=key).numpy()
    expected = np.transpose(want.astype(np.float32) / 255.0, (0, 3, 1, 2))
    if processed.dtype != np.float32 or processed.shape != expected.shape or not np.allclose(processed, expected, atol=1e-7):
        failures.append(f"{where}: ObsUtils.process_obs({key}) is {processed.dtype} {processed.shape}, expected float32 {expected.shape} = frames / 255")


def check_all(ds, args, obs_keys, dataset_keys, image_keys=()):
    """Iterates every sample through a DataLoader; compares each one's first step with the file
    (image keys: the whole window, obs and next_obs)."""
    import torch

    # expected per-sample values straight from the file
    with h5py.File(args.file, "r") as f:
        if args.filter_key:
            demos = [d.decode() if isinstance(d, bytes) else d for d in f[f"mask/{args.filter_key}"][()]]
        else:
            demos = list(f["data"].keys())
        demos = sorted(demos, key=lambda n: int(n[5:]))
        expected_actions = [f[f"data/{d}/actions"][()] for d in demos]
        low_dim = [k for k in obs_keys if k not in image_keys]
        expected_obs = {k: [f[f"data/{d}/obs/{k}"][()] for d in demos] for k in low_dim}
        lengths = [int(f[f"data/{d}"].attrs["num_samples"]) for d in demos]
    # robomimic's own handle (SWMR) for the frames: HDF5 allows one mode per open file, and with
    # images robomimic reads them from the file in get_item
    image_file = ds.hdf5_file if image_keys else None
    image_demo, frames = None, {}
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
            for k in low_dim:
                o = batch["obs"][k][j, 0].numpy()
                if not np.array_equal(o.astype(np.float32), expected_obs[k][i][t].astype(np.float32)):
                    failures.append(f"{demos[i]} step {t}: obs {k} differs")
            if image_keys:
                if image_demo != demos[i]:  # one demo's frames at a time (samples come in demo order)
                    image_demo = demos[i]
                    prefixes = ["obs"] + (["next_obs"] if not args.no_next_obs else [])
                    frames = {(p, k): image_file[f"data/{image_demo}/{p}/{k}"][()] for p in prefixes for k in image_keys}
                window = [min(t + s, lengths[i] - 1) for s in range(args.seq_length)]
                for (prefix, k), values in frames.items():
                    check_images(batch[prefix], j, window, values, k, failures, f"{demos[i]} step {t} {prefix}")
        for key in dataset_keys:
            if key not in batch:
                failures.append(f"batch lacks {key}")
        seen += b
        if len(failures) > 20:
            break
    return failures, seen


def check_sample(ds, args, obs_keys, image_keys=()):
    """Compares K random samples (seed 0), whole windows with end padding, with the file."""
    import torch

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
            if k in image_keys:
                batch_obs = {k: torch.as_tensor(sample["obs"][k])[None]}
                frames = f[f"data/{demo}/obs/{k}"][steps[0]:steps[-1] + 1]  # h5py: no repeated indices
                window = [s - steps[0] for s in steps]
                check_images(batch_obs, 0, window, frames, k, failures, f"{demo} step {t} obs")
                continue
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
    p.add_argument("--image-keys", nargs="+", default=None,
                   help="rgb obs keys to load (default: every *_image obs key of the file)")
    p.add_argument("--no-images", action="store_true", help="load no image keys even if the file has them")
    p.add_argument("--no-cache", action="store_true", help="hdf5_cache_mode None instead of all (low_dim with images)")
    p.add_argument("--sample", type=int, default=None, help="check K random samples instead of iterating all")
    args = p.parse_args()

    import torch
    import robomimic
    import robomimic.utils.obs_utils as ObsUtils
    from robomimic.utils.dataset import SequenceDataset

    low_dim_keys = args.obs_keys.split(",") if args.obs_keys else default_obs_keys(args.file)
    if args.no_images:
        image_keys = []
    elif args.image_keys is not None:
        image_keys = [k for a in args.image_keys for k in a.split(",") if k]
    else:
        image_keys = default_image_keys(args.file)
    obs_keys = list(low_dim_keys) + [k for k in image_keys if k not in low_dim_keys]
    with h5py.File(args.file, "r") as f:
        first = next(iter(f["data"]))
        dataset_keys = tuple(k for k in ("actions", "rewards", "dones") if f"data/{first}/{k}" in f)
        for k in image_keys:
            d = f[f"data/{first}/obs/{k}"] if f"data/{first}/obs/{k}" in f else None
            if d is None or d.dtype != np.uint8 or d.ndim != 4 or d.shape[-1] != 3:
                sys.exit(f"FAIL: image key {k}: " + ("not in the file" if d is None else f"{d.dtype} {d.shape}, not uint8 (T, H, W, 3)"))
    ObsUtils.initialize_obs_utils_with_obs_specs({"obs": {"low_dim": list(low_dim_keys), "rgb": list(image_keys)}})
    if image_keys:
        cache_mode = None if args.no_cache else "low_dim"
    else:
        cache_mode = None if args.no_cache else "all"

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
        hdf5_cache_mode=cache_mode,
        hdf5_use_swmr=True,
        hdf5_normalize_obs=False,
        filter_by_attribute=args.filter_key,
        load_next_obs=not args.no_next_obs,
    )
    print(ds)

    if args.sample is not None:
        failures, seen = check_sample(ds, args, obs_keys, image_keys)
    else:
        failures, seen = check_all(ds, args, obs_keys, dataset_keys, image_keys)
    print(f"robomimic {robomimic.__version__}, torch {torch.__version__}")
    print(f"file {args.file}: {len(ds.demos)} demos, {len(ds)} samples, checked {seen}; obs keys {','.join(obs_keys)}; "
          f"seq_length {args.seq_length}; next_obs {'no' if args.no_next_obs else 'yes'}; filter {args.filter_key}; "
          f"cache {cache_mode}")
    for k in image_keys:
        print(f"image {k}: rgb modality, uint8 {tuple(ds[0]['obs'][k].shape)} per sample, "
              f"processed {tuple(ObsUtils.process_obs(ds[0]['obs'][k], obs_key=k).shape)} float32")
    if failures:
        for x in failures[:20]:
            print("FAIL:", x)
        sys.exit(1)
    what = f"checked {seen} random samples" if args.sample is not None else f"iterated all {seen} samples"
    print(f"OK: robomimic SequenceDataset loaded {args.file} and {what}")


if __name__ == "__main__":
    main()
