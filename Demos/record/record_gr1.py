#!/usr/bin/env python3
"""Record small, real robosuite 1.5.2 source datasets with the Fourier GR1 humanoid.

Usage:
    python3 Demos/record/record_gr1.py --task TwoArmLift --demos 6 --seed 0 -o Datasets/gr1_two_arm_lift.hdf5
    python3 Demos/record/record_gr1.py --task Lift --demos 8 --seed 0 --no-next-obs -o Datasets/gr1_lift.hdf5

Tasks: TwoArmLift, TwoArmHandover and Door, and Lift: robosuite's own Lift (its default cube and
placement, table length 0.14) with the right hand alone; the left hand stays at its start pose.

Robot: robosuite's `GR1ArmsOnly` (two 7-joint arms, fixed torso, robosuite's default Fourier hands)
with its default composite controller `WHOLE_BODY_IK` (robosuite's default_gr1.json). An action is
24-D: right grip-site pose [pos 3, axis-angle 3], left grip-site pose [pos 3, axis-angle 3], both
absolute and in the robot base frame, then the right hand's 6 finger commands and the left hand's
6 (finger joint targets in radians).

What it does, in order:
  1. Builds the env (no renderer, no cameras, 20 Hz) and wraps it in robosuite's own
     DataCollectionWrapper. Between the two sits `CopyingStep`: WHOLE_BODY_IK rewrites the position
     parts of the action array it is given into world-frame positions, in place, and the wrapper
     stores the array after the step; the copy keeps the stored action the one that was commanded.
  2. Drives it with a scripted teleoperator (`Operator`): the operator's hand targets follow
     minimum-jerk moves between waypoints, with durations from a drawn hand speed, random pauses,
     random hover heights and approach offsets, a small band-limited tremor (AR(1) noise, 1-2 mm
     and ~0.3 deg), and a visual correction that nudges the target while the hand sits off where
     the operator wants it (the IK's posture term leaves hands a few cm short near the body).
     Fingers move one after another over a few steps; the thumb turns under the palm on the way
     to a grasp. The operator picks grasps it can reach (and declines a scene when none is: such
     attempts are counted but nothing is recorded; in Lift it declines every cube less than 1.5 cm
     right of the robot's midline, three scenes in four, and there it also turns its hand target
     further while the hand's orientation lags, as the IK trades orientation for position at the
     edge of the reach). Attempt k seeds robosuite's model rebuild with default_rng([seed, k, 0])
     and the operator with default_rng([seed, k, 1]); robosuite's object sampler keeps the
     generator it was first built with, so scenes depend on the seed and on the attempts before
     them: a whole run is reproducible from its seed.
  3. Keeps the successful episodes (stopping 10-15 steps after the first success; TwoArmLift also
     needs robosuite's _check_grasp true for each hand on its own handle and the pot within 25 deg
     of level when success first holds; Lift needs robosuite's _check_grasp true for the right hand
     on the cube and no left-hand contact when success first holds, and the cube still held and
     lifted at the last step) and converts them to the robomimic layout as
     Demos/record/record.py does for the Panda datasets (states before each action, obs rebuilt
     from states, next_obs, rewards, dones, masks, env_args with every kwarg passed to
     robosuite.make); datasets are gzip-compressed to keep the files small.
  4. Verifies: every states row reproduces its obs in a second env, and each demo's actions
     replayed open loop from its first state in a third env succeed (rate printed).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np
from scipy.spatial.transform import Rotation

import robosuite
from robosuite.controllers import load_composite_controller_config
from robosuite.wrappers import DataCollectionWrapper
from robosuite.wrappers.wrapper import Wrapper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import record as common  # noqa: E402  (the Panda recorder: conversion, verification, writing)

SITES = {"right": "gripper0_right_grip_site", "left": "gripper0_left_grip_site"}
SHOULDERS = {"right": "robot0_r_shoulder_site", "left": "robot0_l_shoulder_site"}

# Per-task settings. Table sizes bring the objects within the GR1's reach: robosuite puts the
# GR1ArmsOnly base at x = -0.15 - table_length / 2, z = 0.95 (shoulders at z = 1.31), and the
# tables' tops stay at z = 0.8 whatever their size.
TASKS = {
    "TwoArmLift": dict(
        env_name="TwoArmLift",
        max_steps=260,
        kwargs=dict(env_configuration="single-robot", table_full_size=(0.4, 0.8, 0.05)),
    ),
    "Door": dict(
        env_name="Door",
        max_steps=260,
        kwargs=dict(use_latch=False),
    ),
    "TwoArmHandover": dict(
        env_name="TwoArmHandover",
        max_steps=400,
        kwargs=dict(env_configuration="single-robot", table_full_size=(0.2, 0.6, 0.05)),
    ),
    # Lift's cube stays within 3 cm of the table centre, on the robot's midline (y = 0), whatever the
    # table size; the short table brings the base to x = -0.22, as close as the cube allows (its
    # placement reaches x = -0.061 with a corner out, the table edge is at -0.07). Most scenes are
    # declined all the same (the right hand reaches cubes right of the midline only), hence 12
    # attempts a demo.
    "Lift": dict(
        env_name="Lift",
        max_steps=200,
        attempts_per_demo=12,
        kwargs=dict(table_full_size=(0.14, 0.8, 0.05)),
    ),
}


# The robot (--robot). GR1FixedLowerBody's own default controller, WHOLE_BODY_MINK_IK, needs the
# mink QP solver, which robosuite does not install; it gets default_gr1.json's WHOLE_BODY_IK, whose
# IK then moves the torso and head too.
ROBOT = "GR1ArmsOnly"
# --success-only: keep every episode robosuite calls successful, without the task's grasp checks.
SUCCESS_ONLY = False


def make_env_kwargs(task):
    """Everything passed to robosuite.make except the env name and seed; stored in env_args."""
    kwargs = dict(
        robots=ROBOT,
        controller_configs=load_composite_controller_config(robot="GR1ArmsOnly" if ROBOT == "GR1ArmsOnly" else "GR1"),
        **common.PLAYBACK_KWARGS,
    )
    kwargs.update(TASKS[task]["kwargs"])
    return kwargs


def make_env(task, seed=None):
    return robosuite.make(TASKS[task]["env_name"], seed=seed, **make_env_kwargs(task))


class CopyingStep(Wrapper):
    """Hands env.step a copy of the action (WHOLE_BODY_IK rewrites its input array in place)."""

    def step(self, action):
        return self.env.step(np.array(action, dtype=np.float64, copy=True))


# ----------------------------------------------------------------------------------------------
# Geometry helpers
# ----------------------------------------------------------------------------------------------

# Where a bar sits when the Fourier hand closes around it, in the grip-site frame. The grip site is
# at the wrist; the fingers extend along -y and the palm faces +z for both hands; the right hand's
# thumb sits on the -x side, the left hand's (mirrored) on the +x side (measured from the finger
# collision geoms of an open and a closed hand).
GRASP_IN_SITE = {"right": np.array([-0.01, -0.095, 0.03]), "left": np.array([0.01, -0.095, 0.03])}


def hand_rotation(yaw, pitch, roll=0.0):
    """Grip-site orientation of a palm-down hand whose fingers point along heading `yaw` (world),
    pitched down by `pitch` (rad), rolled about the finger axis by `roll`."""
    h = np.array([np.cos(yaw), np.sin(yaw), 0.0])
    f = np.cos(pitch) * h + np.array([0.0, 0.0, -np.sin(pitch)])  # finger direction
    n = -np.sin(pitch) * h + np.array([0.0, 0.0, -np.cos(pitch)])  # palm normal
    y, z = -f, n
    x = np.cross(y, z)
    R = np.column_stack([x, y, z])
    if roll:
        R = Rotation.from_rotvec(f * roll).as_matrix() @ R
    return R


# For an object lying on the table the fingers cannot wrap under it: it has to sit further from the
# palm, where the finger tips and the thumb tip meet when they close.
PINCH_IN_SITE = {"right": np.array([-0.01, -0.085, 0.05]), "left": np.array([0.01, -0.085, 0.05])}


def wrist_for_grasp(point, R, side, offset=GRASP_IN_SITE):
    """Grip-site position that puts `point` inside the closed hand of orientation R."""
    return np.asarray(point) - R @ offset[side]


def min_jerk(s):
    s = np.clip(s, 0.0, 1.0)
    return s * s * s * (10.0 - 15.0 * s + 6.0 * s * s)


# ----------------------------------------------------------------------------------------------
# The scripted teleoperator
# ----------------------------------------------------------------------------------------------


class Hand:
    """One operator hand: its intended pose (world), visual correction, tremor and finger command."""

    def __init__(self, env, side, rng):
        self.env, self.side, self.rng = env, side, rng
        self.sid = env.sim.model.site_name2id(SITES[side])
        self.pos = self.achieved_pos.copy()
        self.rot = self.achieved_rot.copy()
        self.corr = np.zeros(3)
        self.tremor = np.zeros(3)
        self.tremor_rot = np.zeros(3)
        self.fingers = np.zeros(6)
        self.finger_goal = np.zeros(6)
        self.finger_rate = np.full(6, 0.25)
        self.finger_delay = np.zeros(6, dtype=int)
        # operator's tremor: AR(1) low-pass noise, a few mm
        self.tremor_scale = rng.uniform(0.0008, 0.0018)
        # Opt-in visual correction of the hand's turn (Lift only): near the edge of the arm's reach
        # the IK trades orientation for position, and the operator turns the target further.
        self.turn_correction = False
        self.rot_corr = np.zeros(3)

    @property
    def achieved_pos(self):
        return np.array(self.env.sim.data.site_xpos[self.sid])

    @property
    def achieved_rot(self):
        return np.array(self.env.sim.data.site_xmat[self.sid]).reshape(3, 3)

    def set_fingers(self, goal, steps_range=(5, 10), stagger=3):
        """Move the finger commands to `goal`, each finger over a few steps, one after another."""
        goal = np.asarray(goal, dtype=float)
        steps = self.rng.integers(*steps_range, size=6)
        self.finger_rate = np.abs(goal - self.fingers) / np.maximum(steps, 1)
        self.finger_delay = self.rng.integers(0, stagger + 1, size=6)
        self.finger_goal = goal

    def tick(self, correcting):
        a = 0.8
        self.tremor = a * self.tremor + np.sqrt(1 - a * a) * self.rng.normal(0.0, self.tremor_scale, 3)
        self.tremor_rot = a * self.tremor_rot + np.sqrt(1 - a * a) * self.rng.normal(0.0, 0.006, 3)
        if correcting:
            err = self.pos - self.achieved_pos
            self.corr = np.clip(self.corr + 0.2 * err, -0.08, 0.08)
            if self.turn_correction:
                rot_err = Rotation.from_matrix(self.rot @ self.achieved_rot.T).as_rotvec()
                self.rot_corr = self.rot_corr + 0.2 * rot_err
                n = np.linalg.norm(self.rot_corr)
                if n > np.radians(25.0):
                    self.rot_corr *= np.radians(25.0) / n
        for i in range(6):
            if self.finger_delay[i] > 0:
                self.finger_delay[i] -= 1
                continue
            d = self.finger_goal[i] - self.fingers[i]
            self.fingers[i] += np.clip(d, -self.finger_rate[i], self.finger_rate[i])

    def command(self, base_pos, base_rot):
        """Absolute grip-site target in the base frame: [pos, axis-angle], and the finger command."""
        p = self.pos + self.corr + self.tremor
        R = self.rot
        if self.turn_correction:
            R = Rotation.from_rotvec(self.rot_corr).as_matrix() @ R
        R = Rotation.from_rotvec(self.tremor_rot).as_matrix() @ R
        p_b = base_rot.T @ (p - base_pos)
        r_b = Rotation.from_matrix(base_rot.T @ R).as_rotvec()
        return np.concatenate([p_b, r_b]), self.fingers.copy()


class Operator:
    """Phase machine over both hands. A phase is a generator that yields once per control step."""

    def __init__(self, env, rng):
        self.env, self.rng = env, rng
        self.hands = {s: Hand(env, s, rng) for s in ("right", "left")}
        base = env.sim.model.body_name2id("robot0_base")
        self.base_pos = np.array(env.sim.data.body_xpos[base])
        self.base_rot = np.array(env.sim.data.body_xmat[base]).reshape(3, 3)
        self.phase = "start"
        self.correcting = {"right": False, "left": False}
        self.script = None

    def action(self):
        parts, fingers = [], []
        for s in ("right", "left"):
            h = self.hands[s]
            h.tick(self.correcting[s])
            arm, f = h.command(self.base_pos, self.base_rot)
            parts.append(arm)
            fingers.append(f)
        return np.concatenate(parts + fingers)

    def step(self):
        """Advance the script by one control step and return the action."""
        try:
            self.phase = next(self.script)
        except StopIteration:
            pass
        return self.action()

    # --- motion primitives (generators) ---

    def move(self, targets, speed=(0.12, 0.2), min_steps=8, name="move"):
        """Minimum-jerk move of the given hands to {side: (pos, rot)}; duration from the distance
        and a drawn speed (m/s), the same for all hands of the move (coordinated)."""
        starts = {s: (self.hands[s].pos.copy(), self.hands[s].rot.copy()) for s in targets}
        dist = max(np.linalg.norm(targets[s][0] - starts[s][0]) for s in targets)
        ang = max(np.linalg.norm(Rotation.from_matrix(targets[s][1] @ starts[s][1].T).as_rotvec()) for s in targets)
        v = self.rng.uniform(*speed)
        n = int(max(min_steps, np.ceil(20.0 * max(dist / v, ang / (6.0 * v)))))
        for s in targets:
            self.correcting[s] = False
        for k in range(1, n + 1):
            u = min_jerk(k / n)
            for s in targets:
                p0, _ = starts[s]
                self.hands[s].pos = p0 + u * (targets[s][0] - p0)
                rv = Rotation.from_matrix(targets[s][1] @ starts[s][1].T).as_rotvec()
                self.hands[s].rot = Rotation.from_rotvec(u * rv).as_matrix() @ starts[s][1]
            # the operator starts correcting once the hand has nearly arrived
            if u > 0.85:
                for s in targets:
                    self.correcting[s] = True
            yield name

    def hold(self, steps, name="hold", sides=("right", "left")):
        for s in sides:
            self.correcting[s] = True
        for _ in range(int(steps)):
            yield name

    def settle(self, sides, tol, max_steps, name="settle"):
        """Hold (correcting) until every hand in `sides` is within tol of its intended position."""
        for s in sides:
            self.correcting[s] = True
        for _ in range(int(max_steps)):
            if max(np.linalg.norm(self.hands[s].pos - self.hands[s].achieved_pos) for s in sides) < tol:
                return
            yield name

    def pause(self, lo=0, hi=6, name="pause"):
        yield from self.hold(self.rng.integers(lo, hi + 1), name)

    def approach(self, side, hover, wrist, R):
        """One hand: reach the hover pose, settle, pause, descend slowly onto the grasp, settle."""
        yield from self.move({side: (hover, R)}, name="reach")
        yield from self.settle((side,), 0.012, 25, "reach")
        yield from self.pause(0, 4)
        yield from self.move({side: (wrist, R)}, speed=(0.05, 0.08), name="descend")
        yield from self.settle((side,), 0.006, 30, "descend")


# ----------------------------------------------------------------------------------------------
# Task scripts
# ----------------------------------------------------------------------------------------------

OPEN = np.zeros(6)


def thumb_preshape(rng):
    """Thumb turned under the palm (yaw), other joints open: how one reaches for a bar."""
    return np.array([0.0, 0.0, 0.0, 0.0, rng.uniform(0.1, 0.25), rng.uniform(0.9, 1.2)])


def power_grasp(rng, thumb_yaw):
    """Closed hand: four fingers 1.45-1.55 rad, thumb bend 1.05-1.2, thumb yaw kept."""
    return np.concatenate([rng.uniform(1.45, 1.55, 4), [rng.uniform(1.05, 1.2), thumb_yaw]])


def two_arm_lift_script(op, env, rng):
    """Each hand takes the pot handle on its side (palm down, fingers across one of the handle's
    three bars: whichever is easiest to reach), both close, pause, and lift together."""
    d = env.sim.data
    pot_R = np.array(d.body_xmat[env.pot_body_id]).reshape(3, 3)
    pot_p = np.array(d.body_xpos[env.pot_body_id])
    handles = {}
    for k, geoms in ((0, env.pot.handle0_geoms), (1, env.pot.handle1_geoms)):
        handles[k] = [(g, np.array(d.geom_xpos[env.sim.model.geom_name2id(g)]),
                       np.array(d.geom_xmat[env.sim.model.geom_name2id(g)]).reshape(3, 3)) for g in geoms]
    # the handle on the robot's right (smaller y) goes to the right hand
    y0 = np.mean([p[1] for _, p, _ in handles[0]])
    y1 = np.mean([p[1] for _, p, _ in handles[1]])
    side_handle = {"right": 0 if y0 < y1 else 1, "left": 1 if y0 < y1 else 0}
    cands = {"right": [], "left": []}
    for side in ("right", "left"):
        sh = np.array(d.site_xpos[env.sim.model.site_name2id(SHOULDERS[side])])
        for name, centre, gR in handles[side_handle[side]]:
            # bar axis: the box's longest half-size
            size = env.sim.model.geom_size[env.sim.model.geom_name2id(name)]
            axis = gR[:, int(np.argmax(size))]
            axis = np.array([axis[0], axis[1], 0.0])
            axis /= np.linalg.norm(axis)
            for sgn in (1.0, -1.0):
                f = sgn * np.array([-axis[1], axis[0]])  # fingers across the bar
                yaw = np.arctan2(f[1], f[0])
                # headings the hand reaches: right hand between -50 and +95 deg, left mirrored
                rel = np.degrees(yaw) * (1.0 if side == "right" else -1.0)
                if not -50.0 <= rel <= 95.0:
                    continue
                pitch = np.radians(rng.uniform(15, 30))
                R = hand_rotation(yaw, pitch)
                point = centre + axis * rng.uniform(-0.01, 0.01)
                if not name.endswith("_c"):
                    # on a connector, sit 3-4 cm out from the pot wall, so the thumb closes on the bar
                    out = np.array([centre[0] - pot_p[0], centre[1] - pot_p[1], 0.0])
                    out /= np.linalg.norm(out)
                    point = centre + out * rng.uniform(0.03, 0.04)
                wrist = wrist_for_grasp(point, R, side)
                reach = np.linalg.norm(wrist - sh)
                mid = max(0.0, 0.11 - abs(wrist[1]))
                cost = reach + 2.0 * mid + 0.1 * abs(np.radians(rel - 15.0))
                cands[side].append((cost, name, point, R, wrist))
    # Both hands together: the line between the two grasps should pass over the pot's centre of
    # mass (a diagonal pair of connectors, or the two outer bars), or the pot swings about it.
    best = None
    for cr in cands["right"]:
        for cl in cands["left"]:
            a, b = cr[2][:2], cl[2][:2]
            u = (b - a) / np.linalg.norm(b - a)
            off = abs(np.cross(u, pot_p[:2] - a))
            cost = cr[0] + cl[0] + 4.0 * off
            if best is None or cost < best[0]:
                best = (cost, cr, cl)
    if best is None:
        return None
    plan = {"right": best[1], "left": best[2]}
    for side in ("right", "left"):
        _, name, point, R, wrist = plan[side]
        hover = wrist + np.array([rng.uniform(-0.015, 0.015), rng.uniform(-0.015, 0.015), rng.uniform(0.07, 0.11)])
        plan[side] = dict(bar=name, point=point, R=R, wrist=wrist, hover=hover)
    info = {s: (plan[s]["bar"], int(round(np.degrees(np.arctan2(-plan[s]["R"][1, 1], -plan[s]["R"][0, 1])))))
            for s in plan}

    def script():
        yield from op.pause(2, 8, "look")
        # preshape the thumbs on the way
        thumbs = {}
        for s in ("right", "left"):
            thumbs[s] = thumb_preshape(rng)
            op.hands[s].set_fingers(thumbs[s], (6, 12))
        # the two hands start reaching a little apart in time
        first = "right" if rng.random() < 0.5 else "left"
        lead = int(rng.integers(0, 6))
        gen = op.move({first: (plan[first]["hover"], plan[first]["R"])}, name="reach")
        for _ in range(lead):
            try:
                yield next(gen)
            except StopIteration:
                break
        yield from op.move({s: (plan[s]["hover"], plan[s]["R"]) for s in ("right", "left")}, name="reach")
        yield from op.settle(("right", "left"), 0.012, 25, "reach")
        yield from op.pause(0, 5)
        yield from op.move({s: (plan[s]["wrist"], plan[s]["R"]) for s in ("right", "left")},
                           speed=(0.06, 0.1), name="descend")
        yield from op.settle(("right", "left"), 0.006, 25, "descend")
        for s in ("right", "left"):
            op.hands[s].set_fingers(power_grasp(rng, thumbs[s][5]), (5, 10))
        yield from op.hold(rng.integers(12, 18), "close")
        yield from op.pause(0, 5)
        rise = rng.uniform(0.16, 0.2)
        lift = {s: (op.hands[s].pos + np.array([rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01), rise]), plan[s]["R"])
                for s in ("right", "left")}
        yield from op.move(lift, speed=(0.08, 0.12), name="lift")
        yield from op.hold(10**6, "hold")

    return script(), info


def hammer_frame(env):
    """Hammer body position and its handle axis (local z; the head sits at the +z end)."""
    d = env.sim.data
    R = np.array(d.body_xmat[env.hammer_body_id]).reshape(3, 3)
    return np.array(d.body_xpos[env.hammer_body_id]), R[:, 2]


def two_arm_handover_script(op, env, rng):
    """The right hand picks the hammer up by the handle (near one end), lifts it and holds it in
    front of the chest with the handle pointing forward; the left hand takes the other part of the
    handle from above; the right hand lets go and withdraws; the left hand keeps it up."""
    d = env.sim.data
    c, a = hammer_frame(env)
    L = env.hammer.handle_length
    sh = np.array(d.site_xpos[env.sim.model.site_name2id(SHOULDERS["right"])])
    z_hat = np.array([0.0, 0.0, 1.0])
    best = None
    pitch = np.radians(rng.uniform(35, 45))
    jitter = rng.uniform(-0.01, 0.01)
    for s in np.linspace(-L / 2.0 + 0.025, L / 2.0 - 0.025, 9) + jitter:
        # the longer part of the handle stays free for the left hand (at least 10 cm of it)
        u = np.sign(-s) * np.array([a[0], a[1], 0.0]) if s != 0 else np.array([a[0], a[1], 0.0])
        u /= np.linalg.norm(u)
        if L / 2.0 + abs(s) < 0.10:
            continue
        point = c + a * s
        f = np.cross(z_hat, u)  # fingers across the handle; the thumb side (-x_site) faces away from u
        yaw = np.arctan2(f[1], f[0])
        rel = np.degrees(yaw)
        if not -60.0 <= rel <= 95.0:
            continue
        R = hand_rotation(yaw, pitch)
        wrist = wrist_for_grasp(point, R, "right", PINCH_IN_SITE)
        reach = np.linalg.norm(wrist - sh)
        cost = reach + 0.05 * abs(np.radians(rel - 15.0))
        if best is None or cost < best[0]:
            best = (cost, s, point, R, wrist, reach)
    if best is None or best[5] > 0.47:
        return None
    _, s_r, point_r, R_r, wrist_r, _ = best
    info = {"right": (f"handle at {s_r:+.3f} of {L:.3f}", int(round(np.degrees(np.arctan2(-R_r[1, 1], -R_r[0, 1])))))}
    hover_r = wrist_r + np.array([rng.uniform(-0.015, 0.015), rng.uniform(-0.015, 0.015), rng.uniform(0.07, 0.1)])

    def script():
        yield from op.pause(2, 8, "look")
        thumb_r = thumb_preshape(rng)
        op.hands["right"].set_fingers(thumb_r, (6, 12))
        yield from op.approach("right", hover_r, wrist_r, R_r)
        op.hands["right"].set_fingers(power_grasp(rng, thumb_r[5]), (5, 10))
        yield from op.hold(rng.integers(12, 18), "close")
        yield from op.pause(0, 4)
        up = op.hands["right"].pos + np.array([0.0, 0.0, rng.uniform(0.12, 0.16)])
        yield from op.move({"right": (up, R_r)}, speed=(0.08, 0.12), name="lift")
        # Handover pose: fingers pointing left (+y), so the rest of the handle points forward (+x).
        R_h = hand_rotation(np.radians(rng.uniform(80, 90)), np.radians(rng.uniform(10, 20)))
        grip_h = np.array([rng.uniform(-0.17, -0.13), rng.uniform(-0.03, 0.0), rng.uniform(1.0, 1.05)])
        yield from op.move({"right": (wrist_for_grasp(grip_h, R_h, "right"), R_h)}, speed=(0.1, 0.15), name="present")
        yield from op.settle(("right",), 0.01, 30, "present")
        yield from op.pause(2, 8)
        # the left hand takes the handle where it sees it, as far from the right hand as it can
        c2, a2 = hammer_frame(env)
        gr = op.hands["right"].achieved_pos + op.hands["right"].achieved_rot @ GRASP_IN_SITE["right"]
        s_now = float(np.dot(gr - c2, a2))
        far = -np.sign(s_now) if abs(s_now) > 1e-6 else 1.0
        s_l = far * (L / 2.0 - rng.uniform(0.02, 0.03))
        point_l = c2 + a2 * s_l
        ax = np.array([a2[0], a2[1], 0.0])
        ax /= np.linalg.norm(ax)
        f_l = np.array([-ax[1], ax[0]])
        if f_l[1] > 0:
            f_l = -f_l  # left fingers point to the right (-y), across the handle
        R_l = hand_rotation(np.arctan2(f_l[1], f_l[0]), np.radians(rng.uniform(10, 20)))
        wrist_l = wrist_for_grasp(point_l, R_l, "left")
        hover_l = wrist_l + np.array([rng.uniform(-0.01, 0.01), rng.uniform(0.0, 0.02), rng.uniform(0.07, 0.1)])
        thumb_l = thumb_preshape(rng)
        op.hands["left"].set_fingers(thumb_l, (6, 12))
        yield from op.move({"left": (hover_l, R_l)}, name="reach_left")
        yield from op.settle(("left",), 0.012, 25, "reach_left")
        yield from op.move({"left": (wrist_l, R_l)}, speed=(0.05, 0.08), name="descend_left")
        yield from op.settle(("left",), 0.006, 30, "descend_left")
        op.hands["left"].set_fingers(power_grasp(rng, thumb_l[5]), (5, 10))
        yield from op.hold(rng.integers(12, 18), "close_left")
        yield from op.pause(0, 5)
        op.hands["right"].set_fingers(np.array([0.0, 0.0, 0.0, 0.0, 0.0, thumb_r[5] * 0.5]), (4, 8))
        yield from op.hold(rng.integers(8, 12), "release")
        away = op.hands["right"].pos + np.array([rng.uniform(-0.06, -0.03), rng.uniform(-0.12, -0.08), rng.uniform(0.03, 0.06)])
        yield from op.move({"right": (away, op.hands["right"].rot)}, speed=(0.1, 0.15), name="withdraw")
        yield from op.hold(10**6, "hold")

    return script(), info


def two_arm_handover_quality(env):
    """robosuite's own success is the whole check (left hand grasps the handle, right hand off)."""
    return True, ""


