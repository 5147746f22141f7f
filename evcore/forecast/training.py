"""The network and its training loop, without touching process-wide torch state.

Each network draws its initial weights and its batch order from its own seeded
``torch.Generator`` (never the global seed), and torch's thread count is set for the time of
the work only, by a guard shared by all threads, so two models trained at once in one process
give exactly the numbers each gives alone.
"""

from __future__ import annotations

import copy
import math
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace

from evcore.forecast.features import N_INPUTS

_threads_lock = threading.Lock()
_threads_state = {"users": 0, "saved": None}


@contextmanager
def torch_threads(n: int):
    """Run torch on ``n`` threads, then restore the process's setting when the last user leaves.

    One thread is the default: these networks are small, and a second thread on a busy
    two-core machine slows each step down many times over. Users at once share the first
    user's count (the setting is process-wide).
    """
    import torch

    with _threads_lock:
        if _threads_state["users"] == 0:
            _threads_state["saved"] = torch.get_num_threads()
            torch.set_num_threads(n)
        _threads_state["users"] += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_state["users"] -= 1
            if _threads_state["users"] == 0:
                torch.set_num_threads(_threads_state["saved"])


def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def snapshots(epochs: int, average_last: int, snapshot_every: int):
    """Which epochs' weights a training keeps: every ``snapshot_every``-th of the last ``average_last``."""
    def keep(epoch: int) -> bool:
        left = epochs - 1 - epoch
        return left < max(average_last, 1) and left % snapshot_every == 0
    return keep


