#!/usr/bin/env python3
"""Capture the joint-position targets robosuite's WHOLE_BODY_IK computes for a GR1 dataset, as a
fixture Mimic's WholeBodyIKController is tested against, and measure how well robosuite's
controller tracks its targets.

Usage:
    python3 Demos/verify/ik_targets.py [FILE] [-o FIXTURE.json] [--demos N] [--samples K]
        [--hold-steps H] [--direct-load-check]

FILE defaults to Datasets/gr1_two_arm_lift.hdf5 (also: Tests/Fixtures/gr1_fixed_lower_body_two_arm_lift.hdf5);
the fixture defaults to Tests/Fixtures/ik_targets_<file stem>.json.

The env is built from data.attrs["env_args"] with robosuite_replay.py's make_env. Per demo it is
reset to the demo's model_file and states[0] as robomimic does (robosuite_replay.reset_to), then
every recorded action is given to env.step (a copy: WHOLE_BODY_IK writes world-frame positions
into the action array it is given). The IK solver of the robot's composite controller is wrapped,
so that on each control step it records, inside that env.step (after its sim.step1, before any
part controller runs):
  state     sim.get_state().flatten() the IK sees: [time, qpos, qvel, act]
  targets   the joint-position targets the solver returns (its q_des, in the order of its joint
            list: actuation_part_names' parts, e.g. torso, head, right arm, left arm)
  goal      the world-frame goal per site: the positions it wrote into the action, and the
            quaternion robosuite's float32 transform_utils.mat2quat gave (wxyz)
  targets_f64_goal, targets_eigh64_goal  the same solver, same state and action, run just
            before on copies of the action with only transform_utils.mat2quat replaced (it turns
            the world-frame goal matrix into the goal quaternion, in float32): by Shepperd's
            method in float64 (what Mimic does), and by mat2quat's own eigenvector method in float64.
After the step: tracking_pos / tracking_rot, the distance of each grip site (at the qpos the step
ends in) from the goal of that step, in m and rad.

Samples stored in the fixture: K control steps per demo, evenly spread over t = 1 .. T-1 of that
continuous replay (t = 0, the first step after the state load, is left out: there robosuite's
JOINT_POSITION part controllers still hold the kinematics of the reset configuration, which the
IK targets do not depend on but the torques of that step do). The state stored is the one the IK
saw, so Mimic, restoring it, runs the IK on the same kinematics; state_is_recorded says whether
it is bit for bit the dataset's states[t]. For each sample robosuite also runs the same control
step once more from that state restored as Mimic's SimWorld.restore restores it (mj_resetData:
no warm start; set the state; mj_forward), with its controllers left as they are (no reload, so
no reset-kinematics quirk): restored_site_pos_after / restored_site_quat_after are the grip
sites' poses after it, what Mimic's control step from the fixture's state should reproduce. The
replay's own data are put back after it, so the replay continues undisturbed (checked: the
number of its states equal to the recording is printed). The IK targets of that extra step must
equal the replay's, bit for bit (the IK reads only the sim's kinematics).

Printed, over every control step of every demo (not only the samples):
  - the goal orientation: the angle between robosuite's goal quaternion and the two float64 ones;
    the joint targets: the largest |difference| between targets and each reference, and between
    the two references (the part of the IK output the float32 goal orientation sets);
  - tracking: after each control step, the distance of each grip site from the goal commanded
    in that step (position, m; orientation, rad);
  - reachable targets (--hold-steps H > 0): per demo, from the replay's state at step t, the
    goal is set to poses the robot itself reached, the grip sites' recorded poses at
    states[t + 10], and held (the hands keep actions[t]) for H control steps; the largest
    distance over the two sites is printed after 1, 5 and H steps. t is 15 steps before the
    first recorded state in which a hand touches an object, so that the goals lie in free space
    (at least 1: in the Door files a hand touches the door from the first state on; T/3 if no
    hand ever touches one).

--direct-load-check: for each sample also loads states[t] directly (reset_to, no replay before it)
and checks the IK gives the same targets there (the solver keeps no state of its own between
steps; only the part controllers have the first-step quirk).
"""

