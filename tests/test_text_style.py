"""Wrapping between whole fields, and cutting decoration only."""
from __future__ import annotations

import re

from sms_sim.output.text.style import fit, wrap

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_wrap_moves_whole_fields_and_keeps_the_indent() -> None:
    fields = ["alpha 1,234", "beta 56.78", "gamma 9"]
    assert wrap("  x  ", fields, 22, sep=" | ") == [
        "  x  alpha 1,234", "     beta 56.78", "     gamma 9"]
    assert wrap("  x  ", fields, 40, sep=" | ") == [
        "  x  alpha 1,234 | beta 56.78 | gamma 9"]


def test_wrap_puts_a_field_wider_than_the_line_on_a_line_of_its_own() -> None:
    assert wrap("  ", ["1", "123,456,789", "2"], 5) == \
        ["  1", "123,456,789", "  2"]


def test_wrap_moves_a_field_left_rather_than_past_the_width() -> None:
    assert wrap("  a  ", ["12", "1,234,567"], 10) == ["  a  12", " 1,234,567"]
    # A blank head is only indentation: no blank line for it.
    assert wrap("  ", ["sent 1,582"], 10) == ["sent 1,582"]


def test_wrap_without_a_width_never_wraps() -> None:
    fields = [f"field {n:,}" for n in range(1000, 100000, 1000)]
    assert len(wrap("head: ", fields, None)) == 1


def test_wrap_moves_a_field_off_a_head_it_does_not_fit_beside() -> None:
    title = wrap("A long title: ", ["first 12", "second 34"], 20, indent=2)
    assert title == ["A long title:", "  first 12", "  second 34"]
    label = wrap("  label       ", ["first 123,456"], 20)
    assert label == ["  label", "       first 123,456"]


def test_fit_cuts_visible_text_and_keeps_escapes_whole() -> None:
    line = "ab\x1b[32mcdef\x1b[0mgh"
    assert fit(line, 100) == line
    cut = fit(line, 4)
    assert ANSI.sub("", cut) == "abcd" and cut.endswith("\x1b[0m")
