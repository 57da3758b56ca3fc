#!/usr/bin/env python3
"""Replay a robomimic-layout robosuite dataset in the real robosuite simulator and report how
many demos succeed by robosuite's own env._check_success().

Usage:
    python3 Demos/verify/robosuite_replay.py FILE [--mode actions|states|both] [--json OUT.json]
        [--demos N | --sample N [--sample-seed S]] [--filter-key KEY] [--stale-objects]
        [--full-reset] [--independent] [--brief]

The env is built once from data.attrs["env_args"] (env_name + env_kwargs; renderers and camera
obs off, ignore_done and use_object_obs on, as robomimic's EnvRobosuite does). Demos are taken in
demo_N order, optionally only those listed in mask/KEY, then optionally only the first N, or a
random sample of N (seeded, reported in demo order).

  actions  Reset to the demo's model_file the way robomimic's
           EnvRobosuite.reset_to({"model": xml, "states": states[0]}) does
           (env.reset_from_xml_string(env.edit_model_xml(xml)), sim.reset(),
           sim.set_state_from_flattened(states[0]), sim.forward()), then env.step(a) for every
           recorded action (a copy of it: robosuite's WHOLE_BODY_IK controller rewrites the
           array it is given in place). Success: _check_success() is true after any step (MimicGen's
           criterion). first_success_step is the index t of the action after which it first
           holds; "at end" whether it holds after the last action. Also reported: the largest
           |qpos| and |qvel| difference between the sim state after action t and states[t+1] (0
           when the replay reproduces the recording exactly).
  states   For every t: sim.set_state_from_flattened(states[t]) + sim.forward(), then
           _check_success(). Success: true at any t; first_success_step is that t (states[t] is
           the state before action t); "at end" whether it holds in the last state. With --mode both it runs on the model the actions pass
           just loaded (--independent reloads it). With --mode states alone a model is loaded once
           for all demos that share its model_file (demos are visited grouped by model_file):
           every state row is complete, and _check_success reads only what forward() recomputes.

Asset paths in model_file (e.g. the placeholder prefix /path/to/site-packages/robosuite) are
remapped to the local robosuite by robosuite's own env.edit_model_xml.

Nothing is fixed up in the physics. In particular the first control step after the reset runs
with the controllers' cached reset kinematics (robosuite builds them at the noise-free init_qpos
during reset_from_xml_string and, with lite_physics, does not refresh them before the first
set_goal), exactly as in robosuite/robomimic playback and in recordings made through
DataCollectionWrapper, which does the same reset sequence.

One Python-side fix-up, on by default: TwoArmHandover._check_success reads the hammer's
handle_length / head_halfsize / handle_radius from the Python HammerObject the env built (with
random sizes) at its last hard reset, not from the loaded model, so after loading another scene's
XML its height test measures a different hammer. Those three attributes are set from the loaded
model's hammer_handle / hammer_head geoms after every load (the first change is printed).
--stale-objects skips this (plain robomimic playback).
"""

import argparse
import json
import sys
import time

import h5py
import mujoco
import numpy as np

import robosuite


# ------------------------------------------------------------------------------------------------
# Dataset access
# ------------------------------------------------------------------------------------------------


def _demo_sort_key(name):
    tail = name.split("_", 1)[1] if "_" in name else name
    return (0, int(tail), name) if tail.isdigit() else (1, 0, name)


def select_demos(f, filter_key, limit, sample=None, sample_seed=0):
    names = sorted((k for k in f["data"].keys() if k.startswith("demo")), key=_demo_sort_key)
    if filter_key is not None:
        path = f"mask/{filter_key}"
        if path not in f:
            have = sorted(f["mask"].keys()) if "mask" in f else []
            raise SystemExit(f"robosuite_replay: no {path} in the file (masks: {have})")
        keep = {n.decode() if isinstance(n, bytes) else str(n) for n in f[path][()]}
        missing = keep - set(names)
        if missing:
            raise SystemExit(f"robosuite_replay: {path} names demos not in data/: {sorted(missing)}")
        names = [n for n in names if n in keep]
    if limit is not None:
        names = names[:limit]
    if sample is not None and sample < len(names):
        chosen = np.random.default_rng(sample_seed).choice(len(names), size=sample, replace=False)
        names = [names[i] for i in sorted(chosen)]
    return names


