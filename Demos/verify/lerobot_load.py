#!/usr/bin/env python3
"""Load a `mimic export --to lerobot` directory with lerobot 0.3.3's LeRobotDataset and check it.

Usage:
    .cache/lerobot-venv/bin/python Demos/verify/lerobot_load.py DIR [--source SOURCE] [--frames N] [--max-video-diff D]

The venv comes from scripts/setup_lerobot.sh. The script

1. opens DIR with `LeRobotDataset(repo_id=..., root=DIR, video_backend="pyav")` (nothing is
   downloaded: the metadata and files are all local) and reads frames through `dataset[i]`: the
   first and last frame of every episode and N more spread over the dataset (every frame with
   --frames 0). Each read decodes the frame of every camera from its mp4 with PyAV;
2. with --source (the HDF5 file, or a sharded run's directory, that was exported), compares every
   frame read with the source demo of the same rank: each slice of `observation.state` with the
   observation it names (modality.json's slice names are the obs keys), `action` with `actions`,
   exactly in float32; each camera frame with `obs/<camera>_image` turned upright (robosuite stores
   frames bottom row first), as the mean absolute difference in 0..255 units, which must be at
   most D (default 5; H.264 is lossy) and smaller than the difference to the frame not turned;
3. checks `meta/modality.json` against GR00T's schema (gr00t/data/schema.py,
   LeRobotModalityMetadata): keys state/action/video/annotation; per slice integer start < end,
   the slices of a vector covering it without gap or overlap, `rotation_type` one of GR00T's
   RotationType values, `absolute` a boolean; every video entry's `original_key` a video feature;
   every annotation a column `annotation.<name>` of the dataset.

Prints what it checked and `OK`; exits 1 at the first failure.

torchvision's compiled operators (detection ops) do not load against a CPU torch that is not the
build torchvision was made for (PyPI's torchvision links CUDA torch); lerobot uses only
torchvision's Python parts (transforms, io.VideoReader over PyAV). When the library does not load,
the script declares the one operator schema torchvision's import registers a fake kernel for.
"""

import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import torch

ROTATION_TYPES = {
    "axis_angle", "quaternion", "rotation_6d", "matrix",
    "euler_angles_rpy", "euler_angles_ryp", "euler_angles_pry", "euler_angles_pyr", "euler_angles_yrp", "euler_angles_ypr",
}