def door_script(op, env, rng):
    """The right hand hooks its fingers over the door handle from above (palm down, fingers
    towards the door), closes, and pulls the door open along the arc about its hinge."""
    d, m = env.sim.data, env.sim.model
    gid = m.geom_name2id("Door_handle")
    centre = np.array(d.geom_xpos[gid])
    gR = np.array(d.geom_xmat[gid]).reshape(3, 3)
    axis = gR[:, 0] * np.array([1.0, 1.0, 0.0])
    axis /= np.linalg.norm(axis)
    jid = m.joint_name2id("Door_hinge")
    hinge = np.array(d.xanchor[jid])
    # outward normal of the door panel at the handle: horizontal, perpendicular to the handle bar,
    # pointing from the hinge line towards the robot's side
    n = np.array([-axis[1], axis[0], 0.0])
    panel = np.array(d.geom_xpos[m.geom_name2id("Door_panel")])
    if np.dot(centre - panel, n) < 0:
        n = -n
    f = -n  # fingers towards the door
    yaw = np.arctan2(f[1], f[0])
    # pitched well down: the wrist stays higher and further from the body's midline
    R = hand_rotation(yaw, np.radians(rng.uniform(50, 60)))
    # near the handle's free end (away from its mount on the door), the end nearer the robot
    mount = np.array(d.geom_xpos[m.geom_name2id("Door_handle_base")])
    free = np.sign(np.dot(centre - mount, axis)) * axis
    point = centre + free * rng.uniform(0.035, 0.05) + np.array([0.0, 0.0, rng.uniform(-0.004, 0.004)])
    wrist = wrist_for_grasp(point, R, "right")
    hover = wrist + n * rng.uniform(0.02, 0.04) + np.array([0.0, 0.0, rng.uniform(0.06, 0.09)])
    angle = rng.uniform(0.36, 0.40)
    info = {"right": ("Door_handle", int(round(np.degrees(yaw))))}

    def about_hinge(p, Rm, th):
        Rz = Rotation.from_rotvec([0.0, 0.0, th]).as_matrix()
        return hinge + Rz @ (p - hinge), Rz @ Rm

    def script():
        yield from op.pause(2, 8, "look")
        thumb = thumb_preshape(rng)
        op.hands["right"].set_fingers(thumb, (6, 12))
        yield from op.approach("right", hover, wrist, R)
        op.hands["right"].set_fingers(power_grasp(rng, thumb[5]), (5, 10))
        yield from op.hold(rng.integers(12, 18), "close")
        yield from op.pause(0, 4)
        # pull along the arc, in a few pieces (a hand pulling a door follows the handle)
        pieces = int(rng.integers(3, 5))
        p0, R0 = op.hands["right"].pos.copy(), op.hands["right"].rot.copy()
        for k in range(1, pieces + 1):
            yield from op.move({"right": about_hinge(p0, R0, angle * k / pieces)}, speed=(0.05, 0.09), min_steps=4, name="pull")
        yield from op.hold(10**6, "hold")

    return script(), info