def text_attr(value):
    return value.decode() if isinstance(value, bytes) else str(value)


# ------------------------------------------------------------------------------------------------
# Env
# ------------------------------------------------------------------------------------------------


def make_env(env_args):
    # Type 1 is robosuite's; Mimic's Isaac Lab layout (`--format isaaclab`) marks its files 2, as
    # Isaac Lab does, and keeps robosuite's env_kwargs and MuJoCo states.
    if env_args.get("type", 1) not in (1, 2) or "env_kwargs" not in env_args:
        raise SystemExit(f"robosuite_replay: env_args type {env_args.get('type')} without robosuite env_kwargs is not a robosuite file")
    kwargs = dict(env_args["env_kwargs"])
    # robomimic's EnvRobosuite for playback: no renderers, no images, never terminate
    kwargs.update(
        has_renderer=False,
        has_offscreen_renderer=False,
        use_camera_obs=False,
        ignore_done=True,
        use_object_obs=True,
    )
    for k in ("camera_names", "camera_heights", "camera_widths", "camera_depths", "render_gpu_device_id"):
        kwargs.pop(k, None)
    cc = kwargs.get("controller_configs")
    if isinstance(cc, dict) and "body_parts" not in cc and "type" in cc and not robosuite.__version__.startswith("1.4"):
        # robosuite <= 1.4 part-controller config: convert it the way robosuite 1.5 does
        from robosuite.controllers.composite.composite_controller_factory import (
            refactor_composite_controller_config,
        )

        robots = kwargs["robots"] if isinstance(kwargs["robots"], (list, tuple)) else [kwargs["robots"]]
        kwargs["controller_configs"] = refactor_composite_controller_config(cc, robots[0], ["right"])
        print(
            f"note: env_args has a robosuite <= 1.4 controller config ({cc['type']}); converted with "
            "refactor_composite_controller_config. Old datasets' action frames may differ in 1.5.",
            file=sys.stderr,
        )
    version = env_args.get("env_version")
    if version and version != robosuite.__version__:
        print(f"note: dataset env_version {version}, running robosuite {robosuite.__version__}", file=sys.stderr)
    return robosuite.make(env_args["env_name"], **kwargs)


def reset_to(env, model_xml, state, full_reset=False):
    """robomimic's EnvRobosuite.reset_to({"model": model_xml, "states": state}). robomimic 0.3.0
    calls env.reset() first; later robomimic dropped it ("doesn't seem necessary"): it rebuilds
    the env's model, which reset_from_xml_string then replaces. full_reset keeps it."""
    if full_reset:
        env.reset()
    env.reset_from_xml_string(env.edit_model_xml(model_xml))
    env.sim.reset()
    m = env.sim.model
    if len(state) != 1 + m.nq + m.nv + m.na:
        raise SystemExit(f"robosuite_replay: state size {len(state)}, model_file needs 1 + nq + nv + na = {1 + m.nq + m.nv + m.na}")
    env.sim.set_state_from_flattened(state)
    env.sim.forward()


def sync_python_objects(env):
    """Make Python-side object sizes that _check_success reads match the loaded model.
    Returns a description of what was changed (empty if nothing)."""
    changes = []
    hammer = getattr(env, "hammer", None)
    if hammer is not None and hasattr(hammer, "handle_length") and hasattr(hammer, "head_halfsize"):
        m = env.sim.model
        handle = m.geom_name2id(hammer.handle_geoms[0])
        head = m.geom_name2id(hammer.naming_prefix + "head")
        size = np.array(m.geom_size[handle])
        if m.geom_type[handle] == mujoco.mjtGeom.mjGEOM_BOX:  # (r, r, L/2)
            radius, half_length = size[0], size[2]
        else:  # cylinder / capsule: (r, L/2)
            radius, half_length = size[0], size[1]
        head_half = float(m.geom_size[head][1])  # head box half sizes (2h, h, h)
        new = dict(handle_length=2.0 * float(half_length), head_halfsize=head_half, handle_radius=float(radius))
        for attr, value in new.items():
            old = float(getattr(hammer, attr))
            if abs(old - value) > 1e-9:
                changes.append((f"hammer.{attr}", old, value))
            setattr(hammer, attr, value)
    return changes


