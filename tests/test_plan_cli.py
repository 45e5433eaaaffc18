"""The command line of shapes, the carrier, replications, sweeps and
target searches (``cli.py``, ``plans.py``, ``plan_report.py``): its rules,
each broken one a line and status 2, and what a plan writes, in text and
in JSON."""
from __future__ import annotations

import pytest

from sms_sim import cli


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line a malformed invocation gets, after the usage, with
    status 2 and nothing on standard output."""
    with pytest.raises(SystemExit) as caught:
        cli.parse_options(cli.build_parser("start.py"), argv)
    assert caught.value.code == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    *usage, error = err.splitlines()
    assert usage[0].startswith("usage: start.py ")
    prefix = "start.py: error: "
    assert error.startswith(prefix)
    return error[len(prefix):]


@pytest.mark.parametrize("dist, message", [
    ("empirical", "argument --dist: 'empirical': the empirical shape needs "
     "file=PATH"),
    ("weibull", "argument --dist: must be SHAPE:key=value,... with SHAPE "
     "one of uniform, normal, exponential, lognormal, empirical "
     "(lognormal:mean=8,sd=20), or a file of measurements, got 'weibull'")])
def test_a_bad_dist_is_echoed_as_typed(
        dist: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(["--dist", dist], capsys) == message
