#!/usr/bin/env python3
"""Recompute a file's observations in robosuite itself and compare them with the file's obs.

Usage:
    python3 Demos/verify/robosuite_obs.py FILE [--demos N] [--json OUT]

For every demo (optionally only the first N): reset to its model_file the way robomimic does,
then for every t set states[t] + sim.forward() and read robosuite's observations with two forced
updates (robosuite's sensors that read other cache entries need the second one to see the current
state). Every obs/<key> of the file that robosuite also returns ("object-state" is robomimic's
"object") is compared; quaternions (keys with "quat") are compared as rotations, since q and -q
are the same rotation. Keys only robosuite or only the file has are listed.

Prints, per key, the largest absolute difference over all demos and steps, and exits 1 when a
key other than joint_acc (MuJoCo's warm-started solver leaves solver noise in qacc) differs by
more than 1e-6.
"""

import argparse
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from robosuite_replay import make_env, reset_to, select_demos, text_attr  # noqa: E402


def robosuite_obs(env):
    env._get_observations(force_update=True)
    raw = env._get_observations(force_update=True)
    return {("object" if k == "object-state" else k): np.asarray(v, dtype=np.float64) for k, v in raw.items()}


def difference(key, mine, theirs):
    if "quat" in key and mine.shape[-1] == 4:
        return float(min(np.max(np.abs(mine - theirs)), np.max(np.abs(mine + theirs))))
    return float(np.max(np.abs(mine - theirs)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file")
    p.add_argument("--demos", type=int, default=None)
    p.add_argument("--json", default=None)
    args = p.parse_args()

    with h5py.File(args.file, "r") as f:
        env_args = json.loads(text_attr(f["data"].attrs["env_args"]))
        env = make_env(env_args)
        worst, only_file, only_robosuite = {}, set(), set()
        names = select_demos(f, None, args.demos)
        for name in names:
            g = f["data"][name]
            states = g["states"][()]
            file_obs = {k: g["obs"][k][()] for k in g["obs"].keys()}
            reset_to(env, text_attr(g.attrs["model_file"]), states[0])
            for t in range(len(states)):
                env.sim.set_state_from_flattened(states[t])
                env.sim.forward()
                theirs = robosuite_obs(env)
                only_robosuite |= {k for k in theirs if k not in file_obs and not k.endswith("proprio-state")}
                only_file |= {k for k in file_obs if k not in theirs}
                for key, values in file_obs.items():
                    if key in theirs:
                        d = difference(key, np.asarray(values[t], dtype=np.float64), theirs[key])
                        worst[key] = max(worst.get(key, 0.0), d)
    print(f"{args.file}: {len(names)} demos; largest |file obs - robosuite obs| per key:")
    for key in sorted(worst):
        print(f"  {key:32s} {worst[key]:.3g}")
    if only_file:
        print("only in the file: " + ", ".join(sorted(only_file)))
    if only_robosuite:
        print("only in robosuite: " + ", ".join(sorted(only_robosuite)))
    bad = [k for k, v in worst.items() if v > 1e-6 and not k.endswith("joint_acc")]
    print("OK: every shared key matches" if not bad else "FAIL: " + ", ".join(bad))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"max_abs_difference": worst, "only_file": sorted(only_file),
                       "only_robosuite": sorted(only_robosuite), "ok": not bad}, out, indent=2)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