def check_success(env):
    s = env._check_success()
    if isinstance(s, dict):
        s = s["task"]
    return bool(s)


# ------------------------------------------------------------------------------------------------
# Replays
# ------------------------------------------------------------------------------------------------


def replay_actions(env, model_xml, states, actions, sync, full_reset):
    reset_to(env, model_xml, states[0], full_reset)
    changes = sync_python_objects(env) if sync else []
    nq = env.sim.model.nq
    T = len(actions)
    first = None
    dq = dv = 0.0
    succeeds = False
    for t in range(T):
        # a copy: some composite controllers (WHOLE_BODY_IK, the GR1's default) rewrite the action
        # array they are given in place
        env.step(np.array(actions[t], dtype=np.float64, copy=True))
        succeeds = check_success(env)
        if first is None and succeeds:
            first = t
        if t + 1 < len(states):
            # flattened state: [time, qpos (nq), qvel (nv), act]
            d = np.abs(env.sim.get_state().flatten() - states[t + 1])
            dq = max(dq, float(d[1 : 1 + nq].max()))
            dv = max(dv, float(d[1 + nq :].max()))
    return (
        dict(success=first is not None, first_success_step=first, success_at_end=succeeds, steps=T, max_qpos_diff=dq, max_qvel_diff=dv),
        changes,
    )


def replay_states(env, model_xml, states, sync, full_reset, reload=True):
    """reload=False reuses the model the actions replay of the same demo just loaded (every state
    row is complete, and _check_success reads positions and contacts only, which forward()
    recomputes from it)."""
    changes = []
    if reload:
        reset_to(env, model_xml, states[0], full_reset)
        changes = sync_python_objects(env) if sync else []
    def succeeds(t):
        env.sim.set_state_from_flattened(states[t])
        env.sim.forward()
        return check_success(env)

    first = next((t for t in range(len(states)) if succeeds(t)), None)
    at_end = first == len(states) - 1 or (first is not None and succeeds(len(states) - 1))
    return dict(success=first is not None, first_success_step=first, success_at_end=at_end, steps=len(states)), changes


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def summary(per_demo):
    n = len(per_demo)
    ok = sum(1 for r in per_demo.values() if r["success"])
    at_end = sum(1 for r in per_demo.values() if r["success_at_end"])
    return {"successes": ok, "success_rate": (ok / n) if n else 0.0, "successes_at_end": at_end, "per_demo": per_demo}


