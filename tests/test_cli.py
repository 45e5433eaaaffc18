import json
import signal
import threading

import pytest

from sms_sim import cli
from sms_sim.config import MAX_SENDERS, SenderGroup, SimulationConfig
from sms_sim.stats import GroupSnapshot, Snapshot
from sms_sim.simulation import Outcome

MALFORMED = [
    (["abc"], "argument num_messages: must be an integer, got 'abc'"),
    ([""], "argument num_messages: must be an integer, got ''"),
    (["-5"], "argument num_messages: must be an integer >= 0, got -5"),
    (["1.5"], "argument num_messages: must be an integer"),
    (["10", "x"], "argument num_senders: must be an integer"),
    (["10", "-1"], "argument num_senders: must be an integer from 0 to"),
    (["10", "0"], "argument num_senders: must be >= 1 unless --senders"),
    (["10", str(MAX_SENDERS + 1)], f"from 0 to {MAX_SENDERS}"),
    (["10", "2", "abc"], "argument mean_processing_time: must be a number"),
    (["10", "2", "nan"], "argument mean_processing_time: must be a finite"),
    (["10", "2", "inf"], "argument mean_processing_time: must be a finite"),
    (["10", "2", "-0.1"], "argument mean_processing_time: must be a finite"),
    (["10", "2", "0.01", "0.02"],
     "argument max_deviation: must be <= the mean (0.01 s), got 0.02"),
    (["10", "2", "0.01", "-0.001"], "argument max_deviation: must be"),
    (["10", "2", "0.01", "nan"], "argument max_deviation: must be"),
    (["10", "2", "0.01", "0.001", "1.5"],
     "argument failure_rate: must be a number from 0 to 1, got 1.5"),
    (["10", "2", "0.01", "0.001", "-0.1"], "argument failure_rate"),
    (["10", "2", "0.01", "0.001", "nan"], "argument failure_rate"),
    (["10", "2", "0.01", "0.001", "x"], "argument failure_rate"),
    (["--interval", "0"], "argument --interval: must be a finite number of "
     "seconds > 0, got 0.0"),
    (["--interval", "-1"], "argument --interval: must be"),
    (["--interval", "nan"], "argument --interval: must be"),
    (["--interval", "soon"], "argument --interval: must be a number"),
    (["--interval"], "argument --interval: expected one argument"),
    (["--senders", "2:0.01:0.001"],
     "argument --senders: must be COUNT:MEAN:DEVIATION:FAILURE_RATE"),
    (["--senders", "2:0.01:0.001:0.1:5"], "argument --senders: must be"),
    (["--senders", ""], "argument --senders: must be"),
    (["--senders", "0:0.01:0.001:0.1"],
     "argument --senders: '0:0.01:0.001:0.1': COUNT must be an integer "
     "from 1 to"),
    (["--senders", "x:0.01:0.001:0.1"],
     "argument --senders: 'x:0.01:0.001:0.1': must be an integer"),
    (["--senders", "2:0.01:0.02:0.1"], "DEVIATION must be <= the mean"),
    (["--senders", "2:0.01:0.001:2"], "FAILURE_RATE must be a number"),
    (["--senders", "2:inf:0:0"], "MEAN must be a finite"),
    (["10", "9000", "--senders", "2000:0:0:0"],
     f"argument num_senders: must be from 1 to {MAX_SENDERS} senders over "
     "all groups, got 11000"),
    (["--seed", "abc"], "argument --seed: must be an integer"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["1", "2", "0.1", "0.1", "0.1", "6"], "unrecognized arguments: 6"),
]


@pytest.mark.parametrize("argv, message", MALFORMED)
def test_malformed_input_is_one_line_usage_and_status_2(
        argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["start.py"])
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""
    *usage, error = err.splitlines()
    assert usage[0].startswith("usage: start.py ")
    assert all(line.startswith(" ") for line in usage[1:])  # wrapped usage
    assert error.startswith("start.py: error: ") and message in error
    assert "Traceback" not in err


def test_at_least_25_malformed_invocations_are_covered() -> None:
    assert len({tuple(argv) for argv, _ in MALFORMED}) >= 25


