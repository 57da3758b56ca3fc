#!/usr/bin/env python3
"""numpy reference for Mimic's generation planning (MimicCore.Generator.generate), run by `mimic-bench`.

It plans MimicGen-style demos from a prepared robomimic file (datagen_info) with the same algorithm
and the same task as the Swift generator, for a one-arm task such as Lift. Per demo:

  1. sample the object placement: x, y and yaw uniform in the box the sources' initial poses span,
     upright orientation and mean height of the sources;
  2. pick a source demo: the k (nn_k = 3) sources whose object pose at the segment start is nearest
     (position distance + rotation angle), one of them at random;
  3. per subtask: carry the source segment of target poses into the new scene relative to the
     subtask's object (one 4x4 matmul over the segment), bridge to it from the last target with
     `interpolation_steps` (5) poses (position lerp, quaternion slerp);
  4. turn every target into a normalized OSC delta action against a kinematically tracked
     end-effector pose (the pose reaches what each action commands), with Gaussian noise
     (std 0.05, clipped to the action range) on the segment steps; objects the source shows carried
     move rigidly with the hand;
  5. build the datagen_info arrays: eef_pose and target_pose (T, 4, 4), gripper_action, object_poses
     (T, 4, 4), subtask_term_signals, and the source labels.

Everything per segment is vectorized (transform, interpolation, noise draws, matrix/quaternion
conversions, carried-object poses, signals); the end-effector tracking is a recurrence (each action
depends on the pose the previous one reached, and clipping makes it nonlinear), so it is a loop over
steps. Two versions of that loop, the rest shared:

  scalar   the loop on Python floats (math module), quaternions; the fastest pure-Python form
  numpy    the loop on small numpy arrays, rotation matrices (as MimicGen's per-step
           target_pose_to_action does with robosuite's transform utilities)

Timed runs draw random numbers with numpy (one np.random.Generator per demo, seeded with
(seed, index), so demo i depends only on the seed and i, as in Swift). With --check FILE, demos are
planned with a bit-exact port of Swift's RandomStream instead, and compared with the demos the Swift
generator wrote to FILE.

Prints one JSON object on stdout.
"""
import argparse
import json
import math
import platform
import statistics
import sys
import time

import h5py
import numpy as np

MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------------------------------------
# Random draws


class NumpyDraws:
    """Draws for timed runs: one numpy Generator per demo, seeded with (seed, index)."""

    def __init__(self, seed, index):
        self.g = np.random.default_rng([seed, index])

    def uniform(self, lo, hi):
        return lo if not hi > lo else lo + (hi - lo) * self.g.random()

    def integer(self, lo, hi):
        return lo if not hi > lo else int(self.g.integers(lo, hi + 1))

    def normal(self, n):
        return self.g.standard_normal((n, 6))


class SwiftDraws:
    """A bit-exact port of MimicCore.RandomStream (xoshiro256**, SplitMix64 seeding, Box-Muller)."""

    def __init__(self, seed, stream):
        x = (seed ^ ((stream * 0x9E3779B97F4A7C15) & MASK64) ^ 0xD1B54A32D192ED03) & MASK64
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            state.append(z ^ (z >> 31))
        self.s = state

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK64

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & MASK64, 7) * 9) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self, lo, hi):
        return lo if not hi > lo else lo + (hi - lo) * float(self.next() >> 11) * 2.0**-53

    def integer(self, lo, hi):
        # Int.random(in: lo...hi): Lemire's multiply-high with rejection of the biased low part.
        if not hi > lo:
            return lo
        n = hi - lo + 1
        m = self.next() * n
        if (m & MASK64) < n:
            t = ((1 << 64) - n) % n
            while (m & MASK64) < t:
                m = self.next() * n
        return lo + (m >> 64)

    def normal(self, n):
        out = np.empty((n, 6))
        flat = out.reshape(-1)
        for i in range(flat.size):
            u1 = max(float(self.next() >> 11) * 2.0**-53, 2.0**-60)
            u2 = float(self.next() >> 11) * 2.0**-53
            flat[i] = math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
        return out


# ---------------------------------------------------------------------------------------------
# Rotations (quaternions x, y, z, w; matrices act on column vectors), vectorized


def quat_to_mat(q):
    """(..., 4) quaternions -> (..., 3, 3) rotation matrices (any nonzero norm)."""
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    s = 2.0 / (x * x + y * y + z * z + w * w)
    xx, yy, zz = s * x * x, s * y * y, s * z * z
    xy, xz, yz = s * x * y, s * x * z, s * y * z
    wx, wy, wz = s * w * x, s * w * y, s * w * z
    m = np.empty(q.shape[:-1] + (3, 3))
    m[..., 0, 0] = 1 - (yy + zz)
    m[..., 0, 1] = xy - wz
    m[..., 0, 2] = xz + wy
    m[..., 1, 0] = xy + wz
    m[..., 1, 1] = 1 - (xx + zz)
    m[..., 1, 2] = yz - wx
    m[..., 2, 0] = xz - wy
    m[..., 2, 1] = yz + wx
    m[..., 2, 2] = 1 - (xx + yy)
    return m