def load_torchvision_ops():
    spec = importlib.util.find_spec("torchvision")
    try:
        torch.ops.load_library(os.path.join(os.path.dirname(spec.origin), "_C.so"))
    except OSError:
        torch.library.define("torchvision::nms", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check_modality(modality, info):
    if set(modality) != {"state", "action", "video", "annotation"}:
        fail(f"modality.json has keys {sorted(modality)}, expected state, action, video, annotation")
    features = info["features"]
    for group, column in (("state", "observation.state"), ("action", "action")):
        slices = sorted(modality[group].items(), key=lambda kv: kv[1]["start"])
        width = features[column]["shape"][0]
        end = 0
        for name, s in slices:
            if not (isinstance(s["start"], int) and isinstance(s["end"], int) and s["start"] < s["end"]):
                fail(f"{group}.{name}: start {s['start']} is not an integer below end {s['end']}")
            if s["start"] != end:
                fail(f"{group}.{name} starts at {s['start']}, the previous slice ends at {end}")
            end = s["end"]
            if "rotation_type" in s and s["rotation_type"] not in ROTATION_TYPES:
                fail(f"{group}.{name}: rotation_type {s['rotation_type']!r} is not one of GR00T's {sorted(ROTATION_TYPES)}")
            if not isinstance(s.get("absolute", True), bool):
                fail(f"{group}.{name}: absolute is not a boolean")
        if end != width:
            fail(f"the {group} slices end at {end}, {column} has {width} values")
        print(f"modality {group}: " + ", ".join(f"{n}[{s['start']}:{s['end']}]" + (f" {s['rotation_type']}" if "rotation_type" in s else "")
                                                  + ("" if s.get("absolute", True) else " relative") for n, s in slices))
    for name, v in modality["video"].items():
        if features.get(v.get("original_key"), {}).get("dtype") != "video":
            fail(f"video.{name}: original_key {v.get('original_key')!r} is not a video feature of info.json")
    for name in modality["annotation"]:
        if f"annotation.{name}" not in features:
            fail(f"annotation.{name} is not a column of the dataset")


def source_demos(source):
    import h5py
    path = os.path.join(source, "index.hdf5") if os.path.isdir(source) else source
    f = h5py.File(path, "r")
    names = sorted(f["data"].keys(), key=lambda n: int(n[5:]))
    return f, names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root")
    parser.add_argument("--source")
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--max-video-diff", type=float, default=5.0)
    args = parser.parse_args()

    load_torchvision_ops()
    import datasets
    from lerobot.datasets.lerobot_dataset import LeRobotDataset

    root = os.path.abspath(args.root)
    with open(os.path.join(root, "meta", "info.json")) as f:
        info = json.load(f)
    with open(os.path.join(root, "meta", "modality.json")) as f:
        modality = json.load(f)
    check_modality(modality, info)

    dataset = LeRobotDataset(repo_id="mimic/export", root=root, video_backend="pyav")
    video_keys = dataset.meta.video_keys
    print(f"{root}: LeRobotDataset {info['codebase_version']}, {dataset.num_episodes} episodes, {dataset.num_frames} frames, "
          f"fps {dataset.fps}, robot {dataset.meta.robot_type}, videos {video_keys}")
    if dataset.num_frames != info["total_frames"] or dataset.num_episodes != info["total_episodes"]:
        fail("the dataset's frames or episodes differ from info.json's totals")

    for column in ("observation.state", "action"):
        feature = dataset.hf_dataset.features[column]
        if getattr(feature, "feature", None) != datasets.Value("float32"):
            fail(f"datasets reads {column} as {feature}, not a Sequence of float32")
    starts = dataset.episode_data_index["from"].tolist()
    ends = dataset.episode_data_index["to"].tolist()
    if args.frames == 0:
        indices = list(range(dataset.num_frames))
    else:
        spread = np.linspace(0, dataset.num_frames - 1, min(args.frames, dataset.num_frames)).round().astype(int).tolist()
        indices = sorted(set(starts + [e - 1 for e in ends] + spread))

    source, names = source_demos(args.source) if args.source else (None, None)
    if names is not None and len(names) != dataset.num_episodes:
        fail(f"the source has {len(names)} demos, the dataset {dataset.num_episodes} episodes")
    state_slices = modality["state"]
    diffs, unflipped = {k: [] for k in video_keys}, {k: [] for k in video_keys}
    for i in indices:
        item = dataset[i]
        episode, frame = int(item["episode_index"]), int(item["frame_index"])
        if abs(float(item["timestamp"]) - frame / dataset.fps) > 1e-4:
            fail(f"frame {i}: timestamp {float(item['timestamp'])} is not frame_index / fps")
        for key in video_keys:
            image = item[key]
            if tuple(image.shape) != (3, *info["features"][key]["shape"][:2]):
                fail(f"frame {i}: {key} decoded as {tuple(image.shape)}")
        if source is None:
            continue
        demo = source["data"][names[episode]]
        state, action = item["observation.state"].numpy(), item["action"].numpy()
        if state.shape != (info["features"]["observation.state"]["shape"][0],) or action.shape != (info["features"]["action"]["shape"][0],):
            fail(f"frame {i}: observation.state {state.shape} or action {action.shape} is not the width info.json gives")
        for name, s in state_slices.items():
            expected = demo["obs"][name][frame].astype(np.float32)
            if not np.array_equal(state[s["start"]:s["end"]], expected):
                fail(f"frame {i} (episode {episode}, frame {frame}): observation.state {name} differs from obs/{name}")
        if not np.array_equal(action, demo["actions"][frame].astype(np.float32)):
            fail(f"frame {i} (episode {episode}, frame {frame}): action differs from actions")
        for key in video_keys:
            camera = next(n for n, v in modality["video"].items() if v["original_key"] == key)
            stored = demo["obs"][f"{camera}_image"][frame].astype(np.float64)
            decoded = item[key].permute(1, 2, 0).numpy().astype(np.float64) * 255
            diffs[key].append(np.abs(decoded - stored[::-1]).mean())
            unflipped[key].append(np.abs(decoded - stored).mean())
    print(f"read {len(indices)} frames through dataset[i] (state, action, {len(video_keys)} decoded video frames each)")
    if source is not None:
        print(f"observation.state slices and action equal the source's in float32 at every frame read")
        for key in video_keys:
            mean, worst, other = np.mean(diffs[key]), np.max(diffs[key]), np.mean(unflipped[key])
            print(f"{key}: mean abs diff to the upright source frame {mean:.2f} (worst frame {worst:.2f}) of 255; to the frame as stored {other:.2f}")
            if worst > args.max_video_diff:
                fail(f"{key}: a decoded frame differs from its source by {worst:.2f} > {args.max_video_diff}")
            if mean >= other:
                fail(f"{key}: decoded frames are closer to the frames as stored than turned upright")
    print("OK")


if __name__ == "__main__":
    main()
