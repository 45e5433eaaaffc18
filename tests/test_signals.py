"""The stop signals (``signals.py``): recorded for the run to stop on, a
second one ending the process at once with the signal's status, a repeat
within the grace the same request, and one the process was started
ignoring left ignored."""
from __future__ import annotations

import signal
from typing import Any

import pytest

from sms_sim.cli.signals import REPEAT_GRACE_S, STOP_SIGNALS, recorded


@pytest.mark.parametrize("first, second, code", [
    (signal.SIGTERM, signal.SIGINT, 130),
    (signal.SIGINT, signal.SIGTERM, 143),
    (signal.SIGINT, signal.SIGHUP, 129)])
def test_a_signal_is_recorded_and_a_second_one_ends_at_once(
        first: int, second: int, code: int) -> None:
    calls: list[str] = []

    def fake_exit(status: int) -> None:
        calls.append(f"exit {status}")

    before = [signal.getsignal(s) for s in STOP_SIGNALS]
    with recorded(lambda: calls.append("abandon"),
                  end=fake_exit) as received:
        signal.raise_signal(first)
        assert received == [first] and calls == []
        signal.raise_signal(second)
        assert calls == ["abandon", f"exit {code}"]
    assert [signal.getsignal(s) for s in STOP_SIGNALS] == before


def test_a_signal_the_process_was_started_ignoring_stays_ignored() -> None:
    """As under nohup (SIGHUP) or a shell's ``trap '' INT``."""
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with recorded(lambda: None) as received:
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            signal.raise_signal(signal.SIGHUP)
            signal.raise_signal(signal.SIGTERM)
            assert received == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)


def test_a_repeat_of_the_first_signal_within_the_grace_is_the_same(
        ) -> None:
    exits: list[int] = []
    now = [100.0]
    with recorded(lambda: None, lambda: now[0], exits.append) as received:
        signal.raise_signal(signal.SIGINT)
        now[0] += REPEAT_GRACE_S / 2
        signal.raise_signal(signal.SIGINT)  # as `timeout` sends it
        assert received == [signal.SIGINT] and exits == []
        now[0] += REPEAT_GRACE_S
        signal.raise_signal(signal.SIGINT)  # a person, pressing again
        assert exits == [130]


def test_a_handler_set_outside_python_is_restored_as_the_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``signal.signal`` returns None for a handler that C code set, and
    refuses None when given it back: once a TypeError at the run's end."""
    real = signal.signal
    before = signal.getsignal(signal.SIGTERM)

    def set_after_c(signum: int, handler: Any) -> Any:
        previous = real(signum, handler)
        return None if signum == signal.SIGTERM else previous

    monkeypatch.setattr(signal, "signal", set_after_c)
    try:
        with recorded(lambda: None):
            pass
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        real(signal.SIGTERM, before)
