#!/usr/bin/env python3
"""Compare the datagen_info of a prepared file (`mimic prepare`) with a simulator reference
(`mimicgen_reference.py`).

Usage:
    python3 Demos/verify/compare_datagen_info.py PREPARED.hdf5 REF.hdf5 [--source SOURCE.hdf5] [--json OUT.json]

Per demo it prints the max abs difference of
  eef position (m) and eef rotation (rad, the angle between the two rotation matrices),
  target position / rotation against the reference's MimicGen-formula target_pose
      (and, when the reference has it, against target_pose_base: the target robosuite's
      controller really aims at with input_ref_frame "base"),
  gripper_action,
  every object pose (matched by name, case-insensitive: Mimic names objects after obs keys),
and for every grasp signal the first 0->1 step of Mimic's heuristic signal vs the reference's
contact-based grasp (offset = Mimic - reference), plus whether the reference has finger contact
at Mimic's step. It also checks that every Mimic pose matrix is a rigid transform.

With --source, it also checks that every dataset and attribute of the source file is in the
prepared file unchanged (values, dtype, shape, compression): prepare must only add datagen_info.

Verdict: eef and object poses within 1e-6, target poses within 1e-4 (the acceptance criteria).
The target check uses, by default, the target robosuite 1.5's controller really aims at
(target_pose_base: deltas in the robot base frame); MimicGen's literal world-frame formula
(target_pose) is printed beside it and equals it when the robot bases are not rotated (Lift,
PickPlaceCan); --target mimicgen makes the verdict use the literal formula.
Exit code 0 when the verdict passes, 1 otherwise.
"""

import argparse
import json
import math
import sys

import h5py
import numpy as np

POSE_TOL = 1e-6
TARGET_TOL = 1e-4


def demo_names(group):
    return sorted((k for k in group.keys() if k.startswith("demo_")), key=lambda n: int(n.split("_")[1]))


def rot_angle(a, b):
    """Angle (rad) of a^T b for stacks of rotation matrices (T,3,3); accurate for tiny angles."""
    fro = np.linalg.norm(a - b, axis=(-2, -1))  # = 2*sqrt(2)*sin(theta/2)
    return 2.0 * np.arcsin(np.clip(fro / (2.0 * math.sqrt(2.0)), 0.0, 1.0))


def pose_diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shape {a.shape} vs {b.shape}")
    dp = np.abs(a[:, :3, 3] - b[:, :3, 3]).max()
    dr = rot_angle(a[:, :3, :3], b[:, :3, :3]).max()
    return float(dp), float(dr)


def rigid_error(m):
    """Max deviation of a (T,4,4) stack from rigid transforms (orthonormality, det, last row)."""
    m = np.asarray(m, dtype=np.float64)
    R = m[:, :3, :3]
    orth = np.abs(np.einsum("tij,tkj->tik", R, R) - np.eye(3)).max()
    det = np.abs(np.linalg.det(R) - 1.0).max()
    row = np.abs(m[:, 3, :] - np.array([0.0, 0.0, 0.0, 1.0])).max()
    return float(max(orth, det, row))


def effectors(di):
    """{name: (eef, target, gripper, target_base or None)} from MimicGen's flat or per-eef layout."""
    out = {}
    if isinstance(di.get("eef_pose"), h5py.Dataset):
        tb = di["target_pose_base"][()] if "target_pose_base" in di else None
        out["robot0"] = (di["eef_pose"][()], di["target_pose"][()], di["gripper_action"][()], tb)
    elif "eef_pose" in di:
        for name in di["eef_pose"]:
            tb = di[f"target_pose_base/{name}"][()] if "target_pose_base" in di else None
            out[name] = (di[f"eef_pose/{name}"][()], di[f"target_pose/{name}"][()], di[f"gripper_action/{name}"][()], tb)
    return out


def first_rise(sig):
    s = np.asarray(sig).reshape(-1) != 0
    for i in range(len(s)):
        if s[i] and (i == 0 or not s[i - 1]):
            return i
    return None


def first_fall_after(sig, start):
    s = np.asarray(sig).reshape(-1) != 0
    if start is None:
        return None
    for i in range(start + 1, len(s)):
        if s[i - 1] and not s[i]:
            return i
    return None


def signal_pairs(mimic_sigs, ref_sigs, eef_names):
    """(label, mimic signal name, reference signal name) for grasp signals present in both."""
    pairs = []
    if "grasp" in ref_sigs:
        if "grasp" in mimic_sigs:
            pairs.append(("grasp", "grasp", "grasp"))
    for e in eef_names:
        r = f"grasp_{e}"
        if r in ref_sigs:
            m = r if r in mimic_sigs else ("grasp" if len(eef_names) == 1 and "grasp" in mimic_sigs else None)
            if m:
                pairs.append((r, m, r))
    return pairs