import argparse
import json
import os
import sys

import h5py
import mujoco
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import robosuite_replay as rr  # noqa: E402
import robosuite.utils.ik_utils as ik_utils  # noqa: E402
from robosuite.utils import transform_utils as T  # noqa: E402

DEFAULT_FILE = "Datasets/gr1_two_arm_lift.hdf5"
STATS = (
    "goal angle vs shepperd",
    "goal angle vs eigh64",
    "targets vs f64_goal",
    "targets vs eigh64_goal",
    "f64_goal vs eigh64_goal",
)


def mat2quat_f64(rmat):
    """A rotation matrix's unit quaternion (xyzw, w >= 0, transform_utils.mat2quat's contract) in
    float64, by Shepperd's method: of 4w², 4x², 4y², 4z² (1 ± the diagonal entries) the largest
    gives its component by a square root, the off-diagonal sums and differences the other three.
    Mimic's Quaternion(rotationMatrix:) does the same, branch for branch; on a matrix that is
    orthonormal only to float32 precision (transform_utils.quat2mat's) the choice of method
    matters at that level, so the float64 reference follows Mimic's."""
    m = np.asarray(rmat, dtype=np.float64)[:3, :3]
    four = [1 + m[0, 0] + m[1, 1] + m[2, 2], 1 + m[0, 0] - m[1, 1] - m[2, 2], 1 - m[0, 0] + m[1, 1] - m[2, 2], 1 - m[0, 0] - m[1, 1] + m[2, 2]]
    i = max(range(4), key=lambda k: (four[k], -k))  # the first of equal largest, as Mimic's
    r = np.sqrt(four[i])
    f = 0.5 / r
    if i == 0:
        q = np.array([(m[2, 1] - m[1, 2]) * f, (m[0, 2] - m[2, 0]) * f, (m[1, 0] - m[0, 1]) * f, 0.5 * r])
    elif i == 1:
        q = np.array([0.5 * r, (m[0, 1] + m[1, 0]) * f, (m[0, 2] + m[2, 0]) * f, (m[2, 1] - m[1, 2]) * f])
    elif i == 2:
        q = np.array([(m[0, 1] + m[1, 0]) * f, 0.5 * r, (m[1, 2] + m[2, 1]) * f, (m[0, 2] - m[2, 0]) * f])
    else:
        q = np.array([(m[0, 2] + m[2, 0]) * f, (m[1, 2] + m[2, 1]) * f, 0.5 * r, (m[1, 0] - m[0, 1]) * f])
    if q[3] < 0:
        q = -q
    return q / np.linalg.norm(q)


def mat2quat_eigh64(rmat):
    """transform_utils.mat2quat's own method in float64 instead of float32: the quaternion is the
    eigenvector of the largest eigenvalue of the symmetric 4x4 matrix built from the rotation
    matrix's entries (Bar-Itzhack). Returns xyzw, w >= 0."""
    m = np.asarray(rmat, dtype=np.float64)[:3, :3]
    k = np.array(
        [
            [m[0, 0] - m[1, 1] - m[2, 2], m[0, 1] + m[1, 0], m[0, 2] + m[2, 0], m[2, 1] - m[1, 2]],
            [m[0, 1] + m[1, 0], m[1, 1] - m[0, 0] - m[2, 2], m[1, 2] + m[2, 1], m[0, 2] - m[2, 0]],
            [m[0, 2] + m[2, 0], m[1, 2] + m[2, 1], m[2, 2] - m[0, 0] - m[1, 1], m[1, 0] - m[0, 1]],
            [m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1], m[0, 0] + m[1, 1] + m[2, 2]],
        ]
    ) / 3.0
    w, v = np.linalg.eigh(k)
    q = v[:, int(np.argmax(w))]  # x, y, z, w
    return -q if q[3] < 0 else q


