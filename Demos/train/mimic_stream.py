"""A PyTorch dataset that follows a Mimic run while it is being written, shard by shard.

`mimic augment SRC -o DIR -n N --shard-size K` lands DIR/shard-00000.hdf5, DIR/shard-00001.hdf5,
... one at a time, each a complete robomimic file, and describes each in a manifest line (the
file DIR/manifest.jsonl, and with `--manifest -` also a line on stdout as the shard lands).
`MimicShardStream` reads those lines from wherever they are (a pipe, a named pipe, a manifest
file, or the run directory), opens each shard as soon as its line appears, and yields the
samples robomimic's `SequenceDataset` yields for it, so that training starts on the first shard
while the run goes on.

The end of the run:

- a pipe or named pipe (`-` is stdin) ends at its end of file: the writer has exited. If
  ROOT/index.hdf5 is not there by then, the run stopped before it finished (killed, or failed),
  and the stream raises `RunEndedEarly` after the last shard it got (`require_finished=False`
  ends it quietly instead).
- a run directory, or a manifest file, ends when ROOT/index.hdf5 exists: Mimic writes the index
  only when the run ends, after the manifest's last line, so the manifest read after the index
  has appeared lists every shard. A run that died leaves no index: `idle_timeout` (seconds
  without a new shard) turns that wait into a `TimeoutError`.

Only the standard library, numpy, h5py and torch are used.
"""

import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import threading
import time
import warnings
import weakref

import h5py
import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

MANIFEST = "manifest.jsonl"
INDEX = "index.hdf5"


class RunEndedEarly(RuntimeError):
    """The manifest stream ended (its writer exited) before the run wrote its index."""


