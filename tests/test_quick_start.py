"""A quick start: a single run loads the modules it runs with, and none
that only a plan or a report needs; those load when asked for, at the
one place that dispatches to them (``cli/main.py``, ``cli/options.py``,
``cli/actions.py``).  So do the standard library's modules that only a
shape, the help, a terminal or a fault needs."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 15
LOADED = """\
import runpy, sys
for args in {runs!r}:
    sys.argv = [{start!r}, *args]
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as done:
        print(repr((int(done.code), sorted(sys.modules))))
"""
"""Runs the program as ``start.py`` does, once for each list of arguments
in one process, and prints its status and every module loaded so far,
by ``repr``: nothing it says needs another module."""
NOT_FOR_ONE_RUN = (
    "sms_sim.plan.cells", "sms_sim.plan.fit", "sms_sim.plan.pool",
    "sms_sim.plan.replications", "sms_sim.plan.search",
    "sms_sim.plan.settings", "sms_sim.plan.target", "sms_sim.cli.plans",
    "sms_sim.cli.plan_checks", "sms_sim.cli.plan_specs",
    "sms_sim.output.plan_figures", "sms_sim.output.text.plan",
    "sms_sim.output.compare_figures", "sms_sim.output.fit_figures",
    "sms_sim.output.html", "sms_sim.output.files",
    "sms_sim.measure.intervals")
"""What only a plan or a report uses: the planner, a plan's settings and
figures, a comparison's and a fit's, the HTML report and its file, the
confidence intervals."""
STANDARD_NOT_FOR_ONE_RUN = ("statistics", "decimal", "fractions", "shutil",
                            "bz2", "lzma", "textwrap", "traceback",
                            "difflib")
"""The standard library's modules a single run through a pipe starts
without: the normal shapes' statistics (with decimal and fractions),
shutil (with the compressors) for the help and a live terminal's size,
textwrap for the help, traceback for a fault, difflib for a scenario's
unknown key."""


def loaded(*runs: list[str]) -> list[tuple[int, list[str]]]:
    """The exit status of each run of ``start.py``, with the arguments of
    each of ``runs`` in turn, and the modules loaded by its end."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(
            start=str(ROOT / "start.py"), runs=runs)],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
    return [ast.literal_eval(line) for line in done.stdout.splitlines()
            if line.startswith("(")]


def unwanted(modules: list[str]) -> list[str]:
    return [module for module in modules
            if module.startswith(NOT_FOR_ONE_RUN)
            or module in STANDARD_NOT_FOR_ONE_RUN]


def test_a_single_run_loads_nothing_that_only_plans_or_reports_use(
        tmp_path: Path) -> None:
    (status, modules), (reported, then) = loaded(
        ["0"], ["0", "--dist", "normal",
                "--report", str(tmp_path / "report.html")])
    assert status == 0 and "sms_sim.run.simulation" in modules
    assert unwanted(modules) == []
    # The plan's names alone, for the parser's help and checks.
    assert [module for module in modules
            if module.startswith("sms_sim.plan.")] == ["sms_sim.plan.names"]
    # The same probe sees what a run asks for load: a report's modules,
    # and the normal shape's statistics.
    assert reported == 0 and {
        "sms_sim.output.files", "sms_sim.output.html.pages",
        "statistics"} <= {*unwanted(then)}
