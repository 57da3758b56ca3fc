#!/usr/bin/env python3
"""Record a tiny robosuite 1.4.1 Lift or Stack dataset (robomimic layout) with a scripted policy.

Reference data for MimicSim's robosuite 1.4 control loop (MimicGen's published datasets were
recorded with robosuite 1.4.1). Run it in a venv with robosuite 1.4.1 (and mujoco 3.3.0, the
version Mimic links, so the recorded states are comparable bit for bit):

    python3 -m venv /tmp/rs14venv
    /tmp/rs14venv/bin/pip install robosuite==1.4.1 h5py mujoco==3.3.0
    /tmp/rs14venv/bin/python Demos/verify/record_robosuite14.py -o Datasets/lift_robosuite14.hdf5
    /tmp/rs14venv/bin/python Demos/verify/record_robosuite14.py --task Stack --demos 10 -o stack14.hdf5

The env uses robosuite 1.4's flat OSC_POSE controller config (delta actions in the world frame,
control_delta true), 20 Hz. Each episode: env.reset() (random cube placement), then the scene and
state are reloaded the way robomimic's reset_to does (reset_from_xml_string + set state), so the
controller is built by the deterministic reset a replay also uses, and the recorded states are
exactly what a robosuite replay of the actions produces. The policy moves above the cube with a
small proportional orientation correction (non-zero rotation deltas), descends, closes the
gripper and lifts with exactly zero rotation deltas (robosuite 1.4 then keeps the previous
orientation goal). Stored per demo: states (before each action), actions, model_file, a few
low-dim obs; data.attrs["env_args"] with env_version 1.4.1.
"""

import argparse
import json
import os
import sys

import h5py
import numpy as np
from scipy.spatial.transform import Rotation

import robosuite
from robosuite.controllers import load_controller_config

PLACEHOLDER = "/path/to/site-packages/robosuite"


def env_kwargs():
    return dict(
        robots="Panda",
        controller_configs=load_controller_config(default_controller="OSC_POSE"),
        has_renderer=False,
        has_offscreen_renderer=False,
        use_camera_obs=False,
        use_object_obs=True,
        ignore_done=True,
        reward_shaping=False,
        control_freq=20,
    )


def reset_to(env, xml, state):
    """robomimic's EnvRobosuite.reset_to for robosuite 1.4."""
    env.reset()
    env.reset_from_xml_string(env.edit_model_xml(xml))
    env.sim.reset()
    env.sim.set_state_from_flattened(state)
    env.sim.forward()


def scrub(xml):
    return xml.replace(os.path.dirname(robosuite.__file__), PLACEHOLDER)


OBS_KEYS = {
    "Lift": ("robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos", "cube_pos"),
    "Stack": ("robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos", "cubeA_pos", "cubeB_pos"),
}


