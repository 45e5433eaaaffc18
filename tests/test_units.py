"""Figures as text: durations, moments, counts, rates and shares."""
from __future__ import annotations

import pytest

from sms_sim.output.text.units import (duration_text, moment_text,
                                       percent_text, rate_text, seconds_text,
                                       short_seconds_text)


@pytest.mark.parametrize("value, text", [
    (None, "-"), (0.0, "0 s"), (2.5e-7, "0.25 us"), (0.0105, "10.50 ms"),
    (1.5, "1.500 s"), (1234.5, "1234.500 s"),
    # Too small for any unit: an exponent of seconds, not '1e-294 us'.
    (1e-300, "1e-300 s"), (3e-9, "3e-09 s"),
    # Rounding up to 1000 of a unit takes the next unit.
    (0.999999, "1.000 s"), (0.000999999, "1.00 ms"),
    (0.99949, "999.49 ms")])
def test_seconds_text(value: float | None, text: str) -> None:
    assert seconds_text(value) == text


@pytest.mark.parametrize("value, text", [
    (0.0, "0s"), (0.01, "10ms"), (0.0005, "500us"), (2.0, "2s"),
    (0.0105, "10.5ms"), (1e-300, "1e-300s"),
    (0.99951, "1s"), (0.00099951, "1ms"), (1234.0, "1234s")])
def test_short_seconds_never_shows_an_exponent_of_a_unit(
        value: float, text: str) -> None:
    assert short_seconds_text(value) == text


@pytest.mark.parametrize("value, text", [
    (None, "-"), (0.0, "0.0s"), (4.24, "4.2s"), (59.96, "1m00s"),
    (187, "3m07s"), (3720, "1h02m"), (3723.9, "1h02m03s"),
    (5415, "1h30m15s"), (2 * 86400 + 3 * 3600, "2d03h"),
    (50 * 3600 + 1800, "2d02h30m"), (50 * 3600 + 5, "2d02h00m05s"),
    (86400 * 9_999.5, "9999d12h"),
    # Beyond 10,000 days, whole days with separators, never an exponent.
    (86400 * 10_000, "10,000d"), (1e9, "11,574d")])
def test_duration_text(value: float | None, text: str) -> None:
    assert duration_text(value) == text


@pytest.mark.parametrize("value, text", [
    (None, "-"), (0.0, "0/s"), (0.5, "0.5/s"), (0.00833, "0.00833/s"),
    (12.345, "12.3/s"), (190.0, "190/s"), (1234567.8, "1,234,568/s"),
    (2.5e300, "2.5e+300/s")])  # not three hundred digits
def test_rate_shows_slow_simulated_rates(value: float | None,
                                         text: str) -> None:
    assert rate_text(value) == text


@pytest.mark.parametrize("share, digits, text", [
    (None, 1, "-"), (0.0, 1, "0.0%"), (1.0, 1, "100.0%"), (0.25, 1, "25.0%"),
    (0.1234, 1, "12.3%"), (8e-6, 1, "<0.1%"), (0.99996, 1, ">99.9%"),
    (0.0006, 1, "0.1%"), (0.9994, 1, "99.9%"),  # rounded as usual
    (8e-6, 2, "<0.01%"), (0.99999, 2, ">99.99%"), (0.5, 2, "50.00%")])
def test_a_percent_is_none_or_all_only_when_it_is(
        share: float | None, digits: int, text: str) -> None:
    assert percent_text(share, digits) == text


@pytest.mark.parametrize("value, text", [
    (None, "not reached"), (0.5, "500.00 ms"), (59.0, "59.000 s"),
    (600.0, "10m00s")])
def test_moment_text(value: float | None, text: str) -> None:
    assert moment_text(value) == text