def seed_workers(workers, seeds: int, threads: int, on_gpu: bool) -> int:
    """Seeds to train at once: ``workers``, or for ``auto`` one a CPU core this process may use
    (divided by torch's ``threads``), and one on a GPU."""
    if workers != "auto":
        return workers
    return min(seeds, 1 if on_gpu else max(1, cpu_cores() // max(threads, 1)))


def resolve_device(device: str = "auto") -> str:
    """``cpu``, or ``cuda`` for ``auto`` when torch finds a GPU; ``cuda`` without one is an error."""
    import torch

    if device == "cpu":
        return "cpu"
    available = torch.cuda.is_available()
    if device == "cuda" and not available:
        from evcore.errors import InputError

        raise InputError("The device setting is cuda, but torch finds no CUDA GPU on this machine; "
                         "set EVCORE_DEVICE to auto or cpu.")
    return "cuda" if available else "cpu"


def build_network(n_inputs: int, hidden_size: int, horizon: int, n_quantiles: int, generator=None,
                  device: str = "cpu"):
    """A ``QuantileLSTM``: weights drawn from ``generator`` (as torch's default initialisation
    would draw them), or left empty for loading a checkpoint when ``generator`` is None."""
    import torch
    from torch import nn

    class QuantileLSTM(nn.Module):
        """LSTM over the lookback window divided by level and weekly profile; a small head maps
        its last state, the weekday of the first target day and the station's level to
        ``horizon x quantiles`` ratios to the level and profile of the target days (as the
        difference from 1, so an untrained network forecasts level x profile)."""

        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(n_inputs, hidden_size, batch_first=True)
            self.head = nn.Sequential(nn.Linear(hidden_size + 7 + 1, hidden_size), nn.ReLU(),
                                      nn.Linear(hidden_size, horizon * n_quantiles))
            self.register_buffer("level_stats", torch.zeros(2))  # mean, std of log level

        def forward(self, x, first_weekday, log_level, dropout=None):
            if x.is_cuda:  # cuDNN wants its weights in one block (copies and loads scatter them)
                self.lstm.flatten_parameters()
            _, (state, _) = self.lstm(x)
            level = (log_level - self.level_stats[0]) / self.level_stats[1]
            features = torch.cat([state[-1], first_weekday, level[:, None]], dim=1)
            if dropout is not None:  # (rate, generator) while training
                rate, generator = dropout
                keep = torch.empty_like(features).bernoulli_(1 - rate, generator=generator)
                features = features * keep / (1 - rate)
            out = self.head(features)
            return 1.0 + out.view(-1, horizon, n_quantiles)  # untrained: level x profile

    with torch.device("meta"):  # built without drawing from the global random generator
        net = QuantileLSTM()
    if generator is None:  # weights to be loaded
        return net.to_empty(device=device)
    net = net.to_empty(device="cpu")
    net.level_stats.zero_()
    _initialise(net, generator)  # on the CPU, so a model starts the same on any device
    return net.to(device)


def _initialise(net, generator) -> None:
    """torch's default initialisation of LSTM and Linear layers, drawn from ``generator``."""
    from torch import nn

    with __import__("torch").no_grad():
        for module in net.modules():
            if isinstance(module, nn.LSTM):
                bound = 1.0 / math.sqrt(module.hidden_size)
                for weight in module.parameters():
                    weight.uniform_(-bound, bound, generator=generator)
            elif isinstance(module, nn.Linear):
                nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
                bound = 1.0 / math.sqrt(module.weight.shape[1])
                module.bias.uniform_(-bound, bound, generator=generator)


def recency_weights(origins, newest: int, half_life: float):
    """Each sample's weight in the loss: 1 for the newest origin, halving every ``half_life``
    days back (all 1 when ``half_life`` is 0)."""
    import torch

    if half_life <= 0:
        return torch.ones(len(origins), dtype=torch.float32, device=origins.device)
    age = (newest - origins).to(torch.float32)
    return torch.pow(0.5, age / half_life)


def pinball_loss(predicted, target, quantiles, weights):
    """The mean pinball loss of ``predicted`` ``(B, horizon, quantiles)`` against ``target``
    ``(B, horizon)`` (NaN: a day the data does not have, not scored), each sample's days
    weighted by ``weights`` ``(B,)`` and the sum divided by the batch's summed weights."""
    import torch

    weight = (~torch.isnan(target)) * weights[:, None]                     # (B, horizon)
    error = torch.nan_to_num(target)[:, :, None] - predicted
    return (torch.maximum(quantiles * error, (quantiles - 1) * error) * weight[:, :, None]).sum() / (
        weight.sum().clamp(min=1e-9) * len(quantiles))


@dataclass(frozen=True)
class TrainingSettings:
    """How one network is trained: its ``hidden_size`` and the ``horizon`` days it predicts;
    ``epochs`` of ``windows_per_epoch`` samples (None: all) in batches of ``batch_size`` at
    ``learning_rate`` (AdamW with ``weight_decay``; ``dropout`` on the head's inputs); each
    sample's loss weighted by ``recency_weights`` with ``recency_half_life``; ``seed`` for its
    initial weights, batch order and dropout."""

    hidden_size: int
    horizon: int
    epochs: int
    learning_rate: float
    batch_size: int
    windows_per_epoch: int | None
    seed: int = 0
    weight_decay: float = 0.0
    dropout: float = 0.0
    recency_half_life: float = 0.0


def train_network(windows, samples, quantiles, settings: TrainingSettings, *, keep_epoch, level_stats,
                  progress=None, should_stop=None, start_from=None) -> list:
    """Train one network (as ``settings`` say) on ``samples`` (stations, origins) of ``windows``
    (``features.Windows``) by the ``pinball_loss`` of ``quantiles`` over the target days the
    data has, each sample weighted by ``recency_weights``; return copies of it at the epochs
    ``keep_epoch(epoch)`` picks. Batches are large random draws from every origin, so dividing
    each by its own summed weight is close to one weighting of the whole. ``should_stop()`` true
    ends the training at the next batch (what is kept so far is returned). ``start_from``: a
    trained network whose weights this one starts from (a fine-tune), instead of new ones."""
    import torch

    device = windows.device
    stations, origins = samples
    s = settings
    generator = torch.Generator().manual_seed(s.seed)      # initial weights
    shuffle = torch.Generator().manual_seed(s.seed)        # batch order
    net = build_network(N_INPUTS, s.hidden_size, s.horizon, len(quantiles), generator, device)
    if start_from is not None:
        net.load_state_dict(start_from.state_dict())
    net.level_stats.copy_(level_stats)
    q = torch.tensor(quantiles, device=device)
    recency = recency_weights(origins, windows.target_end - 1, s.recency_half_life).to(device)
    optimizer = torch.optim.AdamW(net.parameters(), lr=s.learning_rate, weight_decay=s.weight_decay)
    masks = (s.dropout, torch.Generator(device=device).manual_seed(s.seed)) if s.dropout > 0 else None
    kept = []
    for epoch in range(s.epochs):
        net.train()
        order = torch.randperm(len(stations), generator=shuffle)[:s.windows_per_epoch]
        for start in range(0, len(order), s.batch_size):
            idx = order[start:start + s.batch_size]
            if should_stop is not None and should_stop():
                return kept
            x, first, log_level, _, target = windows.batch(stations[idx], origins[idx], s.horizon)
            loss = pinball_loss(net(x, first, log_level, masks), target, q, recency[idx.to(device)])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if keep_epoch(epoch):
            kept.append(copy.deepcopy(net).eval())
        if progress is not None:
            progress(epoch + 1)
    return kept


def train_seeds(windows, samples, quantiles, training: TrainingSettings, seeds: int, first_seed: int, *,
                keep_epoch, level_stats, workers: int, progress=None, start_from=None) -> list:
    """The kept networks of ``seeds`` trainings (``train_network``, seeds ``first_seed`` on), in
    seed order, ``workers`` seeds trained at once in threads (torch works outside the GIL). Each
    seed draws only from its own generators, so the networks are the same however many train at
    once. Progress is reported from this thread (Streamlit's widgets only take it from the
    script's own); when this thread is stopped (an exception, such as Streamlit's on a rerun) or
    a seed fails, the others stop at their next batch. ``start_from``: one network a seed."""
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    epochs_done = [0] * seeds
    total = seeds * training.epochs
    stop = threading.Event()

    def train(seed):
        def step(epoch):
            epochs_done[seed] = epoch

        return train_network(windows, samples, quantiles, replace(training, seed=first_seed + seed),
                             keep_epoch=keep_epoch, level_stats=level_stats, progress=step,
                             should_stop=stop.is_set, start_from=None if start_from is None else start_from[seed])

    pool = ThreadPoolExecutor(workers)
    try:
        futures = [pool.submit(train, seed) for seed in range(seeds)]
        pending, reported = set(futures), 0
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            if any(f.exception() is not None for f in finished):
                break
            done = sum(epochs_done)
            if progress is not None and done > reported:
                reported = done
                progress(done / total, f"training the LSTM: {done} of {total} epochs")
    finally:
        stop.set()  # seeds still training (this thread stopped, or a seed failed) end early
        pool.shutdown(wait=True, cancel_futures=True)
    return [net for future in futures for net in future.result()]