def copy_problems(source, prepared):
    """Datasets/attributes of `source` missing or changed in `prepared`."""
    out = []
    with h5py.File(source, "r") as a, h5py.File(prepared, "r") as b:
        def check_attrs(name, oa, ob):
            for k, v in oa.attrs.items():
                if k not in ob.attrs:
                    out.append(f"{name or '/'}: attribute {k} missing")
                elif not np.array_equal(np.asarray(v), np.asarray(ob.attrs[k])):
                    out.append(f"{name or '/'}: attribute {k} changed")

        def visit(name, oa):
            if name not in b:
                out.append(f"{name}: missing")
                return
            ob = b[name]
            check_attrs(name, oa, ob)
            if isinstance(oa, h5py.Dataset):
                if not isinstance(ob, h5py.Dataset):
                    out.append(f"{name}: not a dataset")
                elif oa.dtype != ob.dtype or oa.shape != ob.shape:
                    out.append(f"{name}: {oa.dtype}{oa.shape} became {ob.dtype}{ob.shape}")
                elif not np.array_equal(oa[()], ob[()]):
                    out.append(f"{name}: values changed")
                elif oa.compression != ob.compression:
                    out.append(f"{name}: compression {oa.compression} became {ob.compression}")

        check_attrs("", a, b)
        a.visititems(visit)
    return out


