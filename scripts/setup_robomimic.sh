#!/usr/bin/env bash
# Installs robomimic 0.3.0 into the venv .cache/robomimic-venv, for Demos/verify/robomimic_load.py
# (robomimic's own SequenceDataset loads Mimic's files, camera images included) and its test.
#
# robomimic 0.3.0 declares many dependencies (tensorboardX, torchvision, egl_probe, imageio, ...)
# that its dataset path never imports. The venv instead sees the machine's python packages
# (--system-site-packages: its CPU torch, h5py, numpy, which scripts/setup.sh installs) and gets
# robomimic without its dependencies, plus only the two modules robomimic.utils.dataset and
# robomimic.utils.obs_utils import beyond those (through robomimic.utils.log_utils): tqdm and
# termcolor (already there when the machine has robosuite). Safe to run again: installs only
# what is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.cache/robomimic-venv"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup_robomimic: creating $venv (python3 -m venv --system-site-packages)" >&2
    python3 -m venv --system-site-packages "$venv"
fi

check='import robomimic, robomimic.utils.dataset, robomimic.utils.obs_utils; assert robomimic.__version__ == "0.3.0"'
if ! "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
    echo "setup_robomimic: installing robomimic 0.3.0 (no dependencies) and tqdm, termcolor into $venv (pip)" >&2
    "$venv/bin/pip" install -q --no-deps "robomimic==0.3.0"
    "$venv/bin/pip" install -q tqdm termcolor
    "$venv/bin/python" -c "$check"
fi