def policy_episode(env, task, rng, max_steps=250):
    env.reset()
    xml = env.sim.model.get_xml()
    state0 = np.array(env.sim.get_state().flatten())
    reset_to(env, xml, state0)
    obs = env._get_observations(force_update=True)
    R0 = Rotation.from_quat(obs["robot0_eef_quat"])  # xyzw
    held = "cube_pos" if task == "Lift" else "cubeA_pos"
    states, actions, obs_rows = [], [], []
    phase, hold, success_at = 0, 0, None
    for t in range(max_steps):
        eef, cube = obs["robot0_eef_pos"], obs[held]
        grip = -1.0
        rot = np.zeros(3)
        if phase == 0:  # above the cube, orientation held by a small correction
            target = cube + np.array([0, 0, 0.08])
            rot = np.clip((R0 * Rotation.from_quat(obs["robot0_eef_quat"]).inv()).as_rotvec() / 0.5, -1, 1)
            if np.linalg.norm(target - eef) < 0.01:
                phase = 1
        elif phase == 1:  # descend
            target = cube + np.array([0, 0, -0.005])
            if np.linalg.norm(target - eef) < 0.008:
                phase, hold = 2, 0
        elif phase == 2:  # close
            target, grip = eef, 1.0
            hold += 1
            if hold >= 10:
                phase = 3
        elif phase == 3:  # lift
            target, grip = cube + np.array([0, 0, 0.15]), 1.0
            if task == "Stack" and eef[2] > obs["cubeB_pos"][2] + 0.12:
                phase = 4
        elif phase == 4:  # over cubeB
            target, grip = obs["cubeB_pos"] + np.array([0, 0, 0.12]), 1.0
            if np.linalg.norm(target[:2] - eef[:2]) < 0.005:
                phase = 5
        elif phase == 5:  # lower onto cubeB
            target, grip = obs["cubeB_pos"] + np.array([0, 0, 0.052]), 1.0
            if np.linalg.norm(target - eef) < 0.006:
                phase, hold = 6, 0
        else:  # open and back off
            target, grip = obs["cubeB_pos"] + np.array([0, 0, 0.052 + 0.01 * max(0, hold - 6)]), -1.0
            hold += 1
        if phase < 2:
            target = target + rng.normal(0, 0.002, 3)
        dp = np.clip((target - eef) / 0.05, -1, 1)
        a = np.concatenate([dp, rot, [grip]])
        states.append(np.array(env.sim.get_state().flatten()))
        obs_rows.append({k: np.array(obs[k]) for k in OBS_KEYS[task]})
        actions.append(a)
        obs, _, _, _ = env.step(a)
        if success_at is None and env._check_success():
            success_at = t
        if success_at is not None and t >= success_at + 5:
            break
    return dict(xml=xml, states=np.array(states), actions=np.array(actions), obs=obs_rows, success_at=success_at)


def replay(env, ep):
    reset_to(env, ep["xml"], ep["states"][0])
    err, ok = 0.0, False
    for t, a in enumerate(ep["actions"]):
        err = max(err, float(np.max(np.abs(env.sim.get_state().flatten() - ep["states"][t]))))
        env.step(a)
        ok = ok or bool(env._check_success())
    return ok, err


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--demos", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--task", choices=sorted(OBS_KEYS), default="Lift")
    args = p.parse_args()
    np.random.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    env = robosuite.make(args.task, **env_kwargs())
    episodes = []
    attempts = 0
    while len(episodes) < args.demos and attempts < 5 * args.demos:
        attempts += 1
        ep = policy_episode(env, args.task, rng)
        print(f"attempt {attempts}: T={len(ep['actions'])} success at {ep['success_at']}")
        if ep["success_at"] is not None:
            episodes.append(ep)
    for i, ep in enumerate(episodes):
        ok, err = replay(env, ep)
        print(f"demo_{i}: robosuite 1.4 replay {'success' if ok else 'FAIL'}, max state diff {err:.3g}")
    kwargs = env_kwargs()
    env_args = dict(env_name=args.task, env_version=robosuite.__version__, type=1, env_kwargs=kwargs)
    with h5py.File(args.output, "w") as f:
        data = f.create_group("data")
        total = 0
        for i, ep in enumerate(episodes):
            g = data.create_group(f"demo_{i}")
            T = len(ep["actions"])
            g.attrs["num_samples"] = T
            g.attrs["model_file"] = scrub(ep["xml"])
            g.create_dataset("states", data=ep["states"])
            g.create_dataset("actions", data=ep["actions"])
            g.create_dataset("rewards", data=np.zeros(T))
            g.create_dataset("dones", data=np.zeros(T, dtype=np.int64))
            for key in ep["obs"][0]:
                g.create_dataset(f"obs/{key}", data=np.array([o[key] for o in ep["obs"]]))
            total += T
        data.attrs["total"] = total
        data.attrs["env_args"] = json.dumps(env_args)
        names = [f"demo_{i}" for i in range(len(episodes))]
        f.create_dataset("mask/train", data=np.array(names[1:], dtype="S"))
        f.create_dataset("mask/valid", data=np.array(names[:1], dtype="S"))
    print(f"wrote {args.output}: {len(episodes)} demos, {total} steps, {os.path.getsize(args.output) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
