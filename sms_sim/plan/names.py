"""What the command line may ask of a plan: the settings ``--sweep``,
``--solve`` and ``--fit`` vary, and how many runs ``--runs`` may have.

Constants alone: the parser's help and its checks read them in every
run, and a single run loads nothing else of the plan.
"""
from __future__ import annotations

SWEEP_NAMES = ("senders", "tps", "max-rate", "retries", "deadline", "mean",
               "fail", "permanent", "carrier-mean")
SOLVE_NAMES = ("senders", "tps", "max-rate")
FIT_NAMES = (*SOLVE_NAMES, "fail", "permanent", "carrier-mean", "mean",
             "deadline")
"""The settings ``--solve`` takes with ``--fit``: a target search's, and
those it does not search (more failures or delay never help; a least
mean or deadline is not what a planner asks), which a fit can find."""
MIN_RUNS = 2
MAX_RUNS = 1000
