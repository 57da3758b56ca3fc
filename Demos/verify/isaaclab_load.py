#!/usr/bin/env python3
"""Load a dataset with Isaac Lab's own reader, as Isaac Lab Mimic does, and print every episode.

Usage:
    python3 Demos/verify/isaaclab_load.py FILE.hdf5

Isaac Lab's `HDF5DatasetFileHandler` (isaaclab/utils/datasets/) needs only h5py, numpy and torch,
not Isaac Sim: the module files are loaded straight from the PyPI wheel `isaaclab==2.3.2.post1`,
which this script downloads once into .cache/isaaclab (pip download, nothing installed). torch
must be importable (a CPU build is enough).

For each episode it prints the number of steps, `success`, `seed` and the datagen_info groups, and
checks what Isaac Lab Mimic's datagen info pool reads: actions, and under obs/datagen_info the
eef_pose, target_eef_pose, object_pose and subtask_term_signals of every end effector. Exit 1 if an
episode lacks them.
"""

import glob
import importlib.util
import os
import subprocess
import sys
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CACHE = os.path.join(ROOT, ".cache", "isaaclab")
MODULES = "isaaclab/source/isaaclab/isaaclab/utils/datasets"


def datasets_module():
    folder = os.path.join(CACHE, MODULES)
    if not os.path.exists(os.path.join(folder, "hdf5_dataset_file_handler.py")):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "isaaclab==2.3.2.post1", "-d", CACHE], check=True)
        wheel = glob.glob(os.path.join(CACHE, "isaaclab-2.3.2.post1-*.whl"))[0]
        with zipfile.ZipFile(wheel) as z:
            z.extractall(CACHE, [n for n in z.namelist() if n.startswith(MODULES + "/")])
    spec = importlib.util.spec_from_file_location("isaaclab_datasets", os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
    module = importlib.util.module_from_spec(spec)
    sys.modules["isaaclab_datasets"] = module
    spec.loader.exec_module(module)
    return module


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    handler = datasets_module().HDF5DatasetFileHandler()
    handler.open(sys.argv[1])
    names = list(handler.get_episode_names())
    print(f"{sys.argv[1]}: {handler.get_num_episodes()} episodes, env {handler.get_env_name()}")
    bad = 0
    for name in names:
        episode = handler.load_episode(name, device="cpu")
        data = episode.data
        info = data.get("obs", {}).get("datagen_info", {})
        missing = [k for k in ("eef_pose", "target_eef_pose", "object_pose", "subtask_term_signals") if k not in info]
        if "actions" not in data or missing:
            bad += 1
        eefs = sorted(info.get("eef_pose", {}).keys())
        print(f"  {name}: {tuple(data['actions'].shape)} actions, success {episode.success}, seed {episode.seed}, "
              f"end effectors {eefs}, objects {sorted(info.get('object_pose', {}).keys())}"
              + (f", MISSING {missing}" if missing else ""))
    print(f"loaded {len(names)} episodes with Isaac Lab's HDF5DatasetFileHandler; {bad} incomplete")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