def door_quality(env):
    """robosuite's own success is the whole check (hinge opened past 0.3 rad)."""
    return True, ""


# Where Lift's cube sits when the finger tips (index and middle, intermediate links) and the thumb
# close on it, in the right grip-site frame: further out than a bar in the fist (GRASP_IN_SITE),
# because the cube is at the edge of the right hand's reach.
CUBE_IN_SITE = {"right": np.array([-0.02, -0.13, 0.05])}

# The right hand cannot take a cube on or left of the robot's midline: the shoulder roll stops at
# 0 (the upper arm cannot swing inwards) and the forearm turned fully inwards leaves the finger tips
# short of it. While tuning (table length 0.14, cubes set on a grid of positions and yaws), cubes
# with y <= -0.015 were lifted in 6 of 8 tries; at y = 0 the hand mostly stopped 1.5-2.5 cm short.
LIFT_MAX_Y = -0.015


def lift_script(op, env, rng):
    """The right hand takes the cube from above with the finger tips and the thumb (fingers pointing
    forward and to the left, pitched ~30 deg down, the thumb turned under the palm), and lifts it by
    9-13 cm. The left hand stays where it is. Cubes the right hand cannot reach are declined."""
    d = env.sim.data
    cube = np.array(d.body_xpos[env.cube_body_id])
    if cube[1] > LIFT_MAX_Y:
        return None
    yaw = np.radians(38.0 + rng.uniform(-6.0, 6.0))
    R = hand_rotation(yaw, np.radians(30.0 + rng.uniform(-3.0, 3.0)))
    wrist = wrist_for_grasp(cube, R, "right", CUBE_IN_SITE)
    hover = wrist + np.array([rng.uniform(-0.01, 0.01), rng.uniform(-0.015, 0.005), rng.uniform(0.06, 0.09)])
    info = {"right": (f"cube at ({cube[0]:+.3f}, {cube[1]:+.3f})", int(round(np.degrees(yaw))))}
    op.hands["right"].turn_correction = True

    def script():
        yield from op.pause(2, 8, "look")
        thumb = np.array([0.0, 0.0, 0.0, 0.0, rng.uniform(0.2, 0.4), rng.uniform(1.4, 1.6)])
        op.hands["right"].set_fingers(thumb, (6, 12))
        yield from op.approach("right", hover, wrist, R)
        close = np.concatenate([rng.uniform(1.35, 1.5, 4), [rng.uniform(1.0, 1.15), thumb[5]]])
        op.hands["right"].set_fingers(close, (5, 10))
        yield from op.hold(rng.integers(12, 18), "close")
        yield from op.pause(0, 4)
        up = op.hands["right"].pos + np.array([rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01), rng.uniform(0.09, 0.13)])
        yield from op.move({"right": (up, R)}, speed=(0.08, 0.12), name="lift")
        yield from op.hold(10**6, "hold")

    return script(), info


