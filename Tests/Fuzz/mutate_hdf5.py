#!/usr/bin/env python3
"""Writes damaged copies of a small robomimic file for Mimic's fuzz test (Tests/mimicTests/FuzzTests.swift).

    mutate_hdf5.py BASE OUTDIR [PART PARTS]

Writes the cases N with N % PARTS == PART (default: all) as OUTDIR/case_NNN.hdf5 and describes
each on stdout, one JSON object a line: {"case": N, "file": path, "kind": ..., "detail": ...}.
Case N always makes the same bytes from the same BASE: its random choices come from
random.Random(N), or random.Random(N + 1000003 * SEED) with the environment variable
MIMIC_FUZZ_SEED=SEED (for hunting beyond the cases the test runs).

Byte mutations (truncation, bit flips in the superblock, object headers, raw data and other
metadata) work on the bytes; structural ones (datasets grown, shrunk or retyped, NaN values,
attributes removed or corrupted, soft-link loops, external links, hard-link cycles, deep nesting,
demo names) use h5py, with the library's file format bounded to what HDF5 1.10 reads.
"""
import json
import os
import random
import shutil
import sys

import h5py
import numpy as np

LIBVER = ("earliest", "v110")


def objects(path):
    """(name, kind, header address, raw data offset or None, raw size) of every object, sorted."""
    out = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            info = h5py.h5o.get_info(obj.id)
            offset, size = None, 0
            if isinstance(obj, h5py.Dataset):
                offset = obj.id.get_offset()
                size = obj.id.get_storage_size()
            out.append((name, "dataset" if isinstance(obj, h5py.Dataset) else "group", info.addr, offset, size))
        f.visititems(visit)
    return sorted(out)


def datasets(path, prefix="data/demo_"):
    return [o for o in objects(path) if o[1] == "dataset" and o[0].startswith(prefix)]


def flip(data, offset, rng, count=1):
    for _ in range(count):
        i = min(max(offset, 0), len(data) - 1)
        data[i] ^= 1 << rng.randrange(8)
        offset += rng.randrange(1, 8)


def byte_case(base, out, rng, kind):
    data = bytearray(open(base, "rb").read())
    objs = objects(base)
    if kind == "truncate":
        cut = rng.choice([0, 1, 8, 96, 512, 4096]) if rng.random() < 0.2 else rng.randrange(len(data))
        data = data[:cut]
        detail = f"cut at {cut} of {len(data)}"
    elif kind == "superblock":
        offset = rng.randrange(96)
        flip(data, offset, rng, rng.randint(1, 3))
        detail = f"bits flipped from byte {offset}"
    elif kind == "header":
        name, _, addr, _, _ = rng.choice(objs)
        offset = addr + rng.randrange(64)
        flip(data, offset, rng, rng.randint(1, 4))
        detail = f"object header of {name} at byte {offset}"
    elif kind == "raw":
        name, _, _, offset, size = rng.choice([o for o in objs if o[3] is not None and o[4] > 0])
        at = offset + rng.randrange(size)
        flip(data, at, rng, rng.randint(1, 8))
        detail = f"raw data of {name} at byte {at}"
    else:  # "metadata": anywhere outside raw data
        raw = [(o[3], o[3] + o[4]) for o in objs if o[3] is not None]
        while True:
            at = rng.randrange(len(data))
            if not any(lo <= at < hi for lo, hi in raw):
                break
        flip(data, at, rng, rng.randint(1, 4))
        detail = f"metadata byte {at}"
    with open(out, "wb") as f:
        f.write(data)
    return detail


def replace(group, name, **kwargs):
    del group[name]
    return group.create_dataset(name, **kwargs)


def pick_dataset(f, rng, prefixes=("actions", "states", "obs/", "datagen_info/")):
    demo = f["data"][rng.choice(sorted(f["data"].keys()))]
    names = []
    demo.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and n.startswith(prefixes) else None)
    return demo, rng.choice(sorted(names))


