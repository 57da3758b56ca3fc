#!/usr/bin/env python3
"""Write a robomimic file for the `export --to lerobot` measurement (docs/export.md): the demos of
Datasets/lift.hdf5 repeated to N demos (default 200), each with two uint8 84 x 84 cameras
(agentview_image, robot0_eye_in_hand_image) of moving sine patterns, gzip-compressed.

Usage: python3 Benchmarks/lerobot_export_source.py OUT.hdf5 [N]
"""

import os
import sys

import h5py
import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
src = h5py.File(os.path.join(root, "Datasets", "lift.hdf5"), "r")
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
dst = h5py.File(sys.argv[1], "w")
d = dst.create_group("data")
for k, v in src["data"].attrs.items(): d.attrs[k] = v
names = sorted(src["data"].keys(), key=lambda n: int(n[5:]))
for i in range(count):
    s = src["data"][names[i % len(names)]]
    g = d.create_group(f"demo_{i}")
    for k, v in s.attrs.items(): g.attrs[k] = v
    for k in ("actions", "rewards", "dones", "states"): g.create_dataset(k, data=s[k][()])
    o = g.create_group("obs")
    for k in s["obs"]: o.create_dataset(k, data=s["obs"][k][()])
    T = s["actions"].shape[0]
    t = np.arange(T)[:, None, None, None]; y = np.arange(84)[None, :, None, None]; x = np.arange(84)[None, None, :, None]; c = np.arange(3)[None, None, None, :]
    img = ((127 + 60 * np.sin(x / 9 + (t + i) / 6 + c) + 60 * np.cos(y / 13 - c)) * (y / 84 * 0.5 + 0.5)).astype(np.uint8)
    o.create_dataset("agentview_image", data=img, compression="gzip")
    o.create_dataset("robot0_eye_in_hand_image", data=img[:, ::-1, ::-1], compression="gzip")
dst.close()