def mat_to_quat(m):
    """(..., 3+, 3+) rotation matrices -> (..., 4) unit quaternions with w >= 0 (Shepperd's method)."""
    m00, m01, m02 = m[..., 0, 0], m[..., 0, 1], m[..., 0, 2]
    m10, m11, m12 = m[..., 1, 0], m[..., 1, 1], m[..., 1, 2]
    m20, m21, m22 = m[..., 2, 0], m[..., 2, 1], m[..., 2, 2]
    four = np.stack((1 + m00 + m11 + m22, 1 + m00 - m11 - m22, 1 - m00 + m11 - m22, 1 - m00 - m11 + m22), -1)
    k = np.argmax(four, -1)  # w, x, y, z: the first largest, as Swift's comparisons pick
    r = np.sqrt(np.take_along_axis(four, k[..., None], -1)[..., 0])
    f = 0.5 / r
    half = 0.5 * r
    cases = np.stack((
        np.stack(((m21 - m12) * f, (m02 - m20) * f, (m10 - m01) * f, half), -1),
        np.stack((half, (m01 + m10) * f, (m02 + m20) * f, (m21 - m12) * f), -1),
        np.stack(((m01 + m10) * f, half, (m12 + m21) * f, (m02 - m20) * f), -1),
        np.stack(((m02 + m20) * f, (m12 + m21) * f, half, (m10 - m01) * f), -1),
    ), -2)
    q = np.take_along_axis(cases, k[..., None, None], -2)[..., 0, :]
    q = np.where(q[..., 3:4] < 0, -q, q)
    return q / np.sqrt((q * q).sum(-1, keepdims=True))


def rot_to_quat(m):
    """One rotation matrix (3+, 3+) -> unit quaternion with w >= 0, in Python floats (Shepperd's method)."""
    (m00, m01, m02), (m10, m11, m12), (m20, m21, m22) = (row[:3] for row in m[:3].tolist())
    ww, xx, yy, zz = 1 + m00 + m11 + m22, 1 + m00 - m11 - m22, 1 - m00 + m11 - m22, 1 - m00 - m11 + m22
    if ww >= xx and ww >= yy and ww >= zz:
        r = math.sqrt(ww)
        f = 0.5 / r
        q = ((m21 - m12) * f, (m02 - m20) * f, (m10 - m01) * f, 0.5 * r)
    elif xx >= yy and xx >= zz:
        r = math.sqrt(xx)
        f = 0.5 / r
        q = (0.5 * r, (m01 + m10) * f, (m02 + m20) * f, (m21 - m12) * f)
    elif yy >= zz:
        r = math.sqrt(yy)
        f = 0.5 / r
        q = ((m01 + m10) * f, 0.5 * r, (m12 + m21) * f, (m02 - m20) * f)
    else:
        r = math.sqrt(zz)
        f = 0.5 / r
        q = ((m02 + m20) * f, (m12 + m21) * f, 0.5 * r, (m10 - m01) * f)
    q = np.array(q)
    if q[3] < 0:
        q = -q
    return q / math.sqrt(q @ q)


def quat_mul(a, b):
    """Hamilton product of (..., 4) quaternions: apply b, then a."""
    ax, ay, az, aw = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    bx, by, bz, bw = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    return np.stack((aw * bx + bw * ax + (ay * bz - az * by),
                     aw * by + bw * ay + (az * bx - ax * bz),
                     aw * bz + bw * az + (ax * by - ay * bx),
                     aw * bw - (ax * bx + ay * by + az * bz)), -1)


def quat_left(q):
    """The 4x4 matrix L with L @ b == quat_mul(q, b) for one quaternion q: Q @ L.T multiplies a
    stack of quaternions Q (n, 4) from the left in one small matmul."""
    x, y, z, w = q.tolist()
    return np.array(((w, -z, y, x), (z, w, -x, y), (-y, x, w, z), (-x, -y, -z, w)))


def quat_angle(a, b):
    """Geodesic angle between (..., 4) unit quaternions."""
    r = b @ quat_left(a * np.array([-1.0, -1.0, -1.0, 1.0])).T
    return 2 * np.arctan2(np.sqrt((r[..., :3] ** 2).sum(-1)), np.abs(r[..., 3]))