def structural_case(out, rng, kind, variant):
    with h5py.File(out, "a", libver=LIBVER) as f:
        demo0, demo1 = f["data/demo_0"], f["data/demo_1"]
        if kind == "grow":
            demo, name = pick_dataset(f, rng)
            old = demo[name]
            rows = [10**9, 2**40, 10**7, old.shape[0] + 1, 2**62 // 8][variant % 5]
            value, dtype, shape = old[()], old.dtype, old.shape
            del demo[name]
            ds = demo.create_dataset(name, shape=(min(rows, 2**62 // max(1, int(np.prod(shape[1:])) * 8)),) + shape[1:],
                                     dtype=dtype, chunks=(64,) + shape[1:], maxshape=(None,) + shape[1:])
            ds[: len(value)] = value
            return f"{demo.name}/{name} to {ds.shape[0]} rows (chunked)"
        if kind == "shrink":
            demo, name = pick_dataset(f, rng)
            value = demo[name][()]
            cut = [value[:-1], value[:0], value[0], value[..., :1], value[:1]][variant % 5]
            replace(demo, name, data=cut)
            return f"{demo.name}/{name} to shape {cut.shape}"
        if kind == "retype":
            demo, name = pick_dataset(f, rng)
            value = demo[name][()]
            forms = [
                lambda v: np.array([str(r).encode() for r in v]),
                lambda v: np.array([str(r) for r in v], dtype=h5py.string_dtype()),
                lambda v: v.astype(np.int8),
                lambda v: v.astype(np.float16),
                lambda v: v != 0,
                lambda v: np.zeros(len(v), dtype=[("a", "<f8"), ("b", "<i4")]),
                lambda v: v.reshape(len(v), -1)[:, :1].astype(np.uint64),
                lambda v: np.frombuffer(np.ascontiguousarray(v).tobytes(), dtype="V8")[: len(v)],
            ]
            replace(demo, name, data=forms[variant % len(forms)](value))
            return f"{demo.name}/{name} as form {variant % len(forms)}"
        if kind == "nonfinite":
            demo, name = pick_dataset(f, rng)
            ds = demo[name]
            value = ds[()]
            if not np.issubdtype(value.dtype, np.floating) or value.size == 0:
                value = value.astype(np.float64)
            flat = value.reshape(-1)
            i = rng.randrange(flat.size)
            flat[i] = [np.nan, np.inf, -np.inf][variant % 3]
            replace(demo, name, data=value)
            return f"{demo.name}/{name} element {i} = {flat[i]}"
        if kind == "extreme":
            # Finite but absurd values: huge, tiny, zero quaternions, values whose square overflows.
            demo, name = pick_dataset(f, rng, ("actions", "states", "obs/", "datagen_info/"))
            value = demo[name][()]
            if not np.issubdtype(value.dtype, np.floating) or value.size == 0:
                value = value.astype(np.float64)
            extreme = [1e308, -1e308, 5e-324, 1e154, 0.0, -1e30][variant % 6]
            flat = value.reshape(len(value), -1) if value.ndim > 0 else value.reshape(1, 1)
            with np.errstate(over="ignore"):   # 1e308 in a float32 array is inf: a non-finite case then
                if variant % 2 == 0:
                    flat[:, rng.randrange(flat.shape[1])] = extreme     # a whole column
                else:
                    flat[rng.randrange(flat.shape[0]), :] = extreme     # a whole row
            replace(demo, name, data=flat.reshape(value.shape))
            return f"{demo.name}/{name} set to {extreme} ({'column' if variant % 2 == 0 else 'row'})"
        if kind == "attribute":
            targets = [(f["data"], "env_args"), (demo0, "model_file"), (demo0, "num_samples"), (f["data"], "total")]
            owner, attr = targets[variant % 4]
            action = (variant // 4) % 6
            if action == 0:
                del owner.attrs[attr]
                return f"{owner.name}.attrs[{attr}] removed"
            corrupt = ["{not json", np.int64(-5), "x" * (1 << 22), np.arange(5.0), np.int64(10**15), '{"env_name": 3}'][action]
            owner.attrs[attr] = corrupt
            return f"{owner.name}.attrs[{attr}] = {type(corrupt).__name__} {str(corrupt)[:20]!r}"
        if kind == "softlink":
            links = [
                (demo1, "actions", "/data/demo_0/actions"),         # legitimate: another demo's actions
                (f["data"], "demo_1", "/data/demo_1"),               # itself
                (demo0, "obs", "/data/demo_0/obs_b"),                # obs -> obs_b -> obs
                (demo0, "datagen_info", "/data/demo_0"),            # a cycle through a soft link
                (demo1, "states", "/nowhere/states"),                # dangling
                (f["data"], "demo_1", "/data/demo_0"),               # a demo linked twice
            ]
            owner, name, target = links[variant % len(links)]
            if name in owner:
                del owner[name]
            owner[name] = h5py.SoftLink(target)
            if variant % len(links) == 2:
                demo0["obs_b"] = h5py.SoftLink("/data/demo_0/obs")
            return f"{owner.name}/{name} -> {target}"
        if kind == "external":
            links = [
                (f["data"], "demo_1", "missing.hdf5", "/data/demo_1"),
                (demo0, "actions", "missing.hdf5", "/data/demo_0/actions"),
                (demo1, "obs", os.path.basename(out), "/data/demo_1/obs"),   # into this very file: a loop
                (demo0, "datagen_info", "/dev/zero", "/x"),
            ]
            owner, name, target, path = links[variant % len(links)]
            if name in owner:
                del owner[name]
            owner[name] = h5py.ExternalLink(target, path)
            return f"{owner.name}/{name} -> {target}:{path}"
        if kind == "hardcycle":
            owner = [demo0["obs"], demo1, demo0["datagen_info"]][variant % 3]
            owner["loop"] = owner.parent if variant % 3 != 1 else owner
            return f"{owner.name}/loop is a hard link to an ancestor"
        if kind == "nesting":
            depth = [40, 400, 2000][variant % 3]
            where = [demo0["obs"], demo1, f["data"]][variant % 3]
            g = where
            for _ in range(depth):
                g = g.create_group("n")
            g.create_dataset("x", data=np.zeros((3, 2)))
            return f"{depth} groups nested under {where.name}"
        if kind == "names":
            which = variant % 9
            if which == 0:
                f.move("data/demo_0", "data/demo_a")
            elif which == 1:
                f.move("data/demo_1", "data/trial_3")
            elif which == 2:
                f.copy("data/demo_1", "data/demo_01")
            elif which == 3:
                f.move("data/demo_1", "data/demo_-1")
            elif which == 4:
                f.move("data/demo_1", "data/demo_\u0661")   # an Arabic-Indic digit one
            elif which == 5:
                del f["data/demo_0"], f["data/demo_1"]
            elif which == 6:
                f["data"].create_dataset("demo_2", data=np.zeros(3))
            elif which == 7:
                del f["data"]
                f.create_dataset("data", data=np.zeros(3))
            else:
                f.move("data/demo_1", "data/demo_99999999999999999999999")
            return f"demo names, variant {which}"
        if kind == "masks":
            which = variant % 3
            if "mask" in f:
                del f["mask"]
            if which == 0:
                f.create_dataset("mask/train", data=np.array([b"demo_7"]))
            elif which == 1:
                f.create_dataset("mask/train", data=np.arange(3))
            else:
                f.create_dataset("mask/train", shape=(10**9,), dtype="S20", chunks=(1024,))
            return f"masks, variant {which}"
        raise ValueError(kind)


BYTE_KINDS = [("truncate", 20), ("superblock", 20), ("header", 20), ("raw", 18), ("metadata", 18)]
STRUCTURAL_KINDS = [("grow", 10), ("shrink", 10), ("retype", 16), ("nonfinite", 12), ("extreme", 12), ("attribute", 24),
                    ("softlink", 6), ("external", 4), ("hardcycle", 3), ("nesting", 3), ("names", 9), ("masks", 3)]


def cases():
    out = []
    for kind, count in BYTE_KINDS + STRUCTURAL_KINDS:
        out += [(kind, v) for v in range(count)]
    return out


def main():
    base, outdir = sys.argv[1], sys.argv[2]
    all_cases = cases()
    part, parts = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (0, 1)
    for n in range(part, len(all_cases), parts):
        kind, variant = all_cases[n]
        rng = random.Random(n + 1000003 * int(os.environ.get("MIMIC_FUZZ_SEED", "0")))
        out = os.path.join(outdir, f"case_{n:03d}.hdf5")
        if kind in dict(BYTE_KINDS):
            detail = byte_case(base, out, rng, kind)
        else:
            shutil.copyfile(base, out)
            detail = structural_case(out, rng, kind, variant)
        print(json.dumps({"case": n, "file": out, "kind": kind, "detail": detail}), flush=True)


if __name__ == "__main__":
    main()