def quat_angle(a_wxyz, b_wxyz):
    """The angle of the rotation between two unit quaternions (wxyz), 2 atan2(|v|, |w|) of a conj(b)."""
    e = np.empty(4)
    mujoco.mju_mulQuat(e, np.asarray(a_wxyz, dtype=np.float64), np.array([b_wxyz[0], -b_wxyz[1], -b_wxyz[2], -b_wxyz[3]]))
    return 2.0 * float(np.arctan2(np.linalg.norm(e[1:]), abs(e[0])))


class IKProbe:
    """Wraps robosuite's IKSolver.solve (on the class: every reset_from_xml_string builds new
    controllers) and records each call the env's robot makes."""

    def __init__(self, env):
        if len(env.robots) != 1:
            raise SystemExit(f"ik_targets: {len(env.robots)} robots; a GR1 env has one")
        self.env = env
        self.last = None
        self.original = ik_utils.IKSolver.solve
        probe = self

        def solve(solver, target_action, *args, **kwargs):
            return probe._solve(solver, target_action, *args, **kwargs)

        ik_utils.IKSolver.solve = solve
        self.solver  # the env's controller is a WHOLE_BODY_IK

    @property
    def solver(self):
        controller = self.env.robots[0].composite_controller
        if getattr(controller, "name", None) != "WHOLE_BODY_IK":
            raise SystemExit(f"ik_targets: composite controller {getattr(controller, 'name', controller)}, not WHOLE_BODY_IK")
        return controller.joint_action_policy

    def sites(self):
        return list(self.solver.site_names)

    def _solve(self, s, target_action, *args, **kwargs):
        if s is not self.solver or s.full_model_data is not self.env.sim.data._data:
            raise SystemExit("ik_targets: an IK solver other than the env robot's, or on another MjData than the env's sim")
        state = self.env.sim.get_state().flatten()
        plain = T.mat2quat
        # robosuite's equations with a float64 goal orientation, on copies of the action
        references = {}
        for key, replacement in (("targets_f64_goal", mat2quat_f64), ("targets_eigh64_goal", mat2quat_eigh64)):
            T.mat2quat = replacement
            try:
                references[key] = np.array(self.original(s, np.array(target_action, dtype=np.float64, copy=True), *args, **kwargs), copy=True)
            finally:
                T.mat2quat = plain
        quats = []

        def recording(rmat):
            q = plain(rmat)
            quats.append(np.asarray(q, dtype=np.float64)[[3, 0, 1, 2]])
            return q

        T.mat2quat = recording
        try:
            targets = self.original(s, target_action, *args, **kwargs)
        finally:
            T.mat2quat = plain
        n = len(s.site_names)
        if len(quats) != n:
            raise SystemExit(f"ik_targets: mat2quat called {len(quats)} times for {n} sites (input frame not base?)")
        world_pos = np.array(np.asarray(target_action).reshape(n, -1)[:, :3], copy=True)
        self.last = dict(
            state=state,
            targets=np.array(targets, copy=True),
            **references,
            goal_pos=world_pos,
            goal_quat=np.array(quats),
        )
        return targets


_scratch = {}


def site_poses(env, sites):
    """World poses (position, wxyz) of the sites at the sim's current qpos. After env.step the
    sim's own site_xpos / site_xmat are those of the last physics step's mj_step1, one
    integration behind qpos; they are recomputed here with mj_kinematics on a scratch MjData, so
    the sim itself (its warm start included) is left untouched."""
    m = env.sim.model._model
    d = _scratch.get(id(m))
    if d is None or d[0] is not m:
        d = _scratch[id(m)] = (m, mujoco.MjData(m))
    data = d[1]
    data.qpos[:] = env.sim.data._data.qpos
    mujoco.mj_kinematics(m, data)
    out = []
    for name in sites:
        q = np.empty(4)
        mujoco.mju_mat2Quat(q, data.site(name).xmat)
        out.append((np.array(data.site(name).xpos, copy=True), q))
    return out


def tracking_errors(env, sites, goal_pos, goal_quat):
    """Per site: (position distance, orientation angle) of the grip site from the goal."""
    return [
        (float(np.linalg.norm(p - goal_pos[k])), quat_angle(goal_quat[k], q)) for k, (p, q) in enumerate(site_poses(env, sites))
    ]