def lift_quality(env):
    """Kept only if, when the cube first clears table + 4 cm, the right hand holds it with thumb and
    finger contact (robosuite's _check_grasp) and the left hand does not touch it."""
    g = env.robots[0].gripper
    right = env._check_grasp(gripper=g["right"], object_geoms=env.cube)
    left = env.check_contact(g["left"], env.cube)
    return bool(right and not left), f"right grasp {right} left contact {left}"


def lift_end_quality(env):
    """...and still holds it, lifted, at the last recorded step."""
    ok = env._check_success() and env._check_grasp(gripper=env.robots[0].gripper["right"], object_geoms=env.cube)
    return bool(ok), f"held at the end {ok}"


def two_arm_lift_quality(env):
    """Kept only if, when robosuite first reports success, each hand holds its own handle with
    thumb and finger contact (robosuite's _check_grasp) and the pot is within 25 deg of level (it swings a little as it rises)."""
    g = env.robots[0].gripper
    grasps = (env._check_grasp(gripper=g["right"], object_geoms=env.pot.handle0_geoms)
              and env._check_grasp(gripper=g["left"], object_geoms=env.pot.handle1_geoms)) or (
              env._check_grasp(gripper=g["right"], object_geoms=env.pot.handle1_geoms)
              and env._check_grasp(gripper=g["left"], object_geoms=env.pot.handle0_geoms))
    z = np.array(env.sim.data.body_xmat[env.pot_body_id]).reshape(3, 3)[:, 2]
    tilt = np.degrees(np.arccos(np.clip(z[2], -1.0, 1.0)))
    per_hand = {s: [env._check_grasp(gripper=g[s], object_geoms=h) for h in (env.pot.handle0_geoms, env.pot.handle1_geoms)]
                for s in ("right", "left")}
    return bool(grasps and tilt < 25.0), f"grasps {per_hand} tilt {tilt:.1f} deg"


