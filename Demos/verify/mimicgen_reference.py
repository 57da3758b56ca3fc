#!/usr/bin/env python3
"""Reference datagen_info computed with the real robosuite simulator, the way MimicGen's
prepare_src_dataset does it, to check `mimic prepare` against.

Usage:
    python3 Demos/verify/mimicgen_reference.py SOURCE.hdf5 -o REF.hdf5

For each demo: build the env from the file's env_args (renderers off), reset it to the demo's
model_file, and for every step t load the flattened state states[t] (the state before action t)
and read, from the simulator:

  eef_pose        worldFromSite of the arm controller's reference site (robosuite 1.5:
                  composite_controller.part_controllers["right"].ref_name; checked to be the
                  gripper's important_sites["grip_site"]) from sim.data.site_xpos / site_xmat.
  target_pose     MimicGen's action_to_target_pose: pos + action[0:3] * output_max[0],
                  R(axisangle(action[3:6] * output_max[3])) @ rot; the deltas taken in the world
                  frame, as MimicGen's robosuite interface does.
  target_pose_base  (extra) the target the robosuite 1.5 controller really aims at when
                  input_ref_frame is "base": the deltas rotated by the controller origin
                  (site robot<K>_right_center) into the world. Equals target_pose when the
                  robot base is not rotated.
                  Self-check: for every step the robot's real composite controller is given the
                  action (update_state + set_goal, no physics step) and its goal, mapped to the
                  world through the controller origin, is compared with target_pose_base; the
                  largest difference is printed.
  gripper_action  the gripper part of the action (robot k's "right_gripper" slice).
  object_poses/<o>  worldFromBody of the task object's root body (body_xpos / body_xmat).
  subtask_term_signals/grasp (one robot) or grasp_robot<K> (several):
                  env._check_grasp(gripper=robot.gripper, object_geoms=<object>.contact_geoms),
                  robosuite's contact test (both finger pads touching the object).

The output holds only data/<demo>/datagen_info plus num_samples (and data attrs total, env_args).
One robot: MimicGen's flat layout (eef_pose, target_pose, gripper_action). Several robots:
eef_pose/robot<K>, target_pose/robot<K>, gripper_action/robot<K>.
"""

import argparse
import json
import sys
import time

import h5py
import numpy as np

import robosuite


def axisangle_to_matrix(v):
    """Rodrigues: rotation matrix of the axis-angle vector v (angle = |v|)."""
    v = np.asarray(v, dtype=np.float64)
    angle = np.linalg.norm(v)
    if angle < 1e-15:
        return np.eye(3)
    k = v / angle
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + np.sin(angle) * K + (1.0 - np.cos(angle)) * (K @ K)


def make_pose(pos, rot):
    m = np.eye(4)
    m[:3, :3] = rot
    m[:3, 3] = pos
    return m


def demo_names(data_group):
    names = [k for k in data_group.keys() if k.startswith("demo_")]
    return sorted(names, key=lambda n: int(n.split("_")[1]))


def make_env(env_args):
    kwargs = dict(env_args["env_kwargs"])
    kwargs.update(has_renderer=False, has_offscreen_renderer=False, use_camera_obs=False)
    kwargs.pop("camera_names", None)
    return robosuite.make(env_args["env_name"], **kwargs)


def reset_to(env, model_xml, state):
    """What robomimic's EnvRobosuite.reset_to does with {"model": ..., "states": ...}."""
    env.reset()
    env.reset_from_xml_string(env.edit_model_xml(model_xml))
    env.sim.reset()
    env.sim.set_state_from_flattened(state)
    env.sim.forward()


