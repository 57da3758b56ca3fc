#!/usr/bin/env python3
"""Render a dataset's recorded states with robosuite's own camera observations and compare them
with the images Mimic stored (`mimic render` or `augment --execute --cameras`).

Usage:
    python3 Demos/verify/robosuite_render.py FILE [--demos N] [--every K] [--json OUT.json]
        [--time]

For each camera named in data.attrs["env_args"] (env_kwargs.camera_names, which Mimic writes when
it renders), robosuite 1.5.2 is built from env_args with an offscreen renderer and camera
observations of the stored size (camera_heights / camera_widths / camera_depths), as robomimic's
dataset_states_to_obs.py builds it; each demo is loaded the way robomimic's EnvRobosuite.reset_to
does (reset_from_xml_string(edit_model_xml(model_file)), sim.reset(), set_state_from_flattened,
sim.forward()), and for every K-th state t: set_state_from_flattened(states[t]), sim.forward(),
env._get_observations(force_update=True)["<camera>_image"] is compared with obs/<camera>_image[t]
(and depth with obs/<camera>_depth when present).

Prints per camera the mean absolute difference in intensity levels (0-255) over all compared
frames, the largest per-frame mean, and the fraction of pixels that differ at all. Exit 1 when the
mean difference of a camera is 1 level or more (the acceptance goal) or a key is missing.

MUJOCO_GL defaults to osmesa (no GPU, no display), the GL backend Mimic renders with here.
--time also times robosuite's rendering alone (sim.render of each camera at the stored size, after
the state is set): median milliseconds of wall and CPU time per frame (CPU: the whole process's,
llvmpipe's rasterizer threads included); with --json, every frame's times too.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("MUJOCO_GL", "osmesa")
os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import robosuite  # noqa: E402
from robosuite_replay import make_env  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--demos", type=int, default=None, help="only the first N demos")
    parser.add_argument("--every", type=int, default=1, help="compare every K-th state")
    parser.add_argument("--json", default=None)
    parser.add_argument("--time", action="store_true")
    args = parser.parse_args()

    f = h5py.File(args.file, "r")
    env_args = json.loads(f["data"].attrs["env_args"])
    kwargs = env_args.get("env_kwargs", {})
    cameras = kwargs.get("camera_names") or []
    if isinstance(cameras, str):
        cameras = [cameras]
    if not cameras:
        sys.exit(f"robosuite_render: {args.file}: /data.attrs[env_args] names no camera_names")
    height, width = int(kwargs.get("camera_heights", 84)), int(kwargs.get("camera_widths", 84))
    depth = bool(kwargs.get("camera_depths", False))

    original_make = robosuite.make

    def make_with_cameras(name, **kw):
        kw.update(
            has_offscreen_renderer=True,
            use_camera_obs=True,
            camera_names=cameras,
            camera_heights=height,
            camera_widths=width,
            camera_depths=depth,
        )
        return original_make(name, **kw)

    import robosuite_replay

    robosuite_replay.robosuite.make = make_with_cameras
    env = make_env(env_args)

    names = sorted(f["data"].keys(), key=lambda n: int(n.split("_")[-1]))
    if args.demos is not None:
        names = names[: args.demos]
    stats = {c: {"abs": 0.0, "pixels": 0, "differ": 0, "worst": 0.0, "frames": 0, "depth_abs": 0.0} for c in cameras}
    timings = []
    for name in names:
        demo = f["data"][name]
        for c in cameras:
            if f"obs/{c}_image" not in demo:
                sys.exit(f"robosuite_render: {args.file}: /data/{name}/obs/{c}_image missing")
        env.reset_from_xml_string(env.edit_model_xml(demo.attrs["model_file"]))
        env.sim.reset()
        states = demo["states"][()]
        for t in range(0, len(states), args.every):
            env.sim.set_state_from_flattened(states[t])
            env.sim.forward()
            obs = env._get_observations(force_update=True)
            for c in cameras:
                ours = demo[f"obs/{c}_image"][t].astype(np.int32)
                theirs = obs[f"{c}_image"].astype(np.int32)
                if ours.shape != theirs.shape:
                    sys.exit(f"robosuite_render: /data/{name}/obs/{c}_image[{t}] has shape {ours.shape}, robosuite's {theirs.shape}")
                d = np.abs(ours - theirs)
                s = stats[c]
                s["abs"] += float(d.sum())
                s["pixels"] += d.size
                s["differ"] += int((d > 0).sum())
                s["worst"] = max(s["worst"], float(d.mean()))
                s["frames"] += 1
                if depth and f"obs/{c}_depth" in demo:
                    s["depth_abs"] = max(s["depth_abs"], float(np.abs(demo[f"obs/{c}_depth"][t] - obs[f"{c}_depth"]).max()))
                if args.time:
                    wall, cpu = time.perf_counter(), time.process_time()
                    env.sim.render(width=width, height=height, camera_name=c)
                    timings.append((time.perf_counter() - wall, time.process_time() - cpu))

    failed = False
    report = {"file": args.file, "cameras": {}, "size": [width, height]}
    for c, s in stats.items():
        mean = s["abs"] / max(s["pixels"], 1)
        report["cameras"][c] = {
            "frames": s["frames"],
            "mean_abs_diff": mean,
            "worst_frame_mean_abs_diff": s["worst"],
            "fraction_of_values_differing": s["differ"] / max(s["pixels"], 1),
        }
        if depth:
            report["cameras"][c]["depth_max_abs_diff"] = s["depth_abs"]
        verdict = "OK" if mean < 1.0 else "FAIL"
        failed |= mean >= 1.0
        print(
            f"{verdict}: {c}: {s['frames']} frames {width}x{height}, mean |diff| {mean:.4f} levels, "
            f"worst frame {s['worst']:.4f}, values differing {100 * s['differ'] / max(s['pixels'], 1):.3f} %"
            + (f", depth max |diff| {s['depth_abs']:.2e}" if depth else "")
        )
    if timings:
        t = np.array(timings)
        report["robosuite_ms_per_frame"] = {"wall": 1e3 * float(np.median(t[:, 0])), "cpu": 1e3 * float(np.median(t[:, 1]))}
        # Every timed frame, in order (demo, state, camera): [wall ms, CPU ms] (mimic-bench's render section).
        report["robosuite_frame_ms"] = (1e3 * t).tolist()
        print(f"robosuite sim.render: median {1e3 * np.median(t[:, 0]):.1f} ms wall, {1e3 * np.median(t[:, 1]):.1f} ms CPU per frame")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
