"""The README against the program: its examples, options and JSON fields
are checked on real runs, so that they cannot drift."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from sms_sim.cli.help_text import GROUPS
from sms_sim.cli.parser import build_parser
from sms_sim.cli.status import ExitStatus
from sms_sim.run import tuning
from tests.background import BACKGROUND

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def block_after(marker: str) -> list[str]:
    """The lines of the README's code block that follows ``marker``."""
    after = README[README.index(marker):]
    start = after.index("```\n") + 4
    return after[start:after.index("```", start)].splitlines()


def worked_example() -> list[str]:
    """The arguments of the worked example's command, as the README
    writes it over several lines."""
    shown = block_after("A worked example")
    command = shown[0].removeprefix("$ python3 start.py ")
    for line in shown[1:]:
        if not command.endswith("\\"):
            break
        command = command.rstrip("\\") + line
    return command.split()


COMMANDS = {
    "demo": ["--seed", "7", "--speed", "max"],
    "example": worked_example(),
    "search": ["2000", "20", "0.05", "0.01", "0.1", "--retries", "3",
               "--backoff", "0.5", "--max-rate", "50", "--target", "0.95@1m",
               "--solve", "max-rate", "--seed", "3", "--jobs", "1"],
    "plain": ["200", "4", "0.01", "0.005", "0.2", "--retries", "1", "--json",
              "--speed", "max"],
    "carried": ["200", "4", "0.01", "0.005", "0.2", "--json", "--speed",
                "max", "--carrier-delay", "exponential:mean=2"],
    "routed": ["200", "0", "--senders", "name=a,count=2,mean=0.01,down=1+1,"
               "accept=50,errors=system:5%",
               "--json", "--speed", "max"],
    "traffic": ["20", "4", "0.01", "0.005", "0.2", "--json", "--speed",
                "max", "--traffic", "name=alert,count=10,at=0.02"],
    "receipted": ["200", "4", "0.01", "0.005", "0.2", "--json", "--speed",
                  "max", "--receipts", "delivered=90%,none=10%"],
    "carriers": ["20", "4", "0.01", "0.005", "0.2", "--json", "--speed",
                 "max", "--carriers", "a=60%", "--carriers",
                 "b=40%,daily=3"],
}
"""The runs the README's claims are checked on."""
RUNS = {name: BACKGROUND.add([sys.executable, str(ROOT / "start.py"), *args])
        for name, args in COMMANDS.items()}
"""Started ahead of the tests (see ``tests/background.py``)."""


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    """Each command's standard output."""
    return {name: job.result().stdout for name, job in RUNS.items()}


def test_the_readme_is_for_users_and_links_the_rest() -> None:
    assert len(README.splitlines()) <= 300
    for page in ("docs/design.md", "docs/scenarios.md",
                 "benchmarks/README.md"):
        assert f"]({page})" in README
        assert (ROOT / page).exists()


def test_the_design_page_names_every_module_once() -> None:
    table = (ROOT / "docs" / "design.md").read_text().split(
        "| module | job |")[1].split("\n\n")[0]
    firsts = [row.split("|")[1] for row in table.splitlines()[2:]]
    named = re.findall(r"`([a-z_/]+\.py)`", "".join(firsts))
    package = ROOT / "sms_sim"
    assert sorted(named) == sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py") if path.name != "__init__.py")


def test_the_benchmark_page_covers_every_case_and_setting() -> None:
    """Each case of the two scripts and each setting of ``tuning.py`` has
    its figures on the benchmark page, so none is added unmeasured."""
    page = (ROOT / "benchmarks" / "README.md").read_text()
    for script in ("bench.py", "micro.py"):
        source = (ROOT / "benchmarks" / script).read_text()
        names = re.findall(r'Case\(\s*"(\w+)"', source)
        assert names
        for name in names:
            assert f"`{name}`" in page, f"{script} case {name}"
    settings = [name for name, value in vars(tuning).items()
                if name.isupper() and isinstance(value, (int, float))]
    assert "GC_YOUNG_THRESHOLD" in settings
    for name in settings:
        assert f"`{name}`" in page, f"setting {name}"


def test_the_demo_block_is_what_its_seed_gives(
        outputs: dict[str, str]) -> None:
    """A seed fixes every simulated figure, so the demo at --speed max
    prints the README's report but for its real time."""
    shown = block_after("The demo, piped")
    out = outputs["demo"].splitlines()
    first = next(i for i, line in enumerate(out)
                 if line.startswith("  messages"))
    report = shown[shown.index(out[first]):]
    report = report[:report.index("")]  # up to the chart, line for line:
    assert report == out[first:first + len(report)]  # none left out
    title = next(line for line in out if line.startswith("SMS alert"))
    assert title.startswith("SMS alert simulation completed: 2.5s "
                            "simulated, ")
    assert title.endswith(", seed 7")


def test_the_worked_examples_delivery_line_is_what_it_gives(
        outputs: dict[str, str]) -> None:
    shown = block_after("A worked example")
    args = COMMANDS["example"]
    assert args[args.index("--speed") + 1] == "max"
    out = outputs["example"].splitlines()
    delivered = next(line for line in shown
                     if line.startswith("  sent  "))
    assert delivered in out
    assert next(line for line in shown if line.startswith("  check")) in out