def task_objects(env):
    """(name, MujocoObject) of the task's objects, named as the env's observations name them."""
    name = env.__class__.__name__
    if name == "Lift":
        return [("cube", env.cube)]
    if name.startswith("PickPlace"):
        # single-object variants keep only env.objects[env.object_id]; obs keys are "<obj.name>_pos"
        if getattr(env, "single_object_mode", 0) in (1, 2):
            obj = env.objects[env.object_id]
            return [(obj.name, obj)]
        return [(o.name, o) for o in env.objects]
    if name == "TwoArmHandover":
        return [("hammer", env.hammer)]
    if hasattr(env, "cube"):
        return [("cube", env.cube)]
    raise SystemExit(f"mimicgen_reference: no object table for env {name}")


class RobotReader:
    """Reads robot k's controller site, controller origin, action slices and gripper."""

    def __init__(self, env, k, action_offset):
        self.env = env
        self.robot = env.robots[k]
        cc = self.robot.composite_controller
        self.ctrl = cc.part_controllers["right"]
        self.site_name = self.ctrl.ref_name
        grip_site = self.robot.gripper["right"].important_sites["grip_site"]
        if grip_site != self.site_name:
            raise SystemExit(f"robot {k}: controller ref site {self.site_name} != grip site {grip_site}")
        self.site_id = env.sim.model.site_name2id(self.site_name)
        self.center_id = env.sim.model.site_name2id(f"{self.robot.robot_model.naming_prefix}right_center")
        split = cc._action_split_indexes
        a0, a1 = split["right"]
        g0, g1 = split["right_gripper"]
        self.robot_cols = slice(action_offset, action_offset + self.robot.action_dim)
        self.arm_cols = slice(action_offset + a0, action_offset + a1)
        self.grip_cols = slice(action_offset + g0, action_offset + g1)
        self.output_max = np.array(self.ctrl.output_max, dtype=np.float64)
        self.input_ref_frame = getattr(self.ctrl, "input_ref_frame", "world")
        self.gripper = self.robot.gripper  # dict {"right": GripperModel}; _check_grasp accepts it

    def eef(self):
        d = self.env.sim.data
        return np.array(d.site_xpos[self.site_id]), np.array(d.site_xmat[self.site_id]).reshape(3, 3)

    def origin_rot(self):
        return np.array(self.env.sim.data.site_xmat[self.center_id]).reshape(3, 3)

    def controller_goal(self, action):
        """World pose the robot's own OSC controller aims at after set_goal(action) at this state."""
        cc = self.robot.composite_controller
        cc.update_state()
        # the controller caches robot state until its next run_controller; refresh it for this state
        for part in cc.part_controllers.values():
            part.update(force=True)
        cc.set_goal(np.asarray(action[self.robot_cols], dtype=np.float64))
        c = self.ctrl
        if self.input_ref_frame == "base":
            return make_pose(c.origin_pos + c.origin_ori @ c.goal_pos, c.origin_ori @ c.goal_ori)
        return make_pose(np.array(c.goal_pos), np.array(c.goal_ori))

    def targets(self, action, pos, rot):
        a = np.asarray(action[self.arm_cols], dtype=np.float64)
        # MimicGen: scalar output_max[0] for position and output_max[3] for rotation, world frame.
        dpos = a[0:3] * self.output_max[0]
        drot = a[3:6] * self.output_max[3]
        mg = make_pose(pos + dpos, axisangle_to_matrix(drot) @ rot)
        # robosuite 1.5 OSC with input_ref_frame "base": deltas are in the controller origin frame.
        O = self.origin_rot() if self.input_ref_frame == "base" else np.eye(3)
        base = make_pose(pos + O @ dpos, axisangle_to_matrix(O @ drot) @ rot)
        return mg, base


