#!/usr/bin/env python3
"""Make the sample latency files in this folder, the same every time.

They are made up, not measured: shapes drawn to look like what field tests
of SMS gateways and carriers report, for trying ``dist=empirical`` and
``--carrier-delay`` without data of your own.

- ``send_times.txt``: 400 gateway send times in seconds, one per line: an
  HTTP API call of about 80 ms (lognormal, sd of its log 0.5), and one
  call in thirty that stalls for 1 to 3 s.
- ``carrier_delays.csv``: 300 delays in seconds from a successful send to
  the phone, for three carriers (column ``carrier``, and ``delay_s``): most
  within seconds, a quarter within a minute or two, and a tail of store
  and forward past ten minutes; about 80% arrive within 30 s.

    python3 examples/make_examples.py
"""
from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2026


def send_times(rng: random.Random) -> list[float]:
    return [rng.uniform(1.0, 3.0) if rng.random() < 1 / 30
            else rng.lognormvariate(-2.53, 0.5)  # median e**-2.53: 80 ms
            for _ in range(400)]


def carrier_delays(rng: random.Random) -> list[tuple[str, float]]:
    rows = []
    for _ in range(300):
        kind = rng.random()
        if kind < 0.70:  # straight through: median 5 s
            delay = rng.lognormvariate(1.61, 0.9)
        elif kind < 0.95:  # queued at the carrier: median 40 s
            delay = rng.lognormvariate(3.69, 1.0)
        else:  # store and forward: median about 7 minutes
            delay = rng.lognormvariate(6.0, 0.6)
        rows.append((rng.choice("ABC"), delay))
    return rows


def main() -> None:
    rng = random.Random(SEED)
    (HERE / "send_times.txt").write_text(
        "".join(f"{value:.4f}\n" for value in send_times(rng)))
    (HERE / "carrier_delays.csv").write_text(
        "carrier,delay_s\n" + "".join(f"{carrier},{delay:.2f}\n"
                                      for carrier, delay in
                                      carrier_delays(rng)))


if __name__ == "__main__":
    main()
