"""Notes before a run: a cap that can never set the pace is said, and one
that can is not."""
from __future__ import annotations

import pytest

from sms_sim.cli.notes import rate_notes, start_rate
from sms_sim.model.carriers import Carrier
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from tests.helpers import run_main


def config(*groups: SenderGroup, max_rate: float | None = None
           ) -> SimulationConfig:
    return SimulationConfig(100, groups, gateway=Gateway(max_rate=max_rate))


def test_a_groups_start_rate_is_its_senders_over_the_longer_period() -> None:
    assert start_rate(SenderGroup.uniform(10, 0.05, 0.0, 0.0)) == 200.0
    assert start_rate(SenderGroup.uniform(10, 0.05, 0.0, 0.0, tps=4)) == 40.0
    assert start_rate(SenderGroup.uniform(2, 0.0, 0.0, 0.0)) == float("inf")


def test_the_issues_rate_note() -> None:
    group = SenderGroup.uniform(10, 0.05, 0.025, 0.1)
    assert rate_notes(config(group, max_rate=400)) == [
        "10 senders at 50.00 ms start at most 200/s on average; "
        "--max-rate 400 never binds"]
    assert rate_notes(config(group, max_rate=100)) == []
    assert rate_notes(config(group, max_rate=200)) == []  # it may bind
    assert rate_notes(config(group)) == []


def test_a_tps_never_binds_when_no_send_is_shorter_than_its_gap() -> None:
    never = SenderGroup(2, Latency.uniform(0.05, 0.01), 0.0, tps=25,
                        name="backup")
    sometimes = SenderGroup.uniform(2, 0.05, 0.01, 0.0, tps=24)
    assert rate_notes(config(sometimes, never)) == [
        "backup's tps 25 never binds: each of its sends takes at least "
        "40.00 ms"]


@pytest.mark.parametrize("max_rate, note", [("400", True), ("100", False)])
def test_the_note_goes_to_stderr_before_the_run(max_rate: str,
                                                note: bool) -> None:
    status, out, err = run_main("200", "10", "0.05", "0", "0", "--max-rate",
                                max_rate, "--speed", "max", "--json")
    expected = ("sms-sim: note: 10 senders at 50.00 ms start at most 200/s "
                "on average; --max-rate 400 never binds\n") if note else ""
    assert (status, err) == (0, expected)
    assert out.splitlines()[-1].startswith('{"event": "summary"')


def test_a_run_whose_sends_take_no_time_says_what_its_retries_hold() -> None:
    """Time stands at 0 until every fresh message has gone: every first
    failure waits at once, 33 bytes each; said from a gigabyte."""
    def notes(count: int, mean_s: float = 0.0, retries: int = 3,
              max_rate: float | None = None,
              carriers: tuple[Carrier, ...] = ()) -> list[str]:
        return rate_notes(SimulationConfig(
            count, (SenderGroup.uniform(4, mean_s, 0.0, 0.1),),
            gateway=Gateway(max_rate=max_rate, retries=retries),
            carriers=carriers))

    assert notes(10**12) == [
        "every send takes no time: the messages go at 0 before any retry "
        "falls due, and about 100,000,000,000 retries wait at once, some "
        "3,300 GB of memory"]
    assert notes(10**9)[0].endswith("some 3 GB of memory")
    assert notes(10**8) == []  # 0.33 GB
    assert notes(10**12, retries=0) == []
    assert notes(10**12, mean_s=0.001) == []  # time moves on
    assert notes(10**12, max_rate=1e6) == []  # paced
    # Carriers without caps pace nothing; a cap paces its own alone.
    assert notes(10**9, carriers=(Carrier("a", 1.0),)) == notes(10**9)
    assert notes(10**10, carriers=(Carrier("a", 0.5, cap=1e6),
                                   Carrier("b", 0.5)))[0].endswith(
        "about 500,000,000 retries wait at once, some 16 GB of memory")
    assert notes(10**10, carriers=(Carrier("a", 1.0, cap=1e6),)) == []
