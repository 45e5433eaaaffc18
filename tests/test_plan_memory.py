"""A plan's memory does not grow with its runs: the issue's check, a
thousand runs against ten.  The thousand take 2.5 s of CPU, the largest
single cost of the suite, so the test is marked ``stress``: left out of
the default suite and run by ``.ci/run``."""
from __future__ import annotations

import sys

import pytest

from tests.test_plans_end_to_end import SMALL, ahead, results, start

pytestmark = pytest.mark.stress

PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
"""Runs the command given, its output discarded; prints its status and
its peak memory (the largest of its process's and its children's)."""
MEMORY = ahead(*([sys.executable, "-c", PEAK,
                  *start("100", *SMALL[1:], "--senders", "2:0.02:0:0",
                         "--senders", "2:0.03:0:0", "--runs", runs,
                         "--seed", "1", "--json", "--jobs", "1")]
                 for runs in ("10", "1000")))


def test_a_plan_keeps_what_its_report_needs_not_every_run_whole() -> None:
    """A thousand runs (of three groups, each with its curve) peak within
    twice the memory of ten: each run's line goes out as it ends, and the
    plan keeps of it only its figures.  (It kept every run whole: over
    three times as much.)"""
    ten, thousand = ([int(word) for word in job.stdout.split()]
                     for job in results(MEMORY))
    assert ten[0] == thousand[0] == 0
    assert thousand[1] < 2 * ten[1]