class MimicShardStream(IterableDataset):
    """Samples of a Mimic run's shards, in manifest order, as the shards land.

    Args:
        source: "-" (stdin), a named pipe or a manifest file (lines as `--manifest` writes
            them; a file not there yet must end in .jsonl), a run directory (follows
            DIR/manifest.jsonl; it may not exist yet), or an open pipe or file (a file object
            with a descriptor) to read manifest lines from.
        root: the run directory the manifest's `file` names are relative to. Defaults to the
            directory itself, or the manifest file's directory; a pipe needs it.
        obs_keys: the `obs/<key>` datasets to yield (default: every dataset under `obs/`).
        seq_length: steps per sample, as robomimic's `seq_length`: a sample starts at every step
            of a demo and runs past its end by repeating the last step (`pad_seq_length=True`,
            `frame_stack=1`). `pad_mask` marks the steps that are the demo's own.
        filter_key: yield only the demos of each shard's `mask/<filter_key>` (`train`, `valid`).
        shuffle_buffer: shuffle through a buffer of this many samples (0: manifest order).
        seed: the shuffle's seed; the order depends only on seed, epoch (`set_epoch`) and the
            worker, never on when the shards land.
        follow: wait for shards until the run ends; False takes the manifest as it is now (a
            pipe is always read to its end).
        verify: check each shard's size and SHA-256 against its manifest line before use.
        require_finished: a pipe that ends before the run wrote its index raises `RunEndedEarly`.
        poll_interval: seconds between looks at a manifest file.
        idle_timeout: seconds to wait for a new shard before raising `TimeoutError` (None: forever).

    Each DataLoader worker takes every num_workers-th shard of the manifest, so every sample is
    yielded once per pass whatever num_workers is.
    """

    def __init__(
        self,
        source,
        obs_keys=None,
        seq_length=1,
        filter_key=None,
        shuffle_buffer=0,
        seed=0,
        follow=True,
        verify=True,
        root=None,
        require_finished=True,
        poll_interval=0.1,
        idle_timeout=None,
    ):
        super().__init__()
        if seq_length < 1:
            raise ValueError("seq_length must be at least 1")
        self.obs_keys = list(obs_keys) if obs_keys is not None else None
        self.seq_length = int(seq_length)
        self.filter_key = filter_key
        self.shuffle_buffer = int(shuffle_buffer)
        self.seed = seed
        self.follow = follow
        self.verify = verify
        self.require_finished = require_finished
        self.poll_interval = poll_interval
        self.idle_timeout = idle_timeout
        self.epoch = 0
        self._verified = set()

        pipe = None
        if isinstance(source, os.PathLike):
            source = os.fspath(source)
        if hasattr(source, "fileno"):
            pipe = os.dup(source.fileno())
        elif source == "-":
            pipe = os.dup(sys.stdin.fileno())
        elif os.path.isdir(source) or not (os.path.exists(source) or source.endswith(".jsonl")):
            root = root or source  # a run directory, maybe not made yet
            self.manifest = os.path.join(source, MANIFEST)
        elif stat.S_ISFIFO(os.stat(source).st_mode):
            pipe = source
        else:  # a manifest file, maybe not written yet
            root = root or os.path.dirname(os.path.abspath(source))
            self.manifest = source
        if root is None:
            raise ValueError("a manifest read from a pipe names shards relative to the run directory: pass root=DIR")
        self.root = os.path.abspath(root)

        # A pipe can be read by one process only: a thread of this one copies its lines into a
        # spool file, and every iterator (DataLoader workers, later epochs) follows that file.
        self._spool = None
        if pipe is not None:
            self._spool = tempfile.mkdtemp(prefix="mimic-stream-")
            self.manifest = os.path.join(self._spool, MANIFEST)
            open(self.manifest, "w").close()
            self._finalizer = weakref.finalize(self, _remove_spool, self._spool, os.getpid())
            self._thread = threading.Thread(target=self._copy_pipe, args=(pipe,), daemon=True)
            self._thread.start()

    def __getstate__(self):  # for DataLoader workers started with spawn
        state = dict(self.__dict__)
        state.pop("_thread", None)
        state.pop("_finalizer", None)
        return state

    def set_epoch(self, epoch):
        """Sets the epoch the shuffle's order depends on (call it before each pass)."""
        self.epoch = epoch

    # The manifest

    def _copy_pipe(self, pipe):
        # The pipe is read with os.read on a file descriptor of its own: a DataLoader worker
        # forked while this thread waits in sys.stdin's reader would find that reader's lock
        # taken (multiprocessing closes sys.stdin in its children) and hang.
        end = {"finished": False}
        try:
            fd = os.open(pipe, os.O_RDONLY) if isinstance(pipe, str) else pipe
            with open(self.manifest, "a") as spool:
                seen = set()
                for line in _lines(fd):
                    if not line.strip():
                        continue
                    record = _record(line)
                    if record is None:
                        raise ValueError(f"not a manifest line (was --manifest - given?): {line.strip()[:200]}")
                    # A resumed run prints only the shards it lands: the ones landed before are
                    # in ROOT/manifest.jsonl, ahead of this one.
                    for earlier in _read_manifest(os.path.join(self.root, MANIFEST)):
                        if earlier["file"] == record["file"]:
                            break
                        if earlier["file"] not in seen:
                            seen.add(earlier["file"])
                            spool.write(json.dumps(earlier) + "\n")
                    if record["file"] not in seen:
                        seen.add(record["file"])
                        spool.write(json.dumps(record) + "\n")
                    spool.flush()
            end["finished"] = os.path.exists(os.path.join(self.root, INDEX))
        except Exception as error:  # reported by the iterators
            end["error"] = f"{type(error).__name__}: {error}"
        with open(os.path.join(self._spool, "end.json.partial"), "w") as f:
            json.dump(end, f)
        os.replace(os.path.join(self._spool, "end.json.partial"), os.path.join(self._spool, "end.json"))

    def _end(self):
        """None while the run goes on; once it has ended, why (None or an exception to raise)."""
        if self._spool is None:
            if os.path.exists(os.path.join(self.root, INDEX)) or not self.follow:
                return (None,)
            return None
        path = os.path.join(self._spool, "end.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            end = json.load(f)
        if "error" in end:
            return (RuntimeError(f"reading the manifest stream failed: {end['error']}"),)
        if not end["finished"] and self.require_finished:
            return (
                RunEndedEarly(
                    f"the manifest stream ended before the run finished (no {INDEX} in {self.root}): the run stopped early; "
                    "rerun its command to resume it, and follow the directory"
                ),
            )
        return (None,)

    def records(self):
        """The manifest's shard records in order, each once, as they appear; returns when the run ends."""
        seen, last_new = set(), time.monotonic()
        while True:
            # Looked at before the manifest is read: what the run wrote before it ended is then there.
            end = self._end()
            for record in _read_manifest(self.manifest):
                if record["file"] not in seen:
                    seen.add(record["file"])
                    last_new = time.monotonic()
                    yield record
            if end is not None:
                if end[0] is not None:
                    raise end[0]
                return
            if self.idle_timeout is not None and time.monotonic() - last_new > self.idle_timeout:
                raise TimeoutError(f"no new shard in {self.manifest} for {self.idle_timeout} s and no {INDEX} in {self.root}")
            time.sleep(self.poll_interval)

    # The samples

    def __iter__(self):
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        samples = (
            sample
            for position, record in enumerate(self.records())
            if position % workers == worker
            for sample in self.shard_samples(record)
        )
        if self.shuffle_buffer <= 1:
            yield from samples
            return
        rng = np.random.default_rng([self.seed, self.epoch, worker])
        buffer = []
        for sample in samples:
            buffer.append(sample)
            if len(buffer) >= self.shuffle_buffer:
                i = rng.integers(len(buffer))
                buffer[i], buffer[-1] = buffer[-1], buffer[i]
                yield buffer.pop()
        for i in rng.permutation(len(buffer)):
            yield buffer[i]

    def check(self, record):
        """Raises ValueError unless the shard's size and SHA-256 are its manifest line's."""
        path = os.path.join(self.root, record["file"])
        size = os.path.getsize(path)
        if size != record["bytes"]:
            raise ValueError(f"{path}: {size} bytes, the manifest says {record['bytes']}")
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != record["sha256"]:
            raise ValueError(f"{path}: SHA-256 {digest.hexdigest()}, the manifest says {record['sha256']}")

    def shard_samples(self, record):
        """The samples of one shard: every demo (of the filter key's mask), every start step."""
        path = os.path.join(self.root, record["file"])
        if self.verify and record["file"] not in self._verified:
            self.check(record)
            self._verified.add(record["file"])
        L = self.seq_length
        with h5py.File(path, "r") as f:
            names = sorted((n for n in f["data"] if n.startswith("demo_")), key=lambda n: int(n[5:]))
            if self.filter_key is not None:
                mask = f"mask/{self.filter_key}"
                if mask not in f:
                    raise KeyError(f"{path} has no {mask}")
                keep = {n.decode() if isinstance(n, bytes) else str(n) for n in f[mask][()]}
                names = [n for n in names if n in keep]
            for name in names:
                demo = f["data"][name]
                keys = self.obs_keys
                if keys is None:
                    keys = sorted(k for k in demo["obs"] if isinstance(demo["obs"][k], h5py.Dataset))
                actions = np.asarray(demo["actions"][()], dtype=np.float32)
                obs = {k: np.asarray(demo["obs"][k][()], dtype=np.float32) for k in keys}
                T = actions.shape[0]
                for t in range(T):
                    steps = np.arange(t, t + L)
                    window = np.minimum(steps, T - 1)
                    yield {
                        "obs": {k: torch.from_numpy(v[window]) for k, v in obs.items()},
                        "actions": torch.from_numpy(actions[window]),
                        "pad_mask": torch.from_numpy(steps < T),
                        "shard": record["file"],
                        "demo": name,
                        "index": t,
                    }


def _lines(fd):
    """The lines read from a file descriptor, each as soon as it is whole; closes it at the end."""
    pending = b""
    try:
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line.decode()
        if pending:
            yield pending.decode()
    finally:
        os.close(fd)


def _record(line):
    """A manifest line's record, or None for anything else."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("file"), str):
        return None
    return record


def _read_manifest(path):
    """The records of a manifest file's whole lines (a line being appended is left for later)."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    records = []
    for line in text.split("\n")[:-1]:
        if not line.strip():
            continue
        record = _record(line)
        if record is None:
            warnings.warn(f"{path}: skipping a line that is not a shard's: {line[:80]}", stacklevel=3)
            continue
        records.append(record)
    return records


def _remove_spool(path, owner):
    if os.getpid() == owner:  # not in a forked DataLoader worker
        shutil.rmtree(path, ignore_errors=True)
