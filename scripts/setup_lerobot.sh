#!/usr/bin/env bash
# Installs what `mimic export --to lerobot` and its checks need: the ffmpeg command-line tool
# (Debian's ffmpeg, which encodes the videos) and, in the venv .cache/lerobot-venv, lerobot 0.3.3
# for Demos/verify/lerobot_load.py (the real LeRobotDataset reads the export back).
#
# lerobot 0.3.3 pins torch<2.8, which from PyPI is a multi-GB CUDA build. The venv instead sees the
# machine's python packages (--system-site-packages: its CPU torch, numpy, h5py) and gets lerobot
# without its dependencies, plus only what LeRobotDataset imports: datasets (<=3.6.0, lerobot's
# pin), huggingface-hub, av (PyAV, the "pyav" video backend), jsonlines, and torchvision 0.22.1
# (lerobot's pin; 0.23 and later have no torchvision.io.VideoReader, which the pyav backend uses).
# numpy stays the machine's (h5py is built against it), so pyarrow and pandas are the newest that
# accept numpy 1.x when the machine's numpy is 1.x. Safe to run again: installs only what is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.cache/lerobot-venv"

if ! command -v ffmpeg >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "setup_lerobot: installing ffmpeg (apt)" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq ffmpeg >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "setup_lerobot: creating $venv (python3 -m venv --system-site-packages)" >&2
    python3 -m venv --system-site-packages "$venv"
fi

# torchvision is checked with pip, not imported: its compiled ops do not load against a CPU torch
# (lerobot_load.py deals with that).
if ! "$venv/bin/pip" show -q lerobot torchvision datasets huggingface-hub av jsonlines pyarrow pandas >/dev/null 2>&1; then
    echo "setup_lerobot: installing lerobot 0.3.3 and what LeRobotDataset needs into $venv (pip)" >&2
    constraints=$(mktemp)
    trap 'rm -f "$constraints"' EXIT
    numpy_version=$("$venv/bin/python" -c "import numpy; print(numpy.__version__)")
    echo "numpy==$numpy_version" >"$constraints"
    arrow="pyarrow"
    pandas="pandas"
    case "$numpy_version" in 1.*) arrow="pyarrow<20" pandas="pandas<3" ;; esac
    "$venv/bin/pip" install -q --no-deps "lerobot==0.3.3" "torchvision==0.22.1"
    "$venv/bin/pip" install -q -c "$constraints" "datasets>=2.19.0,<=3.6.0" "huggingface-hub>=0.34.2" "av>=14.2.0" \
        "jsonlines>=4.0.0" "packaging>=24.2" "$arrow" "$pandas"
fi