def reference_for_demo(env, demo, multi, check):
    model_xml = demo.attrs["model_file"]
    if isinstance(model_xml, bytes):
        model_xml = model_xml.decode()
    states = demo["states"][()]
    actions = demo["actions"][()]
    T = len(actions)
    reset_to(env, model_xml, states[0])

    # robots and objects must be looked up after the reset (ids change with the model)
    readers, off = [], 0
    for k, r in enumerate(env.robots):
        readers.append(RobotReader(env, k, off))
        off += r.action_dim
    if off != actions.shape[1]:
        raise SystemExit(f"action width {actions.shape[1]} != robots' action_dim sum {off}")
    objects = task_objects(env)
    obj_ids = [(n, env.sim.model.body_name2id(o.root_body), o) for n, o in objects]

    n = len(readers)
    eef = np.zeros((n, T, 4, 4))
    tgt = np.zeros((n, T, 4, 4))
    tgt_base = np.zeros((n, T, 4, 4))
    grip = [np.zeros((T, r.grip_cols.stop - r.grip_cols.start)) for r in readers]
    grasp = np.zeros((n, T), dtype=np.int64)
    objs = {name: np.zeros((T, 4, 4)) for name, _, _ in obj_ids}

    for t in range(T):
        env.sim.set_state_from_flattened(states[t])
        env.sim.forward()
        for k, r in enumerate(readers):
            pos, rot = r.eef()
            eef[k, t] = make_pose(pos, rot)
            tgt[k, t], tgt_base[k, t] = r.targets(actions[t], pos, rot)
            goal = r.controller_goal(actions[t])
            check[0] = max(check[0], float(np.abs(goal[:3, 3] - tgt_base[k, t][:3, 3]).max()))
            check[1] = max(check[1], float(np.abs(goal[:3, :3] - tgt_base[k, t][:3, :3]).max()))
            grip[k][t] = actions[t, r.grip_cols]
            # one object per task here; for several objects the grasp is on the first
            grasp[k, t] = int(env._check_grasp(gripper=r.gripper, object_geoms=obj_ids[0][2].contact_geoms))
        d = env.sim.data
        for name, bid, _ in obj_ids:
            objs[name][t] = make_pose(np.array(d.body_xpos[bid]), np.array(d.body_xmat[bid]).reshape(3, 3))

    out = {}
    if not multi:
        out["eef_pose"], out["target_pose"], out["target_pose_base"] = eef[0], tgt[0], tgt_base[0]
        out["gripper_action"] = grip[0]
        out["subtask_term_signals/grasp"] = grasp[0]
    else:
        for k in range(n):
            name = f"robot{k}"
            out[f"eef_pose/{name}"] = eef[k]
            out[f"target_pose/{name}"] = tgt[k]
            out[f"target_pose_base/{name}"] = tgt_base[k]
            out[f"gripper_action/{name}"] = grip[k]
            out[f"subtask_term_signals/grasp_{name}"] = grasp[k]
    for name, m in objs.items():
        out[f"object_poses/{name}"] = m
    return out, T


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()

    t0 = time.time()
    with h5py.File(args.source, "r") as src, h5py.File(args.output, "w") as dst:
        env_args = json.loads(src["data"].attrs["env_args"])
        if env_args.get("type", 1) != 1:
            raise SystemExit("mimicgen_reference: only robosuite (env_args type 1) files")
        env = make_env(env_args)
        multi = len(env.robots) > 1
        data = dst.create_group("data")
        data.attrs["env_args"] = src["data"].attrs["env_args"]
        total = 0
        check = [0.0, 0.0]
        names = demo_names(src["data"])
        for name in names:
            info, T = reference_for_demo(env, src["data"][name], multi, check)
            g = data.create_group(name)
            g.attrs["num_samples"] = T
            di = g.create_group("datagen_info")
            di.attrs["env_interface_name"] = "reference_" + env_args["env_name"]
            di.attrs["env_interface_type"] = "robosuite"
            for k, v in info.items():
                di.create_dataset(k, data=v)
            total += T
        data.attrs["total"] = total
        env.close()
    print(f"self-check: robosuite controller goal vs target_pose_base: max |dpos| {check[0]:.2e} m, "
          f"max |dR| {check[1]:.2e} (matrix entries)")
    print(f"reference datagen_info for {len(names)} demos ({total} samples) -> {args.output} in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