def slerp(qa, qb, t):
    """Shortest-arc slerp from qa (4,) to qb (4,) at every t (n,) -> (n, 4)."""
    if qa @ qb < 0:
        qb = -qb
    d, s = qa - qb, qa + qb
    phi = 2 * math.atan2(math.sqrt(d @ d), math.sqrt(s @ s))
    if phi < 1e-8:
        q = qa + t[:, None] * (qb - qa)
        return q / np.sqrt((q * q).sum(-1, keepdims=True))
    sin_phi = math.sin(phi)
    return (np.sin((1 - t) * phi) / sin_phi)[:, None] * qa + (np.sin(t * phi) / sin_phi)[:, None] * qb


def pose_mats(p, q):
    """(n, 3) positions and (n, 4) quaternions -> (n, 4, 4) homogeneous matrices."""
    out = np.zeros((len(p), 4, 4))
    out[:, :3, :3] = quat_to_mat(q)
    out[:, :3, 3] = p
    out[:, 3, 3] = 1.0
    return out


def rigid_inverse(m):
    """(..., 4, 4) rigid transforms -> their inverses."""
    out = np.zeros_like(m)
    rt = np.swapaxes(m[..., :3, :3], -1, -2)
    out[..., :3, :3] = rt
    out[..., :3, 3] = -np.einsum("...ij,...j->...i", rt, m[..., :3, 3])
    out[..., 3, 3] = 1.0
    return out


def yaw_of(q):
    """Heading (rotation about world z of the frame's x axis) of a quaternion."""
    r = quat_to_mat(np.asarray(q))
    return math.atan2(r[1, 0], r[0, 0])


def z_rotation(yaw):
    """Quaternion of a rotation by yaw about z (Quaternion(axisAngle: (0, 0, yaw)))."""
    return np.array((0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2)))


# ---------------------------------------------------------------------------------------------
# The prepared sources and the task


