#!/usr/bin/env python3
"""Check that an HDF5 file follows the robomimic dataset layout.

Usage:
    python3 Demos/record/check_robomimic.py Datasets/lift.hdf5 [more.hdf5 ...]

Checks (with h5py only):
  - data/ exists; data.attrs["total"] == sum of every demo's num_samples;
    data.attrs["env_args"] is JSON with env_name, type and env_kwargs
  - every child of data/ is named demo_<int>
  - per demo: num_samples == T, and actions, states, rewards, dones, obs/*, next_obs/* all have T
    rows; next_obs has the same keys and shapes as obs; action dim is the same in every demo
  - every mask/<filter_key> is a 1-D byte-string array naming existing demos, without duplicates
If robomimic (and so torch) is importable, also loads the file with
robomimic.utils.dataset.SequenceDataset using every obs key as low-dim and reads one sample.
Exit code 0 when every file passes, 1 otherwise.
"""

import json
import re
import sys

import h5py
import numpy as np

DEMO_NAME = re.compile(r"^demo_(\d+)$")
PER_STEP = ("actions", "states", "rewards", "dones")


def check_file(path):
    errors = []
    summary = {}
    with h5py.File(path, "r") as f:
        if "data" not in f:
            return [f"{path}: no group 'data'"], summary
        data = f["data"]

        # env_args
        env_args = data.attrs.get("env_args")
        if env_args is None:
            errors.append("data.attrs['env_args'] missing")
        else:
            try:
                ea = json.loads(env_args)
                for k in ("env_name", "type", "env_kwargs"):
                    if k not in ea:
                        errors.append(f"env_args has no '{k}'")
                summary["env_name"] = ea.get("env_name")
                summary["env_version"] = ea.get("env_version")
            except json.JSONDecodeError as e:
                errors.append(f"env_args is not JSON: {e}")

        # demo names
        names = list(data.keys())
        bad = [n for n in names if not DEMO_NAME.match(n)]
        if bad:
            errors.append(f"children of data/ not named demo_<int>: {bad}")
        demos = sorted((n for n in names if DEMO_NAME.match(n)), key=lambda n: int(DEMO_NAME.match(n).group(1)))

        total = 0
        action_dims = set()
        obs_spec = None
        lengths = []
        for name in demos:
            g = data[name]
            where = f"data/{name}"
            if "num_samples" not in g.attrs:
                errors.append(f"{where}: no num_samples attribute")
                continue
            T = int(g.attrs["num_samples"])
            total += T
            lengths.append(T)
            if "model_file" not in g.attrs:
                errors.append(f"{where}: no model_file attribute (robosuite datasets carry the MJCF)")
            for key in PER_STEP:
                if key not in g:
                    errors.append(f"{where}/{key} missing")
                elif g[key].shape[0] != T:
                    errors.append(f"{where}/{key}: {g[key].shape[0]} rows, num_samples {T}")
            if "actions" in g:
                if g["actions"].ndim != 2:
                    errors.append(f"{where}/actions: expected (T, A), found {g['actions'].shape}")
                else:
                    action_dims.add(g["actions"].shape[1])
            if "dones" in g and T > 0 and int(g["dones"][-1]) != 1:
                errors.append(f"{where}/dones: last entry is not 1")
            if "obs" not in g:
                errors.append(f"{where}/obs missing")
                continue
            spec = {k: (g["obs"][k].shape[1:], str(g["obs"][k].dtype)) for k in g["obs"]}
            for k in g["obs"]:
                if g["obs"][k].shape[0] != T:
                    errors.append(f"{where}/obs/{k}: {g['obs'][k].shape[0]} rows, num_samples {T}")
            if obs_spec is None:
                obs_spec = spec
            elif spec != obs_spec:
                errors.append(f"{where}/obs: keys or shapes differ from the first demo")
            if "next_obs" in g:
                nspec = {k: (g["next_obs"][k].shape[1:], str(g["next_obs"][k].dtype)) for k in g["next_obs"]}
                if nspec != spec:
                    errors.append(f"{where}/next_obs: keys or shapes differ from obs")
                for k in g["next_obs"]:
                    if g["next_obs"][k].shape[0] != T:
                        errors.append(f"{where}/next_obs/{k}: {g['next_obs'][k].shape[0]} rows, num_samples {T}")

        if "total" not in data.attrs:
            errors.append("data.attrs['total'] missing")
        elif int(data.attrs["total"]) != total:
            errors.append(f"data.attrs['total'] = {int(data.attrs['total'])}, sum of num_samples = {total}")
        if len(action_dims) > 1:
            errors.append(f"action dims differ between demos: {sorted(action_dims)}")

        # masks
        masks = {}
        if "mask" in f:
            for key in f["mask"]:
                arr = f["mask"][key][()]
                if arr.ndim != 1 or arr.dtype.kind != "S":
                    errors.append(f"mask/{key}: expected 1-D byte strings, found {arr.dtype} {arr.shape}")
                    continue
                mnames = [x.decode() for x in arr]
                missing = [n for n in mnames if n not in demos]
                if missing:
                    errors.append(f"mask/{key}: names not in data/: {missing}")
                if len(set(mnames)) != len(mnames):
                    errors.append(f"mask/{key}: duplicate names")
                masks[key] = mnames
            if "train" in masks and "valid" in masks and set(masks["train"]) & set(masks["valid"]):
                errors.append("mask/train and mask/valid overlap")

        summary.update(
            demos=len(demos),
            lengths=lengths,
            total=total,
            action_dim=sorted(action_dims),
            obs=obs_spec or {},
            masks={k: len(v) for k, v in masks.items()},
        )
    return errors, summary


def try_sequence_dataset(path, obs_keys):
    """Load with robomimic's SequenceDataset when robomimic is installed. Returns a message."""
    try:
        import robomimic.utils.obs_utils as ObsUtils
        from robomimic.utils.dataset import SequenceDataset
    except Exception as e:  # robomimic needs torch; most machines here do not have it
        return f"robomimic not importable ({type(e).__name__}: {e}); SequenceDataset check skipped"
    ObsUtils.initialize_obs_utils_with_obs_specs({"obs": {"low_dim": list(obs_keys), "rgb": []}})
    ds = SequenceDataset(
        hdf5_path=path,
        obs_keys=list(obs_keys),
        dataset_keys=("actions", "rewards", "dones"),
        load_next_obs=True,
        frame_stack=1,
        seq_length=10,
        pad_frame_stack=True,
        pad_seq_length=True,
        get_pad_mask=False,
        goal_mode=None,
        hdf5_cache_mode="low_dim",
        hdf5_use_swmr=True,
        hdf5_normalize_obs=False,
        filter_by_attribute="train",
    )
    sample = ds[0]
    return f"robomimic SequenceDataset: {len(ds)} train sequences, sample actions {sample['actions'].shape}"


def main(paths):
    ok = True
    for path in paths:
        errors, s = check_file(path)
        print(f"== {path}")
        if s:
            print(f"  env {s.get('env_name')} (robosuite {s.get('env_version')}), {s['demos']} demos, total {s['total']} steps")
            print(f"  lengths {s['lengths']}")
            print(f"  action dim {s['action_dim']}, masks {s['masks']}")
            for k, (shape, dtype) in s["obs"].items():
                print(f"  obs/{k:28s} {str(shape):8s} {dtype}")
        if errors:
            ok = False
            for e in errors:
                print(f"  ERROR {e}")
        else:
            print("  layout OK")
            print("  " + try_sequence_dataset(path, s["obs"].keys()))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(64)
    sys.exit(main(sys.argv[1:]))
