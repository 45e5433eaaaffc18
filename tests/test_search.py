"""The search: the values it tries, round by round, and its answer, with
fake runs in which a value meets the target from a threshold on."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from sms_sim.plan.cells import Cell
from sms_sim.plan.search import solve
from sms_sim.plan.settings import MAX_RATE_SOLVED
from sms_sim.plan.target import Target
from tests.helpers import sent_by


def fake_trials(threshold: float, counted: list[float]
                ) -> Callable[[list[float]], list[Cell]]:
    """Runs in which a value meets the target from ``threshold`` on, and
    more of it delivers more before that."""
    def try_values(values: list[float]) -> list[Cell]:
        counted.extend(values)
        total = 10 ** 6
        return [Cell(v, ((1, sent_by(
            total if v >= threshold else int(0.94 * total * v / threshold),
            total)),)) for v in values]
    return try_values


@pytest.mark.parametrize("start, threshold", [
    (100.0, 137.3), (100.0, 100.0), (500.0, 137.3), (100.0, 0.31)])
def test_a_rate_is_found_to_one_percent(start: float,
                                        threshold: float) -> None:
    tried: list[float] = []
    search = solve("max-rate", start, Target(0.95, 10.0),
                   fake_trials(threshold, tried), MAX_RATE_SOLVED)
    assert search.answer is not None
    assert threshold <= search.answer <= max(threshold * 1.01,
                                             threshold + 0.1)
    below = max(v for v in tried if v < search.answer)
    assert search.answer - below <= max(0.01 * search.answer, 0.1)
    assert [cell.value for cell in search.cells] == tried


@pytest.mark.parametrize("start, threshold",
                         [(20, 37), (20, 20), (64, 9), (1, 1)])
def test_senders_are_found_exactly(start: float, threshold: float) -> None:
    search = solve("senders", start, Target(0.95, 10.0),
                   fake_trials(threshold, []), 10_000)
    assert search.answer == threshold


def test_no_value_up_to_the_limit_is_no_answer() -> None:
    search = solve("senders", 20, Target(0.95, 10.0),
                   fake_trials(20_000, []), 10_000)
    assert (search.answer, search.reason) == (None, "limit")
    assert max(cell.value or 0 for cell in search.cells) <= 10_000


def test_a_setting_that_stops_helping_ends_the_search() -> None:
    """Doubling the cap changed nothing: another setting holds the run
    back, and more of this one never will."""
    def try_values(values: list[float]) -> list[Cell]:
        return [Cell(v, ((1, sent_by(min(90, int(v)))),)) for v in values]

    search = solve("max-rate", 50.0, Target(0.95, 10.0), try_values,
                   MAX_RATE_SOLVED)
    assert (search.answer, search.reason) == (None, "stalled")
    assert len(search.cells) <= 4


def test_an_interrupted_search_answers_with_the_least_met_so_far() -> None:
    """Interrupted in its second round of narrowing (one value left
    without runs, one cut short): the least value whose runs all ended
    and met the target, flagged as not narrowed down."""
    trials = fake_trials(137.3, [])
    rounds = 0

    def try_values(values: list[float]) -> list[Cell]:
        nonlocal rounds
        rounds += 1
        cells = trials(values)
        if rounds < 4:
            return cells
        cut = Cell(cells[0].value, ())  # never ran
        return [cut, *cells[1:]]

    search = solve("max-rate", 100.0, Target(0.95, 10.0), try_values,
                   MAX_RATE_SOLVED)
    assert search.reason == "interrupted"
    met = [cell.value for cell in search.cells
           if cell.value is not None and cell.met(Target(0.95, 10.0))]
    assert search.answer == min(met) and search.answer >= 137.3


def test_a_search_interrupted_while_doubling_is_not_a_stall() -> None:
    """Cut in its first doubling round, two values left without runs:
    their empty runs are alike, but nothing stopped helping."""
    trials = fake_trials(1000.0, [])

    def try_values(values: list[float]) -> list[Cell]:
        cells = trials(values)
        if len(values) == 1:  # the start
            return cells
        return [cells[0], *(Cell(cell.value, ()) for cell in cells[1:])]

    search = solve("max-rate", 100.0, Target(0.95, 10.0), try_values,
                   MAX_RATE_SOLVED)
    assert (search.answer, search.reason) == (None, "interrupted")


def test_the_search_tries_the_same_values_whatever_the_jobs() -> None:
    """Its rounds are a fixed number of values, not the number of
    workers: the answer is the same with any --jobs."""
    first: list[float] = []
    again: list[float] = []
    solve("max-rate", 100.0, Target(0.95, 10.0), fake_trials(137.3, first),
          MAX_RATE_SOLVED)
    solve("max-rate", 100.0, Target(0.95, 10.0), fake_trials(137.3, again),
          MAX_RATE_SOLVED)
    assert first == again


def rounds_tried(name: str, start: float, threshold: float,
                 limit: float) -> tuple[float | None, list[list[float]]]:
    """The answer of a search whose runs meet the target from
    ``threshold`` on, and the values of each round it tried."""
    rounds: list[list[float]] = []

    def try_values(values: list[float]) -> list[Cell]:
        rounds.append(list(values))
        return [Cell(v, ((1, sent_by(100 if v >= threshold else 0)),))
                for v in values]

    return solve(name, start, Target(0.95, 10.0), try_values,
                 limit).answer, rounds


@pytest.mark.parametrize("name, start, threshold, rounds", [
    # 20 fails; doubling passes at 40: [20, 40] is quartered, 35 the
    # largest failing, 38 the least passing; 37 is all that lies between.
    ("senders", 20, 37, [[20], [40, 80, 160], [25, 30, 35], [36, 38, 39],
                         [37]]),
    # 64 passes; halving fails at 8: [8, 16], then [8, 10], then 9.
    ("senders", 64, 9, [[64], [32, 16, 8], [10, 12, 14], [9]]),
    # Halving fails at 16 and 8: the larger, 16, bounds [16, 32].
    ("senders", 64, 20, [[64], [32, 16, 8], [20, 24, 28], [17, 18, 19]]),
    # A rate: each round quarters the interval left, until it is within
    # 1% of its top.
    ("max-rate", 100.0, 137.3, [
        [100], [200, 400, 800], [125, 150, 175], [131.25, 137.5, 143.75],
        [132.8125, 134.375, 135.9375], [136.328125, 136.71875, 137.109375]]),
])
def test_each_round_narrows_to_the_least_passing_value(
        name: str, start: float, threshold: float,
        rounds: list[list[float]]) -> None:
    """Narrowing keeps the least value that passed and the largest that
    failed, and tries the values evenly inside them: the rounds are fixed,
    value for value, and the answer is the least passing one."""
    answer, tried = rounds_tried(name, start, threshold, 10_000.0)
    assert tried == rounds
    assert answer == min(v for values in tried for v in values
                         if v >= threshold)
