#!/usr/bin/env bash
# Installs what Mimic needs on a fresh Debian 12 machine with Swift: HDF5 (Debian's libhdf5-dev),
# libdeflate (libdeflate-dev, Mimic's gzip), OSMesa (libosmesa6-dev, the offscreen GL of MuJoCo's
# renderer for camera images) and pkg-config for the build, MuJoCo 3.3.0 (scripts/setup_mujoco.sh), robosuite 1.5.2 for its
# scene assets (the meshes the stored scenes name), and the Python packages the checks and
# benchmarks use (h5py, numpy; ray 2.40.0 for Demos/ray and its test; CPU torch for Demos/train and
# its test, from a local wheel in /opt/wheels when there is one). Safe to run again: it installs
# only what is missing.
set -euo pipefail

need_apt=()
dpkg -s libhdf5-dev >/dev/null 2>&1 || need_apt+=(libhdf5-dev)
dpkg -s libdeflate-dev >/dev/null 2>&1 || need_apt+=(libdeflate-dev)
dpkg -s libosmesa6-dev >/dev/null 2>&1 || need_apt+=(libosmesa6-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
# venv with ensurepip, for the venvs of setup_lerobot.sh and setup_robomimic.sh (Debian's python3 lacks it).
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "setup: installing ${need_apt[*]} (apt)" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Debian 12's own python3 is "externally managed" (PEP 668): let pip install into it (a pyenv or
# venv python ignores this).
export PIP_BREAK_SYSTEM_PACKAGES=1

if ! python3 -c "import h5py, numpy" >/dev/null 2>&1; then
    echo "setup: installing h5py and numpy (pip)" >&2
    python3 -m pip install -q h5py numpy
fi

if ! python3 -c "import ray" >/dev/null 2>&1; then
    echo "setup: installing ray 2.40.0 (pip; Demos/ray/launch.py and its test)" >&2
    python3 -m pip install -q "ray==2.40.0"
fi

if ! python3 -c "import torch" >/dev/null 2>&1; then
    # CPU torch: a local wheel that fits this python if the machine has one, else PyTorch's CPU
    # index (no CUDA libraries), else PyPI's default build.
    torch_installed=""
    for wheel in /opt/wheels/torch-*+cpu-*.whl; do
        [ -f "$wheel" ] || continue
        echo "setup: installing torch from $wheel (pip; Demos/train and its test)" >&2
        python3 -m pip install -q "$wheel" && { torch_installed=1; break; }
    done
    if [ -z "$torch_installed" ]; then
        echo "setup: installing torch, CPU build (pip; Demos/train and its test)" >&2
        python3 -m pip install -q torch --index-url https://download.pytorch.org/whl/cpu ||
            python3 -m pip install -q torch
    fi
fi

"$(dirname "$0")/setup_mujoco.sh"
"$(dirname "$0")/setup_browser.sh"  # chromium, for the test that opens mimic report's page
"$(dirname "$0")/setup_lerobot.sh"  # ffmpeg and lerobot 0.3.3 (.cache/lerobot-venv), for export --to lerobot and its test
"$(dirname "$0")/setup_robomimic.sh"  # robomimic 0.3.0 (.cache/robomimic-venv), for Demos/verify/robomimic_load.py and its test

if ! python3 -c "import robosuite" >/dev/null 2>&1; then
    echo "setup: installing robosuite 1.5.2 (pip; its scene assets)" >&2
    python3 -m pip install -q "robosuite==1.5.2" "mujoco==3.3.0"
fi

# robosuite 1.4.1's scene assets (its scenes name meshes 1.5 no longer ships), for the test that
# replays robosuite 1.4 recordings; unpacked into .cache/ from the wheel, nothing installed.
root=$(cd "$(dirname "$0")/.." && pwd)
assets14="$root/.cache/robosuite-1.4.1"
if [ ! -f "$assets14/robosuite/models/assets/mounts/meshes/rethink_mount/pedestal.stl" ]; then
    echo "setup: unpacking robosuite 1.4.1's scene assets into .cache/ (pip download)" >&2
    wheels=$(mktemp -d)
    python3 -m pip download -q --no-deps "robosuite==1.4.1" -d "$wheels"
    python3 - "$wheels" "$assets14" <<'PY'
import pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("robosuite-1.4.1-*.whl"))
with zipfile.ZipFile(wheel) as z:
    z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("robosuite/models/assets/")])
PY
    rm -rf "$wheels"
fi