def parse(*argv: str) -> tuple[SimulationConfig, bool]:
    return cli.parse_config(cli.build_parser("start.py"), list(argv))


def test_defaults_are_a_short_demo() -> None:
    config, json_lines = parse()
    assert config.num_messages == 1000 and not json_lines
    assert config.groups == (SenderGroup(4, 0.01, 0.005, 0.1),)
    assert config.interval_s == 1.0 and config.seed is None


def test_the_briefs_example_and_every_option() -> None:
    config, json_lines = parse("10000", "4", "0.01", "0.001", "0.2",
                               "--senders", "2:0.1:0.05:0.5",
                               "--senders", "1:0:0:1", "--interval", "0.5",
                               "--seed", "9", "--json")
    assert config.num_messages == 10000 and json_lines
    assert config.groups == (SenderGroup(4, 0.01, 0.001, 0.2),
                             SenderGroup(2, 0.1, 0.05, 0.5),
                             SenderGroup(1, 0.0, 0.0, 1.0))
    assert (config.interval_s, config.seed) == (0.5, 9)


def test_zero_positional_senders_with_a_group_and_zero_messages() -> None:
    config, _ = parse("0", "0", "0.01", "0", "0", "--senders", "3:0:0:0")
    assert config.num_messages == 0
    assert config.groups == (SenderGroup(3, 0, 0, 0),)


def test_positional_settings_are_checked_even_with_zero_senders(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("10", "0", "0.01", "0.5", "0", "--senders", "1:0:0:0")
    assert "argument max_deviation" in capsys.readouterr().err


def test_help_gives_units_ranges_and_an_example(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["--help"])
    assert caught.value.code == 0
    text = capsys.readouterr().out
    for fragment in ("num_messages", "mean_processing_time", "seconds",
                     "from 0 to 1", "--senders", "--interval", "--seed",
                     "--json", "10000 4 0.01 0.001 0.2", "exit codes"):
        assert fragment in text


def test_a_signal_sets_stop_and_a_second_one_ends_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    calls: list[str] = []

    def fake_exit(status: int) -> None:
        calls.append(f"exit {status}")

    monkeypatch.setattr("os._exit", fake_exit)
    before = signal.getsignal(signal.SIGINT)
    with cli._stop_on_signals(stop, lambda: calls.append("abandon")) \
            as received:
        signal.raise_signal(signal.SIGTERM)
        assert stop.is_set() and received == [signal.SIGTERM]
        assert calls == []
        signal.raise_signal(signal.SIGINT)
        assert calls == ["abandon", "exit 130"]
    assert signal.getsignal(signal.SIGINT) == before


def fake_outcome(interrupted: bool, faults: tuple[str, ...] = ()
                 ) -> Outcome:
    group = GroupSnapshot(SenderGroup(1, 0, 0, 0), 1, 0, 0.0)
    return Outcome(Snapshot(total=2 if interrupted else 1, elapsed_s=1.0,
                            groups=(group,), final=True,
                            interrupted=interrupted), faults)


@pytest.mark.parametrize("outcome, signals, code", [
    (fake_outcome(False), [], cli.EXIT_OK),
    (fake_outcome(False, ("Traceback\n",)), [], cli.EXIT_FAULT),
    (fake_outcome(True), [signal.SIGINT], 130),
    (fake_outcome(True), [signal.SIGTERM], 143),
    # A signal that arrives as the run completes does not fail it.
    (fake_outcome(False), [signal.SIGINT], cli.EXIT_OK),
])
def test_exit_codes(outcome: Outcome, signals: list[int], code: int,
                    monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    def fake_run(*args: object, **kwargs: object) -> Outcome:
        for signum in signals:
            signal.raise_signal(signum)
        return outcome

    monkeypatch.setattr("sms_sim.simulation.run", fake_run)
    assert cli.main(["1", "--json"]) == code
    out, err = capsys.readouterr()
    assert json.loads(out)["event"] == "summary"
    assert (err == "sms-sim: Traceback\n") == bool(outcome.faults)