class Planner:
    def __init__(self, prepared, task):
        self.task = task
        self.check_supported(task)
        effector = task["effectors"][0]
        self.subtasks = effector["subtasks"]
        self.gripper_columns = range(*effector["gripper_columns"])
        self.pose_columns = range(*effector["pose_columns"])
        self.width = task["action_width"]
        sc = effector["scaling"]
        self.in_min, self.in_max = np.array(sc["input_min"]), np.array(sc["input_max"])
        self.out_min, self.out_max = np.array(sc["output_min"]), np.array(sc["output_max"])
        self.ratio = (self.out_max - self.out_min) / (self.in_max - self.in_min)
        self.c_out = (self.out_max + self.out_min) / 2
        self.c_in = (self.in_max + self.in_min) / 2
        self.frame = quat_to_mat(np.array(effector["frame_xyzw"]))
        self.frame_t = self.frame.T.copy()
        self.seed = task["seed"]

        with h5py.File(prepared, "r") as f:
            data = f["data"]
            names = sorted((n for n in data if isinstance(data[n], h5py.Group)), key=demo_sort_key)
            self.sources = []
            for name in names:
                g = data[name]["datagen_info"]
                src = {
                    "name": name,
                    "eef": g["eef_pose"][()].astype(np.float64),
                    "target": g["target_pose"][()].astype(np.float64),
                    "gripper": g["gripper_action"][()].astype(np.float64),
                    "objects": {k: g["object_poses"][k][()].astype(np.float64) for k in g["object_poses"]},
                    "signals": {k: (g["subtask_term_signals"][k][()].reshape(-1) != 0).astype(np.int64)
                                for k in g["subtask_term_signals"]},
                }
                src["T"] = len(src["eef"])
                src["gripper"] = src["gripper"].reshape(src["T"], -1)
                self.sources.append(src)
        if not self.sources:
            raise SystemExit(f"{prepared}: no demos")
        self.object_names = sorted(self.sources[0]["objects"])
        self.signal_names = sorted({k for s in self.sources for k in s["signals"]})
        for s in self.sources:
            s["target_q"] = mat_to_quat(s["target"])
            s["object_q"] = {k: mat_to_quat(v) for k, v in s["objects"].items()}
            s["object_inv"] = {k: rigid_inverse(v) for k, v in s["objects"].items()}
            s["ranges"] = self.segments(s)
            s["carried"], s["relative"] = {}, {}
            for k in self.object_names:
                s["carried"][k], s["relative"][k] = self.carried_steps(s["eef"], s["objects"][k])
        self.placement()
        # Every object's pose at the first segment's start in every source (what selection compares).
        self.start_poses = {}
        for name in self.object_names:
            starts = [s["ranges"][0][0] for s in self.sources]
            self.start_poses[name] = (np.array([s["objects"][name][t, :3, 3] for s, t in zip(self.sources, starts)]),
                                      np.array([s["object_q"][name][t] for s, t in zip(self.sources, starts)]))
        first = self.sources[0]["eef"][0]
        self.eef0_p = first[:3, 3].copy()
        self.eef0_q = mat_to_quat(first)
        self.eef0_m = pose_mats(self.eef0_p[None], self.eef0_q[None])[0]

    @staticmethod
    def check_supported(task):
        """This reference implements the switches MimicGen's Lift uses; anything else is refused."""
        problems = []
        if len(task["effectors"]) != 1:
            problems.append("one end effector only")
        if task["effectors"][0]["convention"] != "oscDelta":
            problems.append("OSC delta actions only")
        if task.get("placement") is not None:
            problems.append("placement from the data only")
        if task["select_per_subtask"] or task["transform_first_robot_pose"] or not task["interpolate_from_last_target_pose"]:
            problems.append("MimicGen's default switches only")
        for sub in task["effectors"][0]["subtasks"]:
            if sub["end_offset"] != [0, 0] or sub["speed"] != [1, 1] or sub["fixed_steps"] != 0 \
                    or sub["noise_during_interpolation"] or sub["selection"] not in ("nearestObject", "random"):
                problems.append(f"subtask {sub}: no end offsets, time warps or fixed steps; nearestObject or random selection")
        if problems:
            raise SystemExit("numpy_plan.py: unsupported task: " + "; ".join(problems))

    def segments(self, src):
        """[start, end) of each subtask: each ends right after the first rise of its end signal."""
        t, start, out = src["T"], 0, []
        for j, sub in enumerate(self.subtasks):
            if j == len(self.subtasks) - 1:
                out.append((min(start, t - 1), t))  # the last subtask ends with the demo
                break
            v = src["signals"][sub["end_signal"]]
            rises = np.flatnonzero((v[start:] != 0) & (np.concatenate(([0], v[:-1]))[start:] == 0)) + start
            end = int(rises[0]) + 1
            out.append((min(start, t - 1), min(max(end, start + 1), t)))
            start = end
        return out

    @staticmethod
    def carried_steps(eef, obj):
        """Steps at which the object moves rigidly with the hand (left its place by > 1 cm, within
        0.25 m of the hand, its position in the hand frame moved < 5 mm since the previous step);
        and the object's pose in the hand frame at every step."""
        relative = np.matmul(rigid_inverse(eef), obj)
        rp = relative[:, :3, 3]
        moved = np.linalg.norm(obj[:, :3, 3] - obj[0, :3, 3], axis=1) > 0.01
        near = np.linalg.norm(obj[:, :3, 3] - eef[:, :3, 3], axis=1) < 0.25
        rigid = np.concatenate(([False], np.linalg.norm(np.diff(rp, axis=0), axis=1) < 0.005))
        flags = moved & near & rigid
        flags[0] = False
        return flags, relative

    def placement(self):
        """Per object: the box (x, y, yaw) its initial poses span over the sources, its upright
        orientation (the first source's with the yaw removed) and its mean initial height."""
        self.place = {}
        for name in self.object_names:
            initial = [s["objects"][name][0] for s in self.sources]
            q0 = mat_to_quat(initial[0])
            first_yaw = yaw_of(q0)
            yaws = []
            for m in initial:
                d = yaw_of(mat_to_quat(m)) - first_yaw
                while d > math.pi:
                    d -= 2 * math.pi
                while d < -math.pi:
                    d += 2 * math.pi
                yaws.append(first_yaw + d)
            upright = quat_mul(z_rotation(-first_yaw), q0)
            upright = upright / math.sqrt(upright @ upright)
            xs = [float(m[0, 3]) for m in initial]
            ys = [float(m[1, 3]) for m in initial]
            z = sum(float(m[2, 3]) for m in initial) / len(initial)
            self.place[name] = dict(x=(min(xs), max(xs)), y=(min(ys), max(ys)), yaw=(min(yaws), max(yaws)),
                                    upright=upright, upright_list=upright.tolist(), z=z)

    # -----------------------------------------------------------------------------------------
    # One demo

    def generate(self, draws, loop):
        # 1. The scene.
        objects = {}
        scene_q = {}
        for name in self.object_names:
            p = self.place[name]
            x = draws.uniform(*p["x"])
            y = draws.uniform(*p["y"])
            yaw = draws.uniform(*p["yaw"])
            # q = z_rotation(yaw) * upright, normalized; and its 4x4 matrix.
            ux, uy, uz, uw = p["upright_list"]
            sz, cz = math.sin(yaw / 2), math.cos(yaw / 2)
            qx, qy, qz, qw = cz * ux - sz * uy, cz * uy + sz * ux, cz * uz + sz * uw, cz * uw - sz * uz
            norm = math.sqrt(qx * qx + qy * qy + qz * qz + qw * qw)
            qx, qy, qz, qw = qx / norm, qy / norm, qz / norm, qw / norm
            xx, yy, zz, xy, xz, yz = 2 * qx * qx, 2 * qy * qy, 2 * qz * qz, 2 * qx * qy, 2 * qx * qz, 2 * qy * qz
            wx, wy, wz = 2 * qw * qx, 2 * qw * qy, 2 * qw * qz
            objects[name] = np.array(((1 - (yy + zz), xy - wz, xz + wy, x),
                                      (xy + wz, 1 - (xx + zz), yz - wx, y),
                                      (xz - wy, yz + wx, 1 - (xx + yy), p["z"]),
                                      (0.0, 0.0, 0.0, 1.0)))
            scene_q[name] = np.array((qx, qy, qz, qw))

        # 2. The source, picked once per demo for the first subtask.
        first = self.subtasks[0]
        d = self.select(first, objects, scene_q, draws)
        src = self.sources[d]

        eef_p, eef_q = self.eef0_p, self.eef0_q
        last_p = last_q = None
        carry = {name: -1 for name in self.object_names}  # carried since source step s, or -1
        parts = []
        for j, sub in enumerate(self.subtasks):
            lo, hi = src["ranges"][j]
            n_seg = hi - lo
            # 3. The segment's targets carried into the scene, and the bridge to them.
            obj = sub["object"]
            transform = objects[obj] @ src["object_inv"][obj][lo] if obj is not None else np.eye(4)
            targets = np.matmul(transform, src["target"][lo:hi])
            start_p = last_p if last_p is not None else eef_p
            start_q = last_q if last_q is not None else eef_q
            if loop == "scalar":
                # Target orientations as quaternions: the transform's times the source's (no matrix conversions).
                target_q = src["target_q"][lo:hi] @ quat_left(rot_to_quat(transform)).T
                first_q = target_q[0]
            else:
                first_q = rot_to_quat(targets[0])
            n_bridge = sub["interpolation_steps"]
            t = np.arange(1, n_bridge + 1) / (n_bridge + 1)
            bridge_p = start_p + t[:, None] * (targets[0, :3, 3] - start_p)
            bridge_q = slerp(start_q, first_q, t)
            gripper = np.concatenate((np.repeat(src["gripper"][lo:lo + 1], n_bridge, 0), src["gripper"][lo:hi]))
            noise = draws.normal(n_seg) * sub["action_noise"] if sub["action_noise"] > 0 else None
            source_step = np.concatenate((np.full(n_bridge, -1), np.arange(lo, hi)))

            # 4. Actions against the tracked end effector.
            if loop == "scalar":
                target_p = np.concatenate((bridge_p, targets[:, :3, 3]))
                target_q = np.concatenate((bridge_q, target_q))
                actions, cmd_p, cmd_q = self.track_scalar(eef_p, eef_q, target_p, target_q, n_bridge, noise)
                commanded = pose_mats(cmd_p, cmd_q)
                eef_p, eef_q = cmd_p[-1], cmd_q[-1]
                last_p, last_q = target_p[-1], target_q[-1]
            else:
                bridge = np.zeros((n_bridge, 4, 4))
                bridge[:, :3, :3] = quat_to_mat(bridge_q)
                bridge[:, :3, 3] = bridge_p
                target_m = np.concatenate((bridge, targets))
                actions, commanded = self.track_numpy(eef_p, quat_to_mat(eef_q), target_m, n_bridge, noise)
                eef_p, eef_q = commanded[-1, :3, 3], rot_to_quat(commanded[-1])
                last_p, last_q = target_m[-1, :3, 3], rot_to_quat(target_m[-1])
            actions[:, self.gripper_columns.start:self.gripper_columns.stop] = gripper

            # Objects at the start of every step (moving with the hand while the source carries them).
            object_tracks = {}
            for name in self.object_names:
                object_tracks[name], objects[name], carry[name] = self.carry(src, name, source_step, commanded,
                                                                            carry[name], objects[name])
            parts.append((actions, commanded, gripper, object_tracks, source_step))

        # 5. datagen_info.
        actions = np.concatenate([p[0] for p in parts])
        target_pose = np.concatenate([p[1] for p in parts])
        eef_pose = np.empty_like(target_pose)
        eef_pose[0] = self.eef0_m
        eef_pose[1:] = target_pose[:-1]
        source_step = np.concatenate([p[4] for p in parts])
        held = np.maximum.accumulate(np.where(source_step >= 0, np.arange(len(source_step)), -1))
        signals = {}
        for name in self.signal_names:
            values = src["signals"].get(name)
            if values is None:
                signals[name] = np.zeros(len(source_step), np.int64)
            else:
                signals[name] = np.where(held >= 0, values[source_step[np.maximum(held, 0)]], 0)
        return {
            "actions": actions,
            "eef_pose": eef_pose,
            "target_pose": target_pose,
            "gripper_action": np.concatenate([p[2] for p in parts]),
            "object_poses": {name: np.concatenate([p[3][name] for p in parts]) for name in self.object_names},
            "subtask_term_signals": signals,
            "src_demo_labels": np.full((len(actions), 1), d, np.int64),
            "src_demo_inds": np.array([d] * len(self.subtasks), np.int64),
        }

    def select(self, sub, objects, scene_q, draws):
        k_max = len(self.sources)
        if sub["selection"] == "random":
            return draws.integer(0, k_max - 1)
        obj = sub["object"]
        if obj is None:
            scores = np.zeros(k_max)
        else:
            orig_p, orig_q = self.start_poses[obj]
            scores = np.linalg.norm(objects[obj][:3, 3] - orig_p, axis=1) + quat_angle(scene_q[obj], orig_q)
        order = np.argsort(scores, kind="stable")
        k = min(sub["nn_k"], k_max)
        return int(order[draws.integer(0, k - 1)])

    def carry(self, src, name, source_step, commanded, state, current):
        """The object's pose at the start of each step of a segment, its pose after the segment, and
        the carry state after it. A source step the source shows carried makes the object follow the
        hand (at its pose in the hand frame at that step); the step after the source releases it
        leaves the object where it is."""
        n = len(source_step)
        flags, relative = src["carried"][name], src["relative"][name]
        on_source = source_step >= 0
        s = np.maximum(source_step, 0)
        grab = on_source & flags[s]
        if state < 0 and not grab.any():  # not carried, and not picked up in this segment
            return np.broadcast_to(current, (n, 4, 4)), current, -1
        release = on_source & ~grab & (s > 0) & flags[np.maximum(s - 1, 0)]
        event = np.where(grab, s, np.where(release, -2, -1))
        last_event = np.maximum.accumulate(np.where(event != -1, np.arange(n), -1))
        carried_from = np.where(last_event >= 0, event[np.maximum(last_event, 0)], state)
        carried = carried_from >= 0
        track = np.empty((n + 1, 4, 4))
        track[0] = current
        if carried.any():
            poses = np.matmul(commanded[carried], relative[carried_from[carried]])
            rank = np.cumsum(carried) - 1
            track[1:] = np.where((rank >= 0)[:, None, None], poses[np.maximum(rank, 0)], current)
        else:
            track[1:] = current
        after = carried_from[-1] if n else state
        return track[:n], track[n].copy(), (int(after) if after >= 0 else -1)

    # -----------------------------------------------------------------------------------------
    # The tracking loop, two ways

    def track_scalar(self, eef_p, eef_q, target_p, target_q, n_bridge, noise):
        """Python floats: per step, the OSC delta action that reaches the target from the current
        pose (normalized, clipped), noise (clipped), and the pose that action commands. The six
        action dimensions are written out, with their constants in locals."""
        (f00, f01, f02), (f10, f11, f12), (f20, f21, f22) = self.frame.tolist()
        lo0, lo1, lo2, lo3, lo4, lo5 = self.in_min.tolist()
        hi0, hi1, hi2, hi3, hi4, hi5 = self.in_max.tolist()
        r0, r1, r2, r3, r4, r5 = self.ratio.tolist()
        co0, co1, co2, co3, co4, co5 = self.c_out.tolist()
        ci0, ci1, ci2, ci3, ci4, ci5 = self.c_in.tolist()
        c = self.pose_columns.start
        n = len(target_p)
        rows = [None] * n
        cmd_p = [None] * n
        cmd_q = [None] * n
        noise_rows = [None] * n_bridge + (noise.tolist() if noise is not None else [None] * (n - n_bridge))
        px, py, pz = eef_p.tolist()
        qx, qy, qz, qw = eef_q.tolist()
        sqrt, atan2, sin, cos = math.sqrt, math.atan2, math.sin, math.cos
        for k, ((tx, ty, tz), (ax, ay, az, aw), e) in enumerate(zip(target_p.tolist(), target_q.tolist(), noise_rows)):
            # Position error, and rotation error (target * eef^-1 as a rotation vector).
            ex, ey, ez = tx - px, ty - py, tz - pz
            rx = aw * -qx + qw * ax + (ay * -qz + az * qy)
            ry = aw * -qy + qw * ay + (az * -qx + ax * qz)
            rz = aw * -qz + qw * az + (ax * -qy + ay * qx)
            rw = aw * qw - (ax * -qx + ay * -qy + az * -qz)
            if rw < 0:
                rx, ry, rz, rw = -rx, -ry, -rz, -rw
            s = sqrt(rx * rx + ry * ry + rz * rz)
            scale = 2 / rw if s == 0 else 2 * atan2(s, rw) / s
            rx, ry, rz = rx * scale, ry * scale, rz * scale
            # In the action frame, normalized and clipped.
            a0 = ((f00 * ex + f10 * ey + f20 * ez) - co0) / r0 + ci0
            a1 = ((f01 * ex + f11 * ey + f21 * ez) - co1) / r1 + ci1
            a2 = ((f02 * ex + f12 * ey + f22 * ez) - co2) / r2 + ci2
            a3 = ((f00 * rx + f10 * ry + f20 * rz) - co3) / r3 + ci3
            a4 = ((f01 * rx + f11 * ry + f21 * rz) - co4) / r4 + ci4
            a5 = ((f02 * rx + f12 * ry + f22 * rz) - co5) / r5 + ci5
            a0 = lo0 if a0 < lo0 else (hi0 if a0 > hi0 else a0)
            a1 = lo1 if a1 < lo1 else (hi1 if a1 > hi1 else a1)
            a2 = lo2 if a2 < lo2 else (hi2 if a2 > hi2 else a2)
            a3 = lo3 if a3 < lo3 else (hi3 if a3 > hi3 else a3)
            a4 = lo4 if a4 < lo4 else (hi4 if a4 > hi4 else a4)
            a5 = lo5 if a5 < lo5 else (hi5 if a5 > hi5 else a5)
            if e is not None:
                a0, a1, a2, a3, a4, a5 = a0 + e[0], a1 + e[1], a2 + e[2], a3 + e[3], a4 + e[4], a5 + e[5]
                a0 = lo0 if a0 < lo0 else (hi0 if a0 > hi0 else a0)
                a1 = lo1 if a1 < lo1 else (hi1 if a1 > hi1 else a1)
                a2 = lo2 if a2 < lo2 else (hi2 if a2 > hi2 else a2)
                a3 = lo3 if a3 < lo3 else (hi3 if a3 > hi3 else a3)
                a4 = lo4 if a4 < lo4 else (hi4 if a4 > hi4 else a4)
                a5 = lo5 if a5 < lo5 else (hi5 if a5 > hi5 else a5)
            rows[k] = (a0, a1, a2, a3, a4, a5)
            # The pose this action commands (the action is within its range already).
            u0, u1, u2 = (a0 - ci0) * r0 + co0, (a1 - ci1) * r1 + co1, (a2 - ci2) * r2 + co2
            u3, u4, u5 = (a3 - ci3) * r3 + co3, (a4 - ci4) * r4 + co4, (a5 - ci5) * r5 + co5
            px += f00 * u0 + f01 * u1 + f02 * u2
            py += f10 * u0 + f11 * u1 + f12 * u2
            pz += f20 * u0 + f21 * u1 + f22 * u2
            wx = f00 * u3 + f01 * u4 + f02 * u5
            wy = f10 * u3 + f11 * u4 + f12 * u5
            wz = f20 * u3 + f21 * u4 + f22 * u5
            t2 = wx * wx + wy * wy + wz * wz
            if t2 < 1e-6:
                sc = 0.5 - t2 / 48 + t2 * t2 / 3840
                dw = 1 - t2 / 8 + t2 * t2 / 384
            else:
                th = sqrt(t2)
                sc = sin(th / 2) / th
                dw = cos(th / 2)
            dx, dy, dz = wx * sc, wy * sc, wz * sc
            qx, qy, qz, qw = (dw * qx + qw * dx + (dy * qz - dz * qy),
                              dw * qy + qw * dy + (dz * qx - dx * qz),
                              dw * qz + qw * dz + (dx * qy - dy * qx),
                              dw * qw - (dx * qx + dy * qy + dz * qz))
            cmd_p[k] = (px, py, pz)
            cmd_q[k] = (qx, qy, qz, qw)
        actions = np.zeros((n, self.width))
        actions[:, c:c + 6] = rows
        return actions, np.array(cmd_p), np.array(cmd_q)

    def track_numpy(self, eef_p, eef_r, target_m, n_bridge, noise):
        """Small numpy arrays and rotation matrices per step (MimicGen's target_pose_to_action)."""
        frame, frame_t = self.frame, self.frame_t
        lo, hi, ratio, c_out, c_in = self.in_min, self.in_max, self.ratio, self.c_out, self.c_in
        c = self.pose_columns.start
        n = len(target_m)
        actions = np.zeros((n, self.width))
        commanded = np.zeros((n, 4, 4))
        commanded[:, 3, 3] = 1.0
        pos, rot = np.array(eef_p, dtype=np.float64), eef_r
        eye = np.eye(3)
        for k in range(n):
            target = target_m[k]
            dp = frame_t @ (target[:3, 3] - pos)
            d_rot = target[:3, :3] @ rot.T
            skew = d_rot - d_rot.T
            v = np.array((skew[2, 1], skew[0, 2], skew[1, 0]))
            s = math.sqrt(v @ v)  # 2 sin(angle)
            angle = math.atan2(s, np.trace(d_rot) - 1.0)
            dr = frame_t @ (v * (angle / s) if s > 0 else v * 0.5)
            a = np.clip((np.concatenate((dp, dr)) - c_out) / ratio + c_in, lo, hi)
            if k >= n_bridge and noise is not None:
                a = np.clip(a + noise[k - n_bridge], lo, hi)
            actions[k, c:c + 6] = a
            u = (np.clip(a, lo, hi) - c_in) * ratio + c_out
            pos = pos + frame @ u[:3]
            w = frame @ u[3:]
            theta = math.sqrt(w @ w)
            if theta > 0:
                kx, ky, kz = w / theta
                kmat = np.array(((0.0, -kz, ky), (kz, 0.0, -kx), (-ky, kx, 0.0)))
                rot = (eye + math.sin(theta) * kmat + (1 - math.cos(theta)) * (kmat @ kmat)) @ rot
            commanded[k, :3, :3] = rot
            commanded[k, :3, 3] = pos
        return actions, commanded