def test_the_target_search_has_the_shape_the_readme_shows(
        outputs: dict[str, str]) -> None:
    """The README's search takes seconds; a small one has its shape: the
    table's heading, a row per value tried, and the answer."""
    shown = block_after("Which cap would do?")
    assert shown[-1].startswith("  answer: max-rate 117.6/s is the least")
    out = outputs["search"].splitlines()
    heading = next(line for line in out if "duration" in line).split()
    assert heading[:4] == ["max-rate", "duration", "by", "1m00s"]
    assert heading[-1] == "target"
    shown_heading = next(line for line in shown if "duration" in line)
    assert shown_heading.split()[:4] == ["max-rate", "duration", "by",
                                         "15m00s"]
    rows = [line for line in out if re.match(r"  [0-9.]+/s ", line)]
    assert len(rows) >= 3
    assert {row.split()[-1] for row in rows} == {"met"} | {
        row.split()[-1] for row in rows if row.endswith("not met")}
    assert re.fullmatch(r"  answer: max-rate [0-9.]+/s is the least that "
                        r"delivers 95% by 1m00s", out[-1])


def shown_s(text: str) -> float:
    """A moment as a table shows it: ``15m02s``, or ``59.962 s`` below a
    minute."""
    if text.endswith(" s"):
        return float(text[:-2])
    found = re.fullmatch(r"(\d+)m(\d\d)s", text)
    assert found, text
    return 60 * int(found[1]) + int(found[2])


def p95_agrees_with_verdicts(rows: list[str], target_s: float,
                             strict: bool = True) -> None:
    """A row's 95% moment (exact, not a bucket's) is within the target's
    time exactly when its verdict is "met": strictly, or, for moments
    shown to the second, as far as the rounding shows."""
    for row in rows:
        # A moment below a minute is two words: "59.962 s".
        cells = row.replace(" s ", "_s ").split()
        p95_s = shown_s(cells[5].replace("_", " "))
        met = cells[-1] == "met" and cells[-2] != "not"
        if strict:
            assert (p95_s <= target_s) == met, row
        else:
            assert p95_s <= target_s if met else p95_s >= target_s, row


def test_the_search_tables_p95_column_agrees_with_its_verdicts(
        outputs: dict[str, str]) -> None:
    shown = block_after("Which cap would do?")
    rows = [line for line in shown if re.match(r"  [0-9.]+/s ", line)]
    assert {row.split()[-2] for row in rows} >= {"not"}
    p95_agrees_with_verdicts(rows, 15 * 60)
    out = outputs["search"].splitlines()
    p95_agrees_with_verdicts(
        [line for line in out if re.match(r"  [0-9.]+/s ", line)], 60,
        strict=False)


def documented_fields() -> set[str]:
    table = README[README.index("| field | meaning |"):]
    rows = table[:table.index("\n\n")].splitlines()[2:]
    return {name for row in rows
            for name in re.findall(r"`([a-z_0-9]+)`", row.split("|")[1])}


def test_every_json_field_is_documented_and_every_documented_one_is_real(
        outputs: dict[str, str]) -> None:
    lines = [json.loads(line) for name in ("plain", "carried", "routed",
                                           "traffic", "receipted",
                                           "carriers")
             for line in outputs[name].splitlines()]
    fields = {key for line in lines for key in line}
    group_fields = {key for line in lines for group in line.get("groups", [])
                    for key in group}
    documented = documented_fields()
    assert fields <= documented, "undocumented JSON fields"
    groups_row = next(line for line in README.splitlines()
                      if line.startswith("| `groups` |"))
    assert group_fields == set(re.findall(r"`([a-z_0-9]+)`",
                                          groups_row)) - {"groups"}
    assert documented - fields == set(), \
        "documented fields that no run writes"


def test_the_messages_add_up_on_every_json_line_as_it_says(
        outputs: dict[str, str]) -> None:
    """The README's sum holds "always": on progress lines too, not the
    summary alone (``not_arrived``, only with ``--traffic``, is 0 here)."""
    assert "`sent + failed + expired + unsent + not_arrived == total` " \
        "always" in README
    lines = [line for name in ("plain", "carried")
             for line in map(json.loads, outputs[name].splitlines())
             if line["event"] in ("progress", "summary")]
    assert {line["event"] for line in lines} == {"progress", "summary"}
    for line in lines:
        assert line["sent"] + line["failed"] + line["expired"] \
            + line["unsent"] + line.get("not_arrived", 0) \
            == line["total"], line


def option_groups() -> dict[str, str]:
    """Each argument's group in the README's option table: the bold row
    above it names the group."""
    table = README[README.index("| argument | meaning | default |"):]
    groups, group = {}, ""
    for row in table[:table.index("\n\n")].splitlines()[2:]:
        first = row.split("|")[1].strip()
        if first.startswith("**"):
            group = first.strip("*")
        for name in re.findall(r"`(-{0,2}[a-z_-]+)", first):
            groups[name] = group
    return groups


def test_every_option_is_in_the_readmes_table_under_its_help_group() -> None:
    """The README's table and ``--help`` group the arguments alike: each
    argument, positional or not, under the same title."""
    in_help = {max(action.option_strings or [action.dest], key=len):
               group.title
               for group in build_parser()._action_groups
               for action in group._group_actions}
    assert set(in_help.values()) == set(GROUPS)
    assert option_groups() == in_help


@pytest.mark.parametrize("option", [
    action.option_strings[0] for action in build_parser()._actions
    if action.option_strings and action.option_strings[0] != "-h"])
def test_every_option_is_in_the_readme(option: str) -> None:
    assert f"`{option}" in README


def test_every_exit_code_is_in_the_readme() -> None:
    table = README[README.index("| code | meaning |"):]
    for code in ExitStatus:
        assert re.search(rf"\| ({code:d}|[0-9, ]*\b{code:d}\b[0-9, ]*) \|",
                         table)
