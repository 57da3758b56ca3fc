#!/usr/bin/env python3
"""Behaviour cloning on a Mimic run while it is being generated (CPU, a small MLP).

    mimic augment PREPARED.hdf5 -o runs/lift -n 1000 --shard-size 50 --execute --manifest - |
        python3 Demos/train/train_bc.py - --root runs/lift --obs-keys robot0_eef_pos cube_pos

    python3 Demos/train/train_bc.py runs/lift --obs-keys robot0_eef_pos cube_pos   # follow the directory

The policy maps the first step's observations to the window's seq_length actions. It prints a
line every --print-every steps with the number of shards it has trained on, and exits when the
stream ends (the run's end; then --epochs - 1 more passes over all of it).
"""

import argparse
import json
import os
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mimic_stream import MANIFEST, INDEX, MimicShardStream  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", help="- (stdin), a named pipe, a manifest file, or a run directory")
    parser.add_argument("--root", help="the run directory (needed when the manifest comes through a pipe)")
    parser.add_argument("--obs-keys", nargs="+", required=True)
    parser.add_argument("--seq-length", type=int, default=1)
    parser.add_argument("--filter-key", help="train on one mask's demos (train, valid)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--shuffle-buffer", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader workers")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (a tiny MLP gains nothing from more)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--print-every", type=int, default=50)
    parser.add_argument("--record", help="write what each step trained on to this file, a JSON line per step")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    stream = MimicShardStream(
        args.source, root=args.root, obs_keys=args.obs_keys, seq_length=args.seq_length,
        filter_key=args.filter_key, shuffle_buffer=args.shuffle_buffer, seed=args.seed,
    )
    loader = DataLoader(stream, batch_size=args.batch_size, num_workers=args.workers)
    record = open(args.record, "w") if args.record else None
    model, shards, step = None, set(), 0
    for epoch in range(args.epochs):
        stream.set_epoch(epoch)
        for batch in loader:
            if record:  # the run as it stands when this step's batch is in: its landed shards, its index
                with open(os.path.join(stream.root, MANIFEST)) as f:
                    landed = sum(1 for line in f if line.strip())
                ended = os.path.exists(os.path.join(stream.root, INDEX))
            obs = torch.cat([batch["obs"][k][:, 0].flatten(1) for k in args.obs_keys], dim=1)
            target = batch["actions"].flatten(1)
            if model is None:
                model = nn.Sequential(nn.Linear(obs.shape[1], 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, target.shape[1]))
                optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
            loss = nn.functional.mse_loss(model(obs), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            shards.update(batch["shard"])
            if record:
                items = [[s, d, int(i)] for s, d, i in zip(batch["shard"], batch["demo"], batch["index"])]
                json.dump({"epoch": epoch, "step": step, "landed": landed, "index": ended, "items": items}, record)
                record.write("\n")
                record.flush()
            if step % args.print_every == 0:
                print(f"epoch {epoch}  step {step}  loss {loss.item():.4f}  shards {len(shards)}", flush=True)
    if model is None:
        sys.exit("train_bc.py: the stream held no samples")
    print(f"done: {step} steps, {args.epochs} epochs, {len(shards)} shards, final loss {loss.item():.4f}", flush=True)


if __name__ == "__main__":
    main()