def sample_steps(T_, k):
    if T_ < 2 or k <= 0:
        return []
    return sorted({int(round(x)) for x in np.linspace(1, T_ - 1, k)})


def replay_demo(env, probe, model_xml, states, actions, picks):
    """Continuous replay from states[0]; returns (samples, per-step stats)."""
    rr.reset_to(env, model_xml, states[0])
    sites = probe.sites()
    samples, track = [], []
    stats = {k: [] for k in STATS}
    exact = 0
    for t in range(len(actions)):
        state = env.sim.get_state().flatten()
        exact += bool(np.array_equal(state, states[t]))
        restored = None
        if t in picks:
            restored = step_from_restored_state(env, probe, state, actions[t])
        action = np.array(actions[t], dtype=np.float64, copy=True)
        probe.last = None
        env.step(action)
        rec = probe.last
        if rec is None:
            raise SystemExit("ik_targets: env.step did not call the IK solver")
        base = env.sim.model._model.body("robot0_base")
        rb = np.empty(9)
        mujoco.mju_quat2Mat(rb, base.quat)
        for k in range(len(sites)):
            # the goal orientation in float64: the base frame's rotation (identity in the GR1
            # scenes, which robosuite's float32 quat2mat keeps exact) times the action's rotation
            # as robosuite's float32 quat2mat gives it, turned into a quaternion both ways
            r = rb.reshape(3, 3) @ T.quat2mat(T.axisangle2quat(np.asarray(actions[t], dtype=np.float64)[6 * k + 3 : 6 * k + 6]))
            for key, convert in (("shepperd", mat2quat_f64), ("eigh64", mat2quat_eigh64)):
                stats[f"goal angle vs {key}"].append(quat_angle(rec["goal_quat"][k], convert(r)[[3, 0, 1, 2]]))
        stats["targets vs f64_goal"].append(float(np.abs(rec["targets"] - rec["targets_f64_goal"]).max()))
        stats["targets vs eigh64_goal"].append(float(np.abs(rec["targets"] - rec["targets_eigh64_goal"]).max()))
        stats["f64_goal vs eigh64_goal"].append(float(np.abs(rec["targets_f64_goal"] - rec["targets_eigh64_goal"]).max()))
        errors = tracking_errors(env, sites, rec["goal_pos"], rec["goal_quat"])
        if t >= 1:
            track.append(errors)
        if t in picks:
            after = site_poses(env, sites)
            restored_gap = max(
                max(float(np.abs(p - rp).max()), quat_angle(q, rq)) for (p, q), (rp, rq) in zip(after, restored["after"])
            )
            if not np.array_equal(restored["targets"], rec["targets"]):
                raise SystemExit(f"ik_targets: t={t}: the IK's targets from the restored state differ from the replay's")
            samples.append(
                dict(
                    t=t,
                    state_is_recorded=bool(np.array_equal(rec["state"], states[t])),
                    state=rec["state"].tolist(),
                    action=np.asarray(actions[t], dtype=np.float64).tolist(),
                    targets=rec["targets"].tolist(),
                    targets_f64_goal=rec["targets_f64_goal"].tolist(),
                    targets_eigh64_goal=rec["targets_eigh64_goal"].tolist(),
                    goal_pos=rec["goal_pos"].ravel().tolist(),
                    goal_quat=rec["goal_quat"].ravel().tolist(),
                    tracking_pos=[e[0] for e in errors],
                    tracking_rot=[e[1] for e in errors],
                    restored_site_pos_after=np.concatenate([p for p, _ in restored["after"]]).tolist(),
                    restored_site_quat_after=np.concatenate([q for _, q in restored["after"]]).tolist(),
                    restored_vs_continuous_after=restored_gap,
                )
            )
    return samples, stats, track, exact