def fmt_first(r):
    return "-" if r is None or r["first_success_step"] is None else str(r["first_success_step"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file")
    p.add_argument("--mode", choices=("actions", "states", "both"), default="both")
    p.add_argument("--json", metavar="OUT.json", help="write the results here")
    p.add_argument("--demos", type=int, default=None, metavar="N", help="only the first N (selected) demos")
    p.add_argument("--brief", action="store_true", help="print only one verdict line per mode")
    p.add_argument("--sample", type=int, default=None, metavar="N", help="a random sample of N of the (selected) demos")
    p.add_argument("--sample-seed", type=int, default=0, metavar="S", help="seed of --sample (default 0)")
    p.add_argument("--filter-key", default=None, metavar="KEY", help="only the demos listed in mask/KEY")
    p.add_argument(
        "--stale-objects",
        action="store_true",
        help="do not set the env's Python-side hammer sizes from the loaded model (plain robomimic playback)",
    )
    p.add_argument(
        "--full-reset",
        action="store_true",
        help="call env.reset() before loading each model_file, as robomimic 0.3.0's reset_to does (slower)",
    )
    p.add_argument(
        "--independent",
        action="store_true",
        help="reload the model_file for every demo's states pass (default: with --mode both reuse the actions pass's load, "
        "with --mode states reuse a load for every demo of the same model_file)",
    )
    args = p.parse_args()
    if args.demos is not None and args.demos < 0:
        p.error("--demos must be >= 0")
    if args.sample is not None and (args.sample < 0 or args.demos is not None):
        p.error("--sample takes N >= 0 and excludes --demos")

    modes = ("actions", "states") if args.mode == "both" else (args.mode,)
    t0 = time.time()
    results = {m: {} for m in modes}
    printed_sync = False
    with h5py.File(args.file, "r") as f:
        env_args = json.loads(text_attr(f["data"].attrs["env_args"]))
        names = select_demos(f, args.filter_key, args.demos, args.sample, args.sample_seed)
        env = make_env(env_args)
        action_dim = env.action_dim
        if not args.brief:
            print(
                f"{args.file}: {env_args['env_name']}, {len(env.robots)} robot(s), action dim {action_dim}, "
                f"{len(names)} demos, mode {args.mode}, robosuite {robosuite.__version__}, mujoco {mujoco.__version__}"
            )
        visit = names
        loaded = None  # the model_file the states-only pass last loaded
        if modes == ("states",) and not args.independent:
            visit = sorted(names, key=lambda n: (hash(text_attr(f["data"][n].attrs.get("model_file", ""))), _demo_sort_key(n)))
        for name in visit:
            g = f["data"][name]
            if "states" not in g or "model_file" not in g.attrs:
                raise SystemExit(
                    f"robosuite_replay: {args.file} {name} has no states / model_file attribute; a replay needs "
                    "the demo's scene XML and its first state (Mimic's kinematic candidates have no states)"
                )
            states = np.asarray(g["states"][()], dtype=np.float64)
            actions = np.asarray(g["actions"][()], dtype=np.float64)
            if actions.ndim != 2 or actions.shape[1] != action_dim:
                raise SystemExit(f"{name}: actions shape {actions.shape}, env action dim {action_dim}")
            model_xml = text_attr(g.attrs["model_file"])
            if states.ndim != 2 or len(states) == 0:
                raise SystemExit(f"{name}: states shape {states.shape}")
            for m in modes:
                sync = not args.stale_objects
                if m == "actions":
                    r, changes = replay_actions(env, model_xml, states, actions, sync, args.full_reset)
                elif modes == ("states",) and not args.independent:
                    r, changes = replay_states(env, model_xml, states, sync, args.full_reset, reload=model_xml != loaded)
                    loaded = model_xml
                else:
                    reload = "actions" not in modes or args.independent
                    r, changes = replay_states(env, model_xml, states, sync, args.full_reset, reload)
                results[m][name] = r
                if changes and not printed_sync and not args.brief:
                    printed_sync = True
                    desc = ", ".join(f"{a} {o:.6g} -> {v:.6g}" for a, o, v in changes)
                    print(f"note: set from the loaded model (first time, {name}): {desc}")

    # table
    head = ["demo", "T"]
    if "actions" in modes:
        head += ["actions", "first success step", "at end", "max |dqpos|", "max |dqvel|"]
    if "states" in modes:
        head += ["states", "first success state", "at end"]
    rows = [head]
    for name in names:
        a = results.get("actions", {}).get(name)
        s = results.get("states", {}).get(name)
        row = [name, str((a or s)["steps"])]
        if a is not None:
            row += [
                "success" if a["success"] else "FAIL",
                fmt_first(a),
                "yes" if a["success_at_end"] else "no",
                f"{a['max_qpos_diff']:.2g}",
                f"{a['max_qvel_diff']:.2g}",
            ]
        if s is not None:
            row += ["success" if s["success"] else "FAIL", fmt_first(s), "yes" if s["success_at_end"] else "no"]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for i, r in enumerate(rows if not args.brief else []):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))

    out = {"file": args.file, "env_name": env_args["env_name"], "demos": len(names)}
    for m in modes:
        out[m] = summary(results[m])
        verdict = (
            f"{out[m]['successes']}/{len(names)} successful, success rate {100 * out[m]['success_rate']:.1f} %; "
            f"{out[m]['successes_at_end']}/{len(names)} successful at the end"
        )
        print(f"robosuite {robosuite.__version__} on {args.file}, by {m}: {verdict}" if args.brief else f"{m}: {verdict}")
    seconds = time.time() - t0
    out["seconds"] = seconds
    out["stale_objects"] = bool(args.stale_objects)
    out["full_reset"] = bool(args.full_reset)
    if not args.brief:
        print(f"{seconds:.1f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
