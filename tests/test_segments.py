"""Messages as the network counts them: each message's form (encoding and
segments), the planner's own texts, caps that count segments, and the
figures, from the units up to the command line."""
from __future__ import annotations

import json
import random
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sms_sim.measure.stats import Stats
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SEGMENTS, SenderGroup, SimulationConfig
from sms_sim.model.encoding import (GSM7, GSM7_EXTENSION, MAX_SEGMENTS,
                                    ONE_GSM7, UCS2, Form, encode)
from sms_sim.model.fleet import next_free_s, next_slot_s
from sms_sim.model.gateway import Gateway
from sms_sim.model.message import (PRINTABLE, RANDOM_MOST_SEGMENTS, Message,
                                   generate_messages, random_forms)
from sms_sim.model.result import EXPIRED, FAILED, SENT, Result
from sms_sim.model.schedule import Schedule
from sms_sim.model.texts import (AT_RANDOM, Texts, TextsError, read_texts)
from sms_sim.model.validation import ConfigError
from sms_sim.output.html import pages
from tests.background import BACKGROUND, Job
from tests.helpers import run_main, usage_error
from tests.test_golden import MACHINE_FIELDS
from tests.test_readme import README

ROOT = Path(__file__).resolve().parent.parent
THREE = "a" * 400
"""A text of three GSM-7 segments (400 septets: 153 + 153 + 94)."""


def test_random_texts_take_the_form_encode_gives_them() -> None:
    messages = generate_messages(random.Random(5), 0, 5_000)
    assert [m.form for m in messages] == [encode(m.text).form
                                          for m in messages]
    assert {m.form for m in messages} == {
        ONE_GSM7, Form(UCS2, 1), Form(UCS2, 2)}
    assert RANDOM_MOST_SEGMENTS == 2


def test_a_long_random_text_of_extension_characters_is_counted() -> None:
    """Only a text of more than 60 two-septet characters in 100 takes two
    GSM-7 segments: too rare to draw, so made here."""
    extension = sorted(GSM7_EXTENSION & set(PRINTABLE))
    texts = ["{" * 61 + "a" * 39, "{" * 60 + "a" * 40,
             "".join(extension) * 12 + "a" * 4, "`" + "~" * 99, "a" * 81]
    assert random_forms(texts) == [encode(t).form for t in texts] == [
        Form(GSM7, 2), ONE_GSM7, Form(GSM7, 2), Form(UCS2, 2), ONE_GSM7]


def test_texts_are_taken_in_turn_by_id_the_draws_unchanged() -> None:
    plain = generate_messages(random.Random(1), 10, 5)
    texts = Texts(("one", "`two`", THREE))
    carried = texts.carried(plain, Texts.generator(1))
    assert [m.text for m in carried] == [texts.lines[m.id % 3]
                                         for m in plain]
    assert [m.form for m in carried] == [texts.forms[m.id % 3]
                                         for m in plain]
    assert [(m.id, m.phone, m.seed) for m in carried] == [
        (m.id, m.phone, m.seed) for m in plain]
    assert texts.forms == (ONE_GSM7, Form(UCS2, 1), Form(GSM7, 3))
    assert (texts.least_segments, texts.most_segments) == (1, 3)


def test_texts_at_random_come_from_the_seed_each_as_often() -> None:
    texts = Texts(("a", "b", "c", "d"), AT_RANDOM)
    plain = generate_messages(random.Random(2), 0, 4000)

    def picked(seed: int) -> list[str]:
        return [m.text for m in texts.carried(plain, Texts.generator(seed))]

    assert picked(3) == picked(3)
    assert picked(3) != picked(4)
    counts = [picked(3).count(line) for line in texts.lines]
    assert all(abs(count - 1000) < 4 * (4000 * 0.25 * 0.75) ** 0.5
               for count in counts)  # 4 standard deviations