def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.2e}"
    return str(x)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("prepared")
    p.add_argument("reference")
    p.add_argument("--source", help="the source file prepare read: check everything in it was copied unchanged")
    p.add_argument("--target", choices=["controller", "mimicgen"], default="controller",
                   help="reference target for the verdict: robosuite 1.5's controller target (target_pose_base, "
                        "default) or MimicGen's world-frame formula (target_pose); both are printed")
    p.add_argument("--json", help="also write all numbers to this JSON file")
    args = p.parse_args()

    problems = []
    rows = []
    worst = dict(eef_pos=0.0, eef_rot=0.0, target_pos=0.0, target_rot=0.0, target_base_pos=None, target_base_rot=None,
                 gripper=0.0, object_pos=0.0, object_rot=0.0, rigid=0.0)
    grasp_rows = []
    with h5py.File(args.prepared, "r") as fm, h5py.File(args.reference, "r") as fr:
        dm, dr = fm["data"], fr["data"]
        names_m, names_r = demo_names(dm), demo_names(dr)
        for n in sorted(set(names_m) ^ set(names_r)):
            problems.append(f"{n}: only in {'prepared' if n in names_m else 'reference'}")
        common = [n for n in names_r if n in names_m]
        for n in common:
            if "datagen_info" not in dm[n]:
                problems.append(f"{n}: prepared file has no datagen_info")
                continue
            gm, gr = dm[n]["datagen_info"], dr[n]["datagen_info"]
            em, er = effectors(gm), effectors(gr)
            if set(em) != set(er):
                problems.append(f"{n}: end effectors {sorted(em)} vs reference {sorted(er)}")
            for e in sorted(set(em) & set(er)):
                eef_m, tgt_m, grip_m, _ = em[e]
                eef_r, tgt_r, grip_r, tb_r = er[e]
                row = dict(demo=n, what=e)
                row["eef_pos"], row["eef_rot"] = pose_diff(eef_m, eef_r)
                row["target_pos"], row["target_rot"] = pose_diff(tgt_m, tgt_r)
                if tb_r is not None:
                    row["target_base_pos"], row["target_base_rot"] = pose_diff(tgt_m, tb_r)
                    # how far MimicGen's world-frame formula is from the controller's real target
                    row["mg_vs_base_pos"], row["mg_vs_base_rot"] = pose_diff(tgt_r, tb_r)
                row["gripper"] = float(np.abs(np.asarray(grip_m, float) - np.asarray(grip_r, float)).max())
                row["rigid"] = max(rigid_error(eef_m), rigid_error(tgt_m))
                rows.append(row)
                for k in ("eef_pos", "eef_rot", "target_pos", "target_rot", "gripper", "rigid"):
                    worst[k] = max(worst[k], row[k])
                for k in ("target_base_pos", "target_base_rot"):
                    if k in row:
                        worst[k] = max(worst[k] or 0.0, row[k])
            om = {k.lower(): k for k in gm.get("object_poses", {}).keys()}
            orf = {k.lower(): k for k in gr.get("object_poses", {}).keys()}
            for missing in sorted(set(orf) - set(om)):
                problems.append(f"{n}: object {orf[missing]} not in prepared datagen_info (has {sorted(om.values())})")
            for key in sorted(set(om) & set(orf)):
                a = gm["object_poses"][om[key]][()]
                b = gr["object_poses"][orf[key]][()]
                row = dict(demo=n, what=f"object {om[key]}")
                row["object_pos"], row["object_rot"] = pose_diff(a, b)
                row["rigid"] = rigid_error(a)
                rows.append(row)
                worst["object_pos"] = max(worst["object_pos"], row["object_pos"])
                worst["object_rot"] = max(worst["object_rot"], row["object_rot"])
                worst["rigid"] = max(worst["rigid"], row["rigid"])
            sm = gm.get("subtask_term_signals", {})
            sr = gr.get("subtask_term_signals", {})
            pairs = signal_pairs(set(sm.keys()), set(sr.keys()), sorted(em))
            if not pairs:
                problems.append(f"{n}: no grasp signal to compare (prepared has {sorted(sm.keys())}, reference {sorted(sr.keys())})")
            for label, kmi, kre in pairs:
                a, b = sm[kmi][()], sr[kre][()]
                ra, rb = first_rise(a), first_rise(b)
                contact_at_mimic = None if ra is None else int(np.asarray(b).reshape(-1)[ra])
                fall_ref = first_fall_after(b, rb)
                rel_key = kmi.replace("grasp", "release")
                rel_m = first_rise(sm[rel_key][()]) if rel_key in sm else None
                grasp_rows.append(dict(demo=n, signal=label, mimic=ra, reference=rb,
                                       offset=None if ra is None or rb is None else ra - rb,
                                       contact_at_mimic_step=contact_at_mimic,
                                       mimic_release=rel_m, reference_contact_lost=fall_ref))

    # table
    cols = ["eef_pos", "eef_rot", "target_pos", "target_rot", "target_base_pos", "target_base_rot",
            "mg_vs_base_pos", "mg_vs_base_rot", "gripper", "object_pos", "object_rot", "rigid"]
    used = [c for c in cols if any(c in r for r in rows)]
    head = f"{'demo':<9} {'what':<16} " + " ".join(f"{c:>15}" for c in used)
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['demo']:<9} {r['what']:<16} " + " ".join(f"{fmt(r.get(c)):>15}" for c in used))
    print()
    print("max over demos: " + ", ".join(f"{k} {fmt(v)}" for k, v in worst.items() if v is not None))
    print()
    print(f"{'demo':<9} {'signal':<14} {'mimic':>6} {'ref':>6} {'offset':>7} {'contact@mimic':>14} {'mimic_release':>14} {'ref_contact_lost':>17}")
    for g in grasp_rows:
        print(f"{g['demo']:<9} {g['signal']:<14} {fmt(g['mimic']):>6} {fmt(g['reference']):>6} {fmt(g['offset']):>7} "
              f"{fmt(g['contact_at_mimic_step']):>14} {fmt(g['mimic_release']):>14} {fmt(g['reference_contact_lost']):>17}")
    offsets = [g["offset"] for g in grasp_rows if g["offset"] is not None]
    missing_rise = [f"{g['demo']}/{g['signal']}" for g in grasp_rows if g["offset"] is None]
    if args.source:
        copy = copy_problems(args.source, args.prepared)
        print(f"\ncopy of source: {'intact' if not copy else f'{len(copy)} problems'}")
        problems += [f"copy: {c}" for c in copy[:20]]
    for p_ in problems:
        print("PROBLEM:", p_)

    poses_ok = max(worst["eef_pos"], worst["eef_rot"], worst["object_pos"], worst["object_rot"]) <= POSE_TOL
    # Which reference target the verdict uses: robosuite's real controller target when the
    # reference has it (--target controller, default), or MimicGen's world-frame formula.
    if args.target == "controller" and worst["target_base_pos"] is not None:
        t_pos, t_rot, t_name = worst["target_base_pos"], worst["target_base_rot"], "robosuite controller target"
    else:
        t_pos, t_rot, t_name = worst["target_pos"], worst["target_rot"], "MimicGen world-frame formula"
    target_ok = max(t_pos, t_rot) <= TARGET_TOL
    other = ""
    if worst["target_base_pos"] is not None:
        if t_name.startswith("robosuite"):
            other = f" [vs MimicGen world-frame formula: pos {fmt(worst['target_pos'])} m, rot {fmt(worst['target_rot'])} rad]"
        else:
            other = f" [vs robosuite controller target: pos {fmt(worst['target_base_pos'])} m, rot {fmt(worst['target_base_rot'])} rad]"
    ok = poses_ok and target_ok and not problems and bool(rows)
    grasp_txt = (f"grasp step offset (mimic - contact) min {min(offsets)} max {max(offsets)} "
                 f"mean {np.mean(offsets):+.2f} mean|.| {np.mean(np.abs(offsets)):.2f} over {len(offsets)} signals"
                 if offsets else "no grasp offsets")
    if missing_rise:
        grasp_txt += f"; no rise in {', '.join(missing_rise)}"
    print()
    print(f"VERDICT: {'PASS' if ok else 'FAIL'}: eef/object poses {'within' if poses_ok else 'NOT within'} {POSE_TOL:g} "
          f"(pos {fmt(max(worst['eef_pos'], worst['object_pos']))} m, rot {fmt(max(worst['eef_rot'], worst['object_rot']))} rad), "
          f"target poses {'within' if target_ok else 'NOT within'} {TARGET_TOL:g} of the {t_name} "
          f"(pos {fmt(t_pos)} m, rot {fmt(t_rot)} rad){other}; {grasp_txt}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(rows=rows, worst=worst, grasp=grasp_rows, problems=problems, verdict=ok), f, indent=1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