def demo_sort_key(name):
    tail = name.rsplit("_", 1)[-1]
    return (0, int(tail), name) if tail.isdigit() else (1, 0, name)


# ---------------------------------------------------------------------------------------------
# Timing and the check


def timed(planner, loop, demos, runs):
    for i in range(min(10, demos)):  # warm-up
        planner.generate(NumpyDraws(planner.seed, i), loop)
    out = []
    checksum = 0.0
    for _ in range(runs):
        steps = 0
        cpu0, wall0 = time.thread_time_ns(), time.perf_counter_ns()
        for i in range(demos):
            demo = planner.generate(NumpyDraws(planner.seed, i), loop)
            steps += len(demo["actions"])
            checksum += float(demo["actions"][-1, 0]) + float(demo["object_poses"][planner.object_names[0]][-1, 2, 3])
        cpu, wall = time.thread_time_ns() - cpu0, time.perf_counter_ns() - wall0
        out.append({"demos": demos, "steps": steps, "cpu_s": cpu / 1e9, "wall_s": wall / 1e9})
    return out, checksum


def check(planner, path, count):
    """Plans demos 0 ..< count with Swift's random stream and compares them with the Swift demos in `path`."""
    worst = {}
    problems = []
    with h5py.File(path, "r") as f:
        for loop in ("scalar", "numpy"):
            for i in range(count):
                mine = planner.generate(SwiftDraws(planner.seed, i), loop)
                g = f["data"][f"demo_{i}"]
                pairs = [("actions", mine["actions"], g["actions"][()]),
                         ("src_demo_labels", mine["src_demo_labels"], g["src_demo_labels"][()])]
                for key in ("eef_pose", "target_pose", "gripper_action"):
                    pairs.append((key, mine[key], g["datagen_info"][key][()]))
                for name, v in mine["object_poses"].items():
                    pairs.append(("object_poses", v, g["datagen_info/object_poses"][name][()]))
                for name, v in mine["subtask_term_signals"].items():
                    pairs.append(("subtask_term_signals", v, g["datagen_info/subtask_term_signals"][name][()]))
                for key, a, b in pairs:
                    if a.size != b.size:
                        problems.append(f"{loop} demo_{i} {key}: numpy shape {a.shape}, Swift {b.shape}")
                        continue
                    diff = float(np.max(np.abs(a - b.reshape(a.shape)))) if a.size else 0.0
                    worst[key] = max(worst.get(key, 0.0), diff)
    return {"demos": count, "max_abs_diff": worst, "problems": problems}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prepared", required=True, help="prepared robomimic file with datagen_info")
    ap.add_argument("--task", required=True, help="the resolved task as JSON (written by mimic-bench)")
    ap.add_argument("--demos", type=int, default=300, help="demos per timed run")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per loop version")
    ap.add_argument("--loops", default="scalar,numpy", help="tracking loop versions to time")
    ap.add_argument("--check", metavar="SWIFT_HDF5", help="Swift-generated demos demo_0.. to compare with")
    ap.add_argument("--check-demos", type=int, default=4)
    args = ap.parse_args()

    with open(args.task) as f:
        task = json.load(f)
    planner = Planner(args.prepared, task)
    report = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "h5py": h5py.__version__,
        "sources": len(planner.sources),
        "results": [],
    }
    checksum = 0.0
    for loop in [x for x in args.loops.split(",") if x]:
        runs, c = timed(planner, loop, args.demos, args.runs)
        checksum += c
        report["results"].append({"loop": loop, "runs": runs})
    if args.check:
        report["check"] = check(planner, args.check, args.check_demos)
    report["checksum"] = checksum
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