@pytest.mark.parametrize("lines, order, problem", [
    ((), "turn", "at least one text"),
    (("fine", ""), "turn", "text 2 is empty"),
    (("`" * (67 * MAX_SEGMENTS + 1),), "turn", "takes 256 segments"),
    (("fine",), "shuffled", "must be turn or random"),
    # Bytes that are not UTF-8 on a command line come as lone surrogates.
    (("ab\udcff",), "turn", "text 1 is not valid UTF-8"),
])
def test_texts_that_cannot_be_sent_are_refused(
        lines: tuple[str, ...], order: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        Texts(lines, order)


def test_a_file_of_texts_one_a_line_blank_lines_skipped(
        tmp_path: Path) -> None:
    path = tmp_path / "texts.txt"
    path.write_text("\ufeffFirst alert\r\n\n  \nSegundo aviso: evacúe\n",
                    encoding="utf-8")
    assert read_texts(str(path)) == ("First alert", "Segundo aviso: evacúe")


@pytest.mark.parametrize("content, problem", [
    (b"", "has no texts"),
    (b"\n \n", "has no texts"),
    (b"\x7fELF\x02\x01\x01\x00\x00", "is not a text file"),
    (b"\xff\xfe\x00a", "is not a text file"),
    (b"ok\n" + b"x" * 70_000, "line 2 is longer than 65,536"),
    (b"ok\n" + "\u00f3".encode() * 17_086, "line 2 takes 256 segments"),
])
def test_a_file_of_texts_that_cannot_be_used_is_refused_in_one_line(
        tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "texts.txt"
    path.write_bytes(content)
    with pytest.raises(TextsError, match=problem) as caught:
        read_texts(str(path))
    assert "\n" not in str(caught.value)


def test_an_unreadable_file_of_texts_says_why(tmp_path: Path) -> None:
    with pytest.raises(TextsError, match="cannot read .*No such file"):
        read_texts(str(tmp_path / "missing.txt"))


def message(id: int, form: Form) -> Message:
    """A message whose first attempt draws no delay and no failure."""
    return Message(id, "000-000-0000", "x", 0xFFFFFFFF, form)


def decided(forms: Sequence[Form], group: SenderGroup, gateway: Gateway,
            per_segment: bool) -> list[Result]:
    chunks = iter([[message(i, f) for i, f in enumerate(forms)], None])
    plan = Schedule((group,), gateway, lambda: next(chunks),
                    per_segment=per_segment)
    results: list[Result] = []
    while (take := plan.decide(1)) is not None:
        results += take.sent + take.failed
    return results


def test_counting_segments_a_message_takes_a_slot_a_segment() -> None:
    forms = [Form(GSM7, 3), ONE_GSM7, Form(UCS2, 2), ONE_GSM7]
    group = SenderGroup.uniform(4, 0.125, 0.0, 0.0)
    capped = Gateway(max_rate=8)  # a slot every 0.125 s
    starts = [r.done_at_s - (r.send_s or 0.0)
              for r in decided(forms, group, capped, True)]
    assert starts == [0.0, 0.375, 0.5, 0.75]
    assert starts[1:] == [next_slot_s(start, 0.125, form.segments)
                          for start, form in zip(starts, forms)][:-1]
    counted = decided(forms, group, capped, False)
    assert [r.done_at_s - (r.send_s or 0.0) for r in counted] == [
        0.0, 0.125, 0.25, 0.375]
    assert [r.send_s for r in counted] == [0.125] * 4


def test_counting_segments_a_send_takes_its_time_a_segment() -> None:
    forms = [Form(GSM7, 3), ONE_GSM7]
    one = SenderGroup.uniform(1, 0.125, 0.0, 0.0, tps=4)
    results = decided(forms, one, Gateway(), True)
    assert [r.send_s for r in results] == [0.375, 0.125]
    # Its tps cap: 3 slots of 0.25 s, later than the send's end.
    assert results[1].done_at_s - 0.125 == next_free_s(0.0, 0.375, 0.25, 3)
    assert next_free_s(0.0, 0.375, 0.25, 3) == 0.75


def test_a_run_that_counts_segments_is_bounded_by_its_texts() -> None:
    group = SenderGroup.uniform(1, 1.0, 0.0, 0.0)
    texts = Texts(("a", THREE))

    def least(**kwargs: Any) -> float:
        return SimulationConfig(10, (group,), texts=texts,
                                **kwargs).least_duration_s

    assert least() == least(cap_unit="messages") == 10.0
    assert least(cap_unit=SEGMENTS) == 10.0  # the shortest text: 1
    only_three = SimulationConfig(10, (group,), texts=Texts((THREE,)),
                                  cap_unit=SEGMENTS)
    assert only_three.least_duration_s == 30.0
    assert only_three.send_factor == 3
    with pytest.raises(ConfigError, match="messages or segments"):
        SimulationConfig(10, (group,), cap_unit="bytes")


def summary_of(outcomes: Sequence[tuple[Form, str]]) -> Summary:
    """The summary of messages that ended as ``outcomes`` say, each by an
    attempt that ended at 1 s (none for an expiry)."""
    stats = Stats(len(outcomes), [SenderGroup.uniform(1, 0.1, 0.0, 0.5)])
    stats.add(Result(message=message(i, form), group=0, sender=1,
                     attempts=int(outcome != EXPIRED),
                     send_s=None if outcome == EXPIRED else 0.1,
                     done_at_s=1.0, spent_s=0.1, outcome=outcome,
                     reached_at_s=None)
              for i, (form, outcome) in enumerate(outcomes))
    return stats.summary(1.0, 2.0)


def test_the_summary_counts_messages_by_form_and_segments_sent() -> None:
    summary = summary_of([
        (ONE_GSM7, SENT), (ONE_GSM7, FAILED), (Form(UCS2, 3), SENT),
        (Form(GSM7, 4), SENT), (Form(UCS2, 9), EXPIRED),
        (Form(UCS2, 2), FAILED)])
    assert summary.by_encoding == (("gsm7", 3), ("ucs2", 3))
    assert summary.by_segments == (("1", 2), ("2", 1), ("3", 1),
                                   ("more", 2))
    assert summary.segments_sent == 1 + 3 + 4
    # Sent or failed: 1 + 1 + 3 + 4 + 2 segments, over the sending (to the
    # last attempt's end, 1 s), as messages are.
    assert summary.throughput_per_s == 5 / 1.0
    assert summary.segment_throughput_per_s == 11 / 1.0


def test_the_html_report_shows_the_texts_and_segments() -> None:
    rows = dict(pages.summary_rows(summary_of(
        [(ONE_GSM7, SENT), (Form(UCS2, 3), FAILED)])))
    assert rows["texts"] == "GSM-7 1, UCS-2 1"
    assert rows["segments"] == "1: 1, 3: 1"
    assert rows["segments sent"] == "1"
    assert rows["throughput"] == "2/s (4/s in segments)"


def start(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *args]


def logged(args: Sequence[str]) -> Job:
    return BACKGROUND.add(lambda folder: start(
        *args, "--json", "--log", str(folder / "log.csv")))


SEEDED_ARGS = {
    "random texts": ["300", "5", "0.05", "0.02", "0.2", "--count",
                     "segments", "--max-rate", "100", "--tps", "30",
                     "--retries", "1", "--backoff", "0.1", "--seed", "8"],
    "texts at random": ["300", "5", "0.05", "0.02", "0.2", "--count",
                        "segments", "--max-rate", "100", "--text-file",
                        str(ROOT / "examples" / "alerts.txt"),
                        "--text-order", "random", "--seed", "8"],
}
SEEDED = {(name, speed): logged([*args, "--speed", speed])
          for name, args in SEEDED_ARGS.items()
          for speed in ("20", "1000", "max")}


def test_a_three_segment_text_under_30_segments_a_second_sends_10(
        tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    status, out, err = run_main(
        "600", "50", "0.01", "0", "0", "--text", THREE, "--count",
        "segments", "--max-rate", "30", "--speed", "max", "--seed", "4",
        "--json", "--log", str(log))
    assert status == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["sent"] == 600
    assert summary["segments"] == {"1": 0, "2": 0, "3": 600, "more": 0}
    assert summary["segments_sent"] == 1800
    assert summary["throughput_per_s"] == pytest.approx(10, rel=0.01)
    assert summary["segment_throughput_per_s"] == pytest.approx(30,
                                                                rel=0.01)
    header, *rows = log.read_text().splitlines()
    assert header.split(",")[-2:] == ["encoding", "segments"]
    assert {tuple(row.split(",")[-2:]) for row in rows} == {("gsm7", "3")}


def fingerprint(job: Job) -> tuple[dict[str, Any], list[str]]:
    done = job.result()
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    for name in MACHINE_FIELDS:
        summary.pop(name)
    return summary, sorted((job.dir / "log.csv").read_text().splitlines())


@pytest.mark.parametrize("name", SEEDED_ARGS)
def test_a_seed_fixes_every_figure_at_any_speed(name: str) -> None:
    (first, first_log), *others = [fingerprint(SEEDED[name, speed])
                                   for speed in ("20", "1000", "max")]
    assert first["segments_sent"] > first["sent"]  # some took two or more
    for summary, log in others:
        assert summary == first
        assert log == first_log


BAD_INPUT = {
    "--text": ["--text", ""],
    "--text-file": ["--text", "a", "--text-file", "README.md"],
    "--count": ["--count", "bytes"],
    "--text-order": ["--text-order", "random"],
    "--text ": ["--text", "ab\udcff"],  # bytes not UTF-8, as argv has them
}


@pytest.mark.parametrize("option", BAD_INPUT)
def test_bad_texts_and_counts_get_one_line_and_status_2(option: str) -> None:
    last = usage_error("10", *BAD_INPUT[option])
    argument = "--text" if option == "--text-file" else option.strip()
    assert last.startswith(f"start.py: error: argument {argument}: ")


def test_an_empty_text_file_gets_one_line_and_status_2(
        tmp_path: Path) -> None:
    """Through a real process."""
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    done = subprocess.run(start("10", "--text-file", str(empty)), cwd=ROOT,
                          capture_output=True, text=True, timeout=15)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("usage: ")
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"start.py: error: argument --text-file: {str(empty)!r} has no "
        "texts: it is empty, or blank")


def readme_example() -> tuple[list[str], list[str], list[str]]:
    """The README's two runs, the second's arguments those of the first
    but its text file, and the lines its block shows."""
    shown = README[README.index("Networks count texts in segments"):]
    block = shown[shown.index("```\n") + 4:].split("```")[0].splitlines()
    command = " ".join(line.rstrip("\\") for line in block[:2])
    dollar, python, program, *args = shlex.split(command)
    assert (dollar, python, program) == ("$", "python3", "start.py")
    at = args.index("--text-file") + 1
    files = (args[at], block[3].split("--text-file ")[1].split()[0])
    return ([*args[:at], str(ROOT / files[0]), *args[at + 1:]],
            [*args[:at], str(ROOT / files[1]), *args[at + 1:]], block)


EXAMPLE = [BACKGROUND.add(start(*args)) for args in readme_example()[:2]]


def test_the_readmes_segment_example_is_what_it_gives() -> None:
    """The English alert's run, then the bilingual one's."""
    _, _, block = readme_example()
    english, bilingual = (job.result().stdout.splitlines()
                          for job in EXAMPLE)
    assert block[2] in english
    assert block[4] in bilingual
    assert "  texts       UCS-2 10,000   3 segments 10,000   segments sent " \
        "29,997" in bilingual
