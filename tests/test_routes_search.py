"""The routes page's search for the least backup rate, whose answer is
checked against the hand calculation.  Its runs take 2.3 s of CPU, more
than any other check of a page, so the test is marked ``stress``: left
out of the default suite and run by ``.ci/run``."""
from __future__ import annotations

import sys

import pytest

from tests.background import BACKGROUND
from tests.test_routes import ROOT, block_after

pytestmark = pytest.mark.stress

SEARCH_RUN = BACKGROUND.add([sys.executable, str(ROOT / "start.py"), *(
    " ".join(line.strip().rstrip("\\")
             for line in block_after("is one command:")[:4])
    .removeprefix("$ python3 start.py ").split())])


def test_the_search_for_the_least_backup_rate_is_what_it_gives() -> None:
    """The page's search, and its answer against the hand calculation:
    7,500 messages in 360 s from 3 senders, 6.94 a second each."""
    done = SEARCH_RUN.result()
    assert done.returncode == 0, done.stderr
    answer = block_after("is one command:")[-1]
    assert done.stdout.splitlines()[-1] == answer
    assert abs(float(answer.split()[2].removesuffix("/s"))
               - 7_500 / 360 / 3) < 0.01