SCRIPTS = {"TwoArmLift": two_arm_lift_script, "TwoArmHandover": two_arm_handover_script, "Door": door_script,
           "Lift": lift_script}
QUALITY = {"TwoArmLift": two_arm_lift_quality, "TwoArmHandover": two_arm_handover_quality, "Door": door_quality,
           "Lift": lift_quality}
# checked on the last recorded step as well (only where given)
END_QUALITY = {"Lift": lift_end_quality}


# ----------------------------------------------------------------------------------------------
# Collection
# ----------------------------------------------------------------------------------------------


def collect(task, n_demos, seed, tmp_dir, max_attempts, verbose=True):
    env = make_env(task, seed=seed)
    wrapped = DataCollectionWrapper(CopyingStep(env), tmp_dir)
    kept, attempt = [], 0
    max_steps = TASKS[task]["max_steps"]
    while len(kept) < n_demos and attempt < max_attempts:
        env.rng = np.random.default_rng([seed, attempt, 0])
        op_rng = np.random.default_rng([seed, attempt, 1])
        wrapped.reset()
        op = Operator(env, op_rng)
        planned = SCRIPTS[task](op, env, op_rng)
        if planned is None:
            # the operator declines a scene it cannot reach; nothing is recorded for it
            if verbose:
                print(f"attempt {attempt}: declined (out of reach)", flush=True)
            attempt += 1
            continue
        op.script, info = planned
        extra = int(op_rng.integers(10, 16))
        success_at, t, quality_ok, quality = None, 0, False, ""
        actions = []
        for t in range(max_steps):
            a = op.step()
            actions.append(a.copy())
            wrapped.step(a)
            if success_at is None and env._check_success():
                success_at = t
                quality_ok, quality = (True, "") if SUCCESS_ONLY else QUALITY[task](env)
            if success_at is not None and t >= success_at + extra:
                break
        ok = success_at is not None and quality_ok
        if ok and task in END_QUALITY and not SUCCESS_ONLY:
            ok, end_quality = END_QUALITY[task](env)
            quality += f", {end_quality}"
        if verbose:
            print(f"attempt {attempt}: {'success' if ok else 'FAIL'} steps={t + 1} phase={op.phase} {info}"
                  + (f" success_at={success_at} {quality}" if success_at is not None else ""), flush=True)
        if ok:
            kept.append(dict(ep_dir=wrapped.ep_directory, attempt=attempt, steps=t + 1, commanded=np.array(actions)))
        attempt += 1
    wrapped.close()
    return kept, attempt


