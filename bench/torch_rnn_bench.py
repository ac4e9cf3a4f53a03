#!/usr/bin/env python3
"""PyTorch reference for `rnn-workbench bench`: the same model, data shape and step.

Embedding(10000, 32) -> SimpleRNN/LSTM/GRU(32) -> Dense(1), binary cross-entropy, RMSprop
(lr 0.001, rho 0.9, eps 1e-7), batch 128, maxlen 500. Prints one JSON line like the app's bench:
{"cell","backend","path","msPerBatch","epochSeconds","cpuMsPerBatch","threads",...}, where epochSeconds projects
ceil(20000/128) training steps plus ceil(5000/128) validation forward passes.
"""
import argparse
import json
import math
import time

import torch
from torch import nn

BATCH, MAXLEN, VOCAB, EMBED, UNITS = 128, 500, 10_000, 32, 32
TRAIN, VALIDATION = 20_000, 5_000


class Model(nn.Module):
    def __init__(self, cell: str):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "simplernn": nn.RNN}[cell]
        self.rnn = rnn(EMBED, UNITS, batch_first=True)
        self.dense = nn.Linear(UNITS, 1)

    def forward(self, ids):
        out, _ = self.rnn(self.embedding(ids))
        return self.dense(out[:, -1, :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=["lstm", "gru", "simplernn"], required=True)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    parser.add_argument("--keep-denormals", action="store_true", help="do not flush subnormal floats to zero")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    # Gradients fading over 500 steps turn subnormal, which x86 computes ~100x slower; the app's
    # kernels flush them to zero, so PyTorch does too for a like-for-like comparison.
    flushed = torch.set_flush_denormal(not args.keep_denormals)
    torch.manual_seed(0)
    model = Model(args.cell)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()

    def batch(seed: int):
        g = torch.Generator().manual_seed(seed)
        ids = torch.randint(1, VOCAB, (BATCH, MAXLEN), generator=g)
        labels = torch.tensor([(i + seed) % 2 for i in range(BATCH)], dtype=torch.float32).unsqueeze(1)
        return ids, labels

    def train_step(seed: int) -> None:
        ids, labels = batch(seed)
        optimizer.zero_grad()
        loss = loss_fn(model(ids), labels)
        loss.backward()
        optimizer.step()
        loss.item()

    def eval_step(seed: int) -> None:
        ids, _ = batch(seed)
        with torch.no_grad():
            torch.sigmoid(model(ids)).sum().item()

    cpu_ms = {}

    def timed(fn, runs: int) -> float:
        fn(0)
        start, cpu = time.perf_counter(), time.process_time()
        for k in range(1, runs + 1):
            fn(k)
        cpu_ms[fn] = (time.process_time() - cpu) * 1000 / runs
        return (time.perf_counter() - start) * 1000 / runs

    ms_train = timed(train_step, args.batches)
    ms_eval = timed(eval_step, max(1, math.ceil(args.batches / 2)))
    epoch = (math.ceil(TRAIN / BATCH) * ms_train + math.ceil(VALIDATION / BATCH) * ms_eval) / 1000
    print(json.dumps({
        "cell": args.cell,
        "backend": "torch",
        "path": "pytorch",
        "msPerBatch": round(ms_train, 1),
        "epochSeconds": round(epoch, 1),
        "cpuMsPerBatch": round(cpu_ms[train_step], 1),
        "threads": torch.get_num_threads(),
        "flushDenormal": flushed,
        "version": torch.__version__,
    }))


if __name__ == "__main__":
    main()