def step_from_restored_state(env, probe, state, action):
    """One control step of robosuite from `state` restored the way Mimic's SimWorld.restore and
    robomimic's reset_to restore it (sim.reset(): zero warm start and controls; set the state;
    sim.forward()), with the controllers built for the loaded model left as they are (no
    reset_from_xml_string, so no reset-kinematics quirk). Then puts back the continuous replay's
    data (state, warm start, controls) so that its next step is undisturbed."""
    d = env.sim.data._data
    warmstart, ctrl = np.array(d.qacc_warmstart, copy=True), np.array(d.ctrl, copy=True)
    env.sim.reset()
    env.sim.set_state_from_flattened(state)
    env.sim.forward()
    probe.last = None
    env.step(np.array(action, dtype=np.float64, copy=True))
    out = dict(targets=np.array(probe.last["targets"], copy=True), after=site_poses(env, probe.sites()))
    env.sim.reset()
    env.sim.set_state_from_flattened(state)
    env.sim.forward()  # (mj_forward also overwrites the warm start)
    d.qacc_warmstart[:] = warmstart
    d.ctrl[:] = ctrl
    return out


def first_hand_contact(env, model_xml, states):
    """The first recorded state in which a hand (geoms gripper0_*) touches something not the robot's."""
    rr.reset_to(env, model_xml, states[0])
    m, d = env.sim.model._model, env.sim.data._data
    for t in range(len(states)):
        env.sim.set_state_from_flattened(states[t])
        env.sim.forward()
        for c in d.contact[: d.ncon]:
            a, b = m.geom(c.geom1).name, m.geom(c.geom2).name
            if (a.startswith("gripper0_") and not b.startswith(("robot0_", "gripper0_"))) or (
                b.startswith("gripper0_") and not a.startswith(("robot0_", "gripper0_"))
            ):
                return t
    return None