# ----------------------------------------------------------------------------------------------
# Conversion, verification, writing (the robomimic layout of Demos/record/record.py)
# ----------------------------------------------------------------------------------------------


def replay_actions(env, model_xml, states, actions):
    """Open-loop replay from the first state; a copy of each action goes to env.step.
    Returns (success, first success step, max |state - recorded state|)."""
    common.reset_to(env, model_xml, states[0])
    first, max_err = None, 0.0
    for t, a in enumerate(actions):
        if t > 0:
            max_err = max(max_err, float(np.max(np.abs(env.sim.get_state().flatten() - states[t]))))
        env.step(np.array(a, copy=True))
        if first is None and env._check_success():
            first = t
    return first is not None, first, max_err


def convert_and_write(episodes, attempts, make_env, env_name, env_kwargs, seed, output, t0, next_obs_keys=True):
    env = make_env()
    converted = [common.states_to_obs(env, ep["model_xml"], ep["states"]) for ep in episodes]

    # verify 1: every states row, set on its own in a second env (reverse order), gives its obs
    env2 = make_env()
    worst = {}
    for ep, (obs, _, _, _) in zip(episodes, converted):
        common.reset_to(env2, common.scrub_paths(ep["model_xml"]), ep["states"][0])
        for t in reversed(range(len(ep["states"]))):
            env2.sim.set_state_from_flattened(ep["states"][t])
            env2.sim.forward()
            for key, val in common.observation_dict(env2).items():
                worst[key] = max(worst.get(key, 0.0), float(np.max(np.abs(val - obs[key][t]))))
    nonzero = {k: v for k, v in worst.items() if v != 0.0}
    print("obs recomputed row by row from states (fresh env, scrubbed xml, reverse order), max abs diff: "
          + (", ".join(f"{k} {v:.3g}" for k, v in nonzero.items()) if nonzero else "all keys exact"))
    # joint_acc is MuJoCo's qacc after forward(): its constraint solver is warm-started from the
    # previous call, so it differs in the last digits (1e-7 with the pot, 1e-4 with the door's
    # contacts); every other key must be reproduced exactly
    if any(v != 0.0 for k, v in worst.items() if not k.endswith("joint_acc")) or max(worst.values()) > 1e-3:
        print("states do not reproduce obs exactly", file=sys.stderr)
        return 1

    # verify 2: open-loop replay of the recorded actions from the first state, in a third env
    env3 = make_env()
    replay_ok = 0
    for i, ep in enumerate(episodes):
        ok, first, err = replay_actions(env3, common.scrub_paths(ep["model_xml"]), ep["states"], ep["actions"])
        replay_ok += ok
        print(f"demo_{i}: T={len(ep['actions'])} open-loop replay {'success at ' + str(first) if ok else 'FAIL'}, "
              f"max state diff {err:.3g}")
    print(f"open-loop replay success rate: {replay_ok}/{len(episodes)}")

    env_args = dict(env_name=env_name, env_version=robosuite.__version__, type=1, env_kwargs=env_kwargs)
    names = [f"demo_{i}" for i in range(len(episodes))]
    order = list(np.random.default_rng(seed).permutation(len(names)))
    n_valid = max(1, int(round(0.1 * len(names))))
    valid = sorted((names[i] for i in order[:n_valid]), key=lambda s: int(s.split("_")[1]))
    train = [n for n in names if n not in valid]

    import h5py
    import json

    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    total = 0
    with h5py.File(output, "w") as f:
        data = f.create_group("data")
        for name, ep, (obs, next_obs, rewards, dones) in zip(names, episodes, converted):
            g = data.create_group(name)
            T = len(ep["actions"])
            g.attrs["num_samples"] = T
            g.attrs["model_file"] = common.scrub_paths(ep["model_xml"])
            g.create_dataset("states", data=ep["states"], compression="gzip", shuffle=True)
            g.create_dataset("actions", data=ep["actions"], compression="gzip", shuffle=True)
            g.create_dataset("rewards", data=rewards)
            g.create_dataset("dones", data=dones)
            for key, arr in obs.items():
                g.create_dataset(f"obs/{key}", data=arr, compression="gzip", shuffle=True)
            if next_obs_keys:
                for key, arr in next_obs.items():
                    g.create_dataset(f"next_obs/{key}", data=arr, compression="gzip", shuffle=True)
            total += T
        data.attrs["total"] = total
        data.attrs["env_args"] = json.dumps(env_args)
        f.create_dataset("mask/train", data=np.array(train, dtype="S"))
        f.create_dataset("mask/valid", data=np.array(valid, dtype="S"))
    lengths = [len(ep["actions"]) for ep in episodes]
    print(f"wrote {output}: {len(names)} demos, total {total} steps, lengths {lengths}, "
          f"{os.path.getsize(output) / 1e6:.2f} MB, attempts {attempts}, "
          f"kept attempts {[ep['attempt'] for ep in episodes]}, {time.time() - t0:.0f}s")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", required=True, choices=sorted(TASKS))
    p.add_argument("--demos", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--max-attempts", type=int, default=None,
                   help="default: 4 x demos (Lift: 12 x demos, most of its scenes are out of reach)")
    p.add_argument("--no-next-obs", action="store_true",
                   help="leave out next_obs (optional in robomimic; halves the obs bytes of long demos)")
    p.add_argument("--robot", default="GR1ArmsOnly", choices=["GR1ArmsOnly", "GR1FixedLowerBody"])
    p.add_argument("--success-only", action="store_true",
                   help="keep every episode robosuite's own check calls successful (no extra grasp checks)")
    args = p.parse_args()
    global ROBOT, SUCCESS_ONLY
    ROBOT, SUCCESS_ONLY = args.robot, args.success_only

    t0 = time.time()
    tmp_dir = tempfile.mkdtemp(prefix="mimic_record_gr1_")
    try:
        max_attempts = args.max_attempts or TASKS[args.task].get("attempts_per_demo", 4) * args.demos
        kept, attempts = collect(args.task, args.demos, args.seed, tmp_dir, max_attempts)
        print(f"collected {len(kept)}/{args.demos} successes in {attempts} attempts ({time.time() - t0:.1f}s)")
        if len(kept) < args.demos:
            print("not enough successful episodes; nothing written", file=sys.stderr)
            return 1
        episodes = []
        for k in kept:
            ep = common.load_episode(k["ep_dir"])
            assert ep["success"], "wrapper did not see success"
            assert len(ep["states"]) == len(ep["actions"]) == k["steps"]
            # the stored actions must be the commanded ones (not rewritten by the IK)
            assert np.array_equal(ep["actions"], k["commanded"]), "recorded actions differ from the commanded ones"
            ep["attempt"] = k["attempt"]
            episodes.append(ep)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return convert_and_write(
        episodes,
        attempts=attempts,
        make_env=lambda: make_env(args.task),
        env_name=TASKS[args.task]["env_name"],
        env_kwargs=make_env_kwargs(args.task),
        seed=args.seed,
        output=args.output,
        t0=t0,
        next_obs_keys=not args.no_next_obs,
    )


if __name__ == "__main__":
    sys.exit(main())
