#!/usr/bin/env python3
"""Run one of MimicGen's own scripts (prepare_src_dataset.py, generate_dataset.py) unmodified with
robomimic 0.3.0 from PyPI and robosuite 1.4.1, to produce MimicGen's own output for comparison.

Usage:
    PYTHONPATH=MIMICGEN_CHECKOUT python Demos/verify/run_mimicgen.py MIMICGEN_SCRIPT [ARGS...]

MimicGen asks for robomimic installed from source (newer than 0.3.0). Against 0.3.0 it hits three
differences, bridged here without touching either package:
  1. robomimic 0.3.0's env_robosuite.py imports mujoco_py (MuJoCo 2.1, not installable from PyPI)
     only to name mujoco_py.builder.MujocoException among the exceptions a rollout may raise.
     robosuite 1.4.1 runs on the `mujoco` bindings and never raises it, so a stand-in module with
     an exception class that is never raised is registered.
  2. MimicGen passes env_class, render, render_offscreen, use_image_obs, use_depth_obs to
     EnvUtils.create_env_for_data_processing, which 0.3.0 lacks. They are accepted only when they
     equal what 0.3.0 does anyway (no env class override, no on-screen rendering, image obs and
     offscreen rendering exactly when cameras are named, no depth) and then dropped; anything else
     stops with an AssertionError.
  3. MimicGen reads env.base_env (newer robomimic: the wrapped robosuite env); 0.3.0 has env.env.
"""

import runpy
import sys
import types

mujoco_py = types.ModuleType("mujoco_py")
mujoco_py.builder = types.ModuleType("mujoco_py.builder")
mujoco_py.builder.MujocoException = type("MujocoException", (Exception,), {})
sys.modules.setdefault("mujoco_py", mujoco_py)
sys.modules.setdefault("mujoco_py.builder", mujoco_py.builder)

import robomimic.utils.env_utils as EnvUtils  # noqa: E402
from robomimic.envs.env_robosuite import EnvRobosuite  # noqa: E402

_create = EnvUtils.create_env_for_data_processing


def create_env_for_data_processing(env_meta, camera_names, camera_height, camera_width, reward_shaping,
                                   env_class=None, render=None, render_offscreen=None,
                                   use_image_obs=None, use_depth_obs=None):
    cameras = len(camera_names) > 0
    assert env_class is None, "robomimic 0.3.0 cannot override the env class"
    assert render in (None, False), "robomimic 0.3.0 data processing does not render on screen"
    assert render_offscreen in (None, cameras) and use_image_obs in (None, cameras), "image obs follow the cameras in 0.3.0"
    assert use_depth_obs in (None, False), "robomimic 0.3.0 has no depth obs"
    return _create(env_meta=env_meta, camera_names=camera_names, camera_height=camera_height,
                   camera_width=camera_width, reward_shaping=reward_shaping)


EnvUtils.create_env_for_data_processing = create_env_for_data_processing
if not hasattr(EnvRobosuite, "base_env"):
    EnvRobosuite.base_env = property(lambda self: self.env)

script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