def hold_reachable(env, probe, model_xml, states, actions, hold_steps, lead=10, margin=5):
    """Hold the grip-site poses recorded at states[t + lead] from the replay's state at t, with
    t + lead + margin the first state in which a hand touches an object (so the held poses are
    ones the robot reached in free space; t at least 1), or t = T/3 when the hands never touch one."""
    T_ = len(actions)
    contact = first_hand_contact(env, model_xml, states)
    t = max(1, contact - lead - margin) if contact is not None else T_ // 3
    if t + lead >= len(states):
        return None
    sites = probe.sites()
    # the poses the robot reached, in the frame of robot0_base
    env.sim.set_state_from_flattened(states[t + lead])
    env.sim.forward()
    d = env.sim.data._data
    base_pos = np.array(d.body("robot0_base").xpos)
    base_mat = np.array(d.body("robot0_base").xmat).reshape(3, 3)
    goal = np.array(actions[t], dtype=np.float64, copy=True)
    for k, name in enumerate(sites):
        p = base_mat.T @ (np.array(d.site(name).xpos) - base_pos)
        r = base_mat.T @ np.array(d.site(name).xmat).reshape(3, 3)
        aa = np.empty(3)
        q = mat2quat_f64(r)[[3, 0, 1, 2]]
        mujoco.mju_quat2Vel(aa, q, 1.0)
        goal[6 * k : 6 * k + 3] = p
        goal[6 * k + 3 : 6 * k + 6] = aa
    rr.reset_to(env, model_xml, states[0])
    for s in range(t):
        env.step(np.array(actions[s], dtype=np.float64, copy=True))
    out = {}
    for h in range(1, hold_steps + 1):
        env.step(np.array(goal, copy=True))
        rec = probe.last
        if h in (1, 5, hold_steps):
            errors = tracking_errors(env, sites, rec["goal_pos"], rec["goal_quat"])
            out[h] = (max(e[0] for e in errors), max(e[1] for e in errors))
    return t, contact, out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", default=DEFAULT_FILE)
    p.add_argument("-o", "--out", help="fixture path (default Tests/Fixtures/ik_targets_<stem>.json)")
    p.add_argument("--demos", type=int, default=None, metavar="N", help="only the first N demos")
    p.add_argument("--samples", type=int, default=5, metavar="K", help="control steps per demo stored in the fixture (default 5)")
    p.add_argument("--hold-steps", type=int, default=20, metavar="H", help="control steps a reachable goal is held (0: skip)")
    p.add_argument("--direct-load-check", action="store_true")
    args = p.parse_args()
    stem = os.path.splitext(os.path.basename(args.file))[0]
    out_path = args.out or os.path.join("Tests", "Fixtures", f"ik_targets_{stem}.json")

    with h5py.File(args.file, "r") as f:
        env_args = json.loads(rr.text_attr(f["data"].attrs["env_args"]))
        names = rr.select_demos(f, None, args.demos)
        env = rr.make_env(env_args)
        probe = IKProbe(env)
        print(f"{args.file}: {env_args['env_name']}, {env_args['env_kwargs']['robots']}, IK joints {len(probe.solver.joint_names)}, {len(names)} demos")
        fixture = dict(
            dataset=stem,
            robosuite=rr.robosuite.__version__,
            mujoco=mujoco.__version__,
            sites=probe.sites(),
            joints=list(probe.solver.joint_names),
            demos=[],
        )
        all_stats, all_track, holds = {k: [] for k in STATS}, [], []
        all_exact, restored_gap = 0, 0.0
        direct_max = 0.0
        for index, name in enumerate(names):
            g = f["data"][name]
            states = np.asarray(g["states"][()], dtype=np.float64)
            actions = np.asarray(g["actions"][()], dtype=np.float64)
            model_xml = rr.text_attr(g.attrs["model_file"])
            picks = set(sample_steps(len(actions), args.samples))
            samples, stats, track, exact = replay_demo(env, probe, model_xml, states, actions, picks)
            all_exact += exact
            restored_gap = max([restored_gap] + [s["restored_vs_continuous_after"] for s in samples])
            for k in STATS:
                all_stats[k] += stats[k]
            all_track += track
            fixture["demos"].append(dict(name=name, index=index, samples=samples))
            if args.direct_load_check:
                for s in samples:
                    rr.reset_to(env, model_xml, states[s["t"]])
                    env.step(np.array(actions[s["t"]], dtype=np.float64, copy=True))
                    direct_max = max(direct_max, float(np.abs(probe.last["targets"] - np.array(s["targets"])).max()))
            if args.hold_steps > 0:
                held = hold_reachable(env, probe, model_xml, states, actions, args.hold_steps)
                if held is not None:
                    holds.append((name, *held))

    with open(out_path, "w") as fh:
        json.dump(fixture, fh, separators=(",", ":"))
        fh.write("\n")
    n_samples = sum(len(d["samples"]) for d in fixture["demos"])
    recorded = sum(s["state_is_recorded"] for d in fixture["demos"] for s in d["samples"])
    print(f"wrote {out_path}: {n_samples} samples ({recorded} with state == states[t]), {os.path.getsize(out_path)} bytes")
    print(f"control steps: {len(all_track) + len(names)}, {all_exact} of them from a state == the recorded states[t]")
    for k in STATS:
        unit = "rad (angle)" if k.startswith("goal") else "rad (max |diff| over the IK joints)"
        print(f"{k}: max {max(all_stats[k]):.3g}, median {np.median(all_stats[k]):.3g} {unit}")
    print(f"grip sites after a control step from the restored state vs the continuous replay: max {restored_gap:.3g} (m or rad)")
    if args.direct_load_check:
        print(f"direct load of states[t] vs continuous replay: max |targets diff| {direct_max:.3g}")
    pos = np.array([e[0] for errs in all_track for e in errs])
    rot = np.array([e[1] for errs in all_track for e in errs])
    print(
        "tracking after each control step t >= 1 (site vs goal of that step): "
        f"position median {np.median(pos) * 1e3:.3g} mm, p95 {np.percentile(pos, 95) * 1e3:.3g} mm, max {pos.max() * 1e3:.3g} mm; "
        f"orientation median {np.median(rot):.3g} rad, p95 {np.percentile(rot, 95):.3g}, max {rot.max():.3g}"
    )
    for name, t, contact, out in holds:
        steps = ", ".join(f"after {h}: {e[0] * 1e3:.3g} mm / {e[1]:.3g} rad" for h, e in sorted(out.items()))
        print(f"reachable goal held from t={t} ({name}, poses of states[t+10], first hand contact at {contact}): {steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
