"""The shell scripts as a user runs them, executed and sourced, under bash
and dash.

Each test runs copies of the scripts in a temporary project whose .venv is
a stand-in: its bin/python is a small sh script that logs its arguments and
answers as the test asks, so no virtual environment is built and no tool
really runs."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 15
SCRIPTS = ("create_venv.sh", "activate_venv.sh", "pin_reqs.sh",
           "run_tests.sh", "lint.sh")
SHELLS = [shell for shell in ("bash", "dash") if shutil.which(shell)]
MODES = ("executed", "sourced")

STUB_PYTHON = r"""#!/bin/sh
# A stand-in for python: logs its arguments, answers as $STUB_* say.
printf '%s\n' "$*" >>"$STUB_LOG"
case $1 in
    -c)
        if [ -n "${STUB_BROKEN:-}" ]; then echo "$STUB_BROKEN" >&2; exit 127
        fi
        echo "${STUB_VERSION:-3.10}" ;;
    -m)
        case $2 in
            venv)
                mkdir -p "$3/bin" && cp "$0" "$3/bin/python" &&
                    echo 'VIRTUAL_ENV=stub; export VIRTUAL_ENV' \
                        >"$3/bin/activate" ;;
            pip) if [ "$3" = freeze ]; then echo 'pkg==1.0'; fi ;;
            pytest) exit "${STUB_PYTEST:-0}" ;;
            flake8) exit "${STUB_FLAKE8:-0}" ;;
            mypy) exit "${STUB_MYPY:-0}" ;;
        esac ;;
esac
"""
# After a sourced script: name any variable it left behind, then show that
# the calling shell goes on.
FUNCTIONS = re.findall(r"^(_sms_\w+)\(\)", (ROOT / ".ci/preamble.sh")
                       .read_text(), re.M)
"""The functions the scripts' shared preamble defines."""
AFTER = ('status=$?; set | sed -n "s/^_sms_/leaked: _sms_/p"; '
         f'for name in {" ".join(FUNCTIONS)}; do '
         'command -v "$name" >/dev/null && echo "leaked: $name"; done; '
         'echo "still here, VIRTUAL_ENV=${VIRTUAL_ENV:-}"; exit $status')


class Project:
    """A copy of the scripts with a stand-in .venv, built as if from the
    pins, and a stand-in python for create_venv.sh to build with."""

    def __init__(self, root: Path, name: str = "project") -> None:
        self.dir = root / name
        (self.dir / ".ci").mkdir(parents=True)
        for name in (*SCRIPTS, ".ci/run", ".ci/preamble.sh",
                     "requirements.txt", "static_requirements.txt"):
            shutil.copy2(ROOT / name, self.dir / name)
        (self.dir / "start.py").write_text("")
        self.python = root / "python3"
        self.python.write_text(STUB_PYTHON)
        self.python.chmod(0o755)
        self.log = root / "python.log"
        self.venv = self.dir / ".venv"
        self.installed = self.venv / "installed-requirements.txt"
        (self.venv / "bin").mkdir(parents=True)
        shutil.copy2(self.python, self.venv / "bin" / "python")
        (self.venv / "bin" / "activate").write_text(
            "VIRTUAL_ENV=stub; export VIRTUAL_ENV\n")
        shutil.copy(self.dir / "static_requirements.txt", self.installed)

    def environ(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("STUB_")
               and k not in ("PYTHON", "VIRTUAL_ENV", "BASH_ENV", "ENV")}
        env.update(STUB_LOG=str(self.log), PYTHON=str(self.python))
        env.update(extra)
        return env

    def run(self, shell: str, mode: str, script: str, *args: str,
            cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        """Run a script executed (`shell script args`) or sourced (`.`),
        by its path from ``cwd``, by default the project folder, with
        ``env`` added to the environment."""
        cwd = cwd or self.dir
        path = os.path.relpath(self.dir / script, cwd)
        path = path if "/" in path else "./" + path
        if mode == "executed":
            command = [shell, path, *args]
        else:
            command = [shell, "-c", f'. {shlex.quote(path)} "$@"; {AFTER}',
                       shell, *args]
        return subprocess.run(command, cwd=cwd,
                              env=self.environ(**(env or {})),
                              capture_output=True, text=True,
                              timeout=TIMEOUT_S)

    def calls(self) -> list[str]:
        """The stand-in pythons' command lines so far."""
        return (self.log.read_text().splitlines() if self.log.exists()
                else [])

    def text(self, name: str) -> str:
        return (self.dir / name).read_text()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def assert_sourced_cleanly(done: subprocess.CompletedProcess[str],
                           mode: str) -> None:
    if mode == "sourced":
        assert "leaked" not in done.stdout
        assert "still here" in done.stdout


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [0, 4, 5])
def test_run_tests_status_is_pytests(project: Project, shell: str,
                                     mode: str, status: int) -> None:
    done = project.run(shell, mode, "run_tests.sh", "-k", "nomatch",
                       env={"STUB_PYTEST": str(status)})
    assert done.returncode == status, done.stderr
    assert done.stderr == ""
    assert project.calls() == ["-m pytest -k nomatch"]
    assert_sourced_cleanly(done, mode)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("flake8, mypy, status, mode",
                         [(0, 0, 0, "executed"), (0, 2, 2, "sourced"),
                          (1, 2, 1, "executed"), (3, 0, 3, "sourced")])
def test_lint_runs_both_tools_and_keeps_the_first_failing_status(
        project: Project, shell: str, flake8: int, mypy: int, status: int,
        mode: str) -> None:
    done = project.run(shell, mode, "lint.sh",
                       env={"STUB_FLAKE8": str(flake8),
                            "STUB_MYPY": str(mypy)})
    assert done.returncode == status, done.stderr
    assert [call.split()[1] for call in project.calls()] == ["flake8",
                                                             "mypy"]
    assert_sourced_cleanly(done, mode)


@pytest.mark.parametrize("pytest_status, lint_ran", [(0, True), (5, False)])
def test_ci_fails_when_no_test_ran(project: Project, pytest_status: int,
                                   lint_ran: bool) -> None:
    done = subprocess.run(["bash", ".ci/run"], cwd=project.dir,
                          env=project.environ(STUB_PYTEST=str(pytest_status),
                                              CI="true"),
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == pytest_status, done.stderr
    assert ("-m flake8 start.py sms_sim tests benchmarks" in project.calls()
            ) is lint_ran


@pytest.mark.parametrize("script", SCRIPTS)
def test_dash_sourcing_from_elsewhere_says_where_to_source_it(
        project: Project, tmp_path: Path, script: str) -> None:
    if "dash" not in SHELLS:
        pytest.skip("no dash here")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = project.run("dash", "sourced", script, cwd=elsewhere)
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1
    assert "source it from the project folder" in done.stderr
    assert project.calls() == []
    assert_sourced_cleanly(done, "sourced")
    assert "VIRTUAL_ENV=\n" in done.stdout


@pytest.mark.parametrize("script, call", [
    ("run_tests.sh", "-m pytest -q"),
    ("activate_venv.sh", None),
])
def test_bash_sourcing_from_elsewhere_finds_the_project(
        project: Project, tmp_path: Path, script: str,
        call: str | None) -> None:
    done = project.run("bash", "sourced", script, "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert project.calls() == ([call] if call else [])
    assert_sourced_cleanly(done, "sourced")


@pytest.mark.parametrize("shell", SHELLS)
def test_activate_venv_activates_only_when_sourced(project: Project,
                                                   shell: str) -> None:
    sourced = project.run(shell, "sourced", "activate_venv.sh")
    assert sourced.returncode == 0, sourced.stderr
    assert sourced.stderr == ""
    assert "VIRTUAL_ENV=stub\n" in sourced.stdout
    assert_sourced_cleanly(sourced, "sourced")
    executed = project.run(shell, "executed", "activate_venv.sh")
    assert executed.returncode == 0
    assert "needs the script sourced" in executed.stderr


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("mode", MODES)
def test_create_venv_builds_with_PYTHON(project: Project, shell: str,
                                        mode: str) -> None:
    done = project.run(shell, mode, "create_venv.sh")
    assert done.returncode == 0, done.stderr
    assert done.stderr == (f"create_venv: building .venv from "
                           f"requirements.txt with {project.python} "
                           f"(Python 3.10)\n")
    calls = project.calls()
    assert calls[1] == f"-m venv {project.venv}"
    assert calls[2].startswith("-m pip install")
    assert calls[2].endswith(f"-r {project.dir}/requirements.txt")
    assert project.installed.read_text() == project.text("requirements.txt")
    assert_sourced_cleanly(done, mode)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("args, extra, status, message", [
    ((), {"PYTHON": "no-such-python"}, 127, "no-such-python not found"),
    ((), {"STUB_VERSION": "3.9"}, 1, "is Python 3.9; sms-sim needs 3.10"),
    ((), {"STUB_BROKEN": "pyenv: python3.10: command not found"}, 127,
     "does not run (status 127): pyenv: python3.10: command not found"),
    # One that fails without a word: no colon with nothing after it.
    ((), {"PYTHON": "false"}, 1, "create_venv: false does not run "
     "(status 1)\n"),
    (("typo.txt",), {}, 2, "no requirements file"),
    (("a.txt", "b.txt"), {}, 2, "usage:"),
])
def test_create_venv_refuses_in_one_line_and_keeps_the_venv(
        project: Project, shell: str, args: tuple[str, ...],
        extra: dict[str, str], status: int, message: str) -> None:
    done = project.run(shell, "sourced", "create_venv.sh", *args, env=extra)
    assert done.returncode == status
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert (project.venv / "bin" / "python").exists()
    assert project.installed.read_text() == project.text(
        "static_requirements.txt")
    assert_sourced_cleanly(done, "sourced")


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("built_from, why", [
    ("requirements.txt", "rebuilding .venv from static_requirements.txt "
     "with {python} (Python 3.10), because .venv was built from "
     "requirements.txt, not the pins"),
    ("other", "rebuilding .venv from static_requirements.txt with "
     "{python} (Python 3.10), because .venv was built from other "
     "requirements"),
    (None, "rebuilding .venv from static_requirements.txt with "
     "{python} (Python 3.10), because .venv has no record"),
    ("no .venv", "building .venv from static_requirements.txt with "
     "{python} (Python 3.10), as there is no .venv yet"),
])
def test_run_tests_says_why_it_rebuilds_from_the_pins(
        project: Project, shell: str, built_from: str | None,
        why: str) -> None:
    if built_from == "no .venv":
        shutil.rmtree(project.venv)
    elif built_from is None:
        project.installed.unlink()
    elif built_from == "other":
        project.installed.write_text("pytest==1.0\n")
    else:
        shutil.copy(project.dir / built_from, project.installed)
    done = project.run(shell, "executed", "run_tests.sh")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1
    assert why.format(python=project.python) in done.stderr
    assert project.calls()[-1] == "-m pytest"
    assert project.installed.read_text() == project.text(
        "static_requirements.txt")


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("mode", MODES)
def test_pin_reqs_pins_from_python_3_10_only(project: Project, shell: str,
                                             mode: str) -> None:
    pins = project.text("static_requirements.txt")
    refused = project.run(shell, mode, "pin_reqs.sh",
                          env={"STUB_VERSION": "3.11"})
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert "PYTHON=python3.10 ./create_venv.sh" in refused.stderr
    assert project.text("static_requirements.txt") == pins
    assert_sourced_cleanly(refused, mode)

    done = project.run(shell, mode, "pin_reqs.sh")
    assert done.returncode == 0, done.stderr
    assert project.text("static_requirements.txt") == "pkg==1.0\n"
    assert project.installed.read_text() == "pkg==1.0\n"
    assert sorted(p.name for p in project.dir.iterdir()
                  if "requirements" in p.name) == [
        "requirements.txt", "static_requirements.txt"]
    assert_sourced_cleanly(done, mode)


@pytest.mark.parametrize("shell", SHELLS)
def test_pin_reqs_says_why_the_venvs_python_does_not_run(
        project: Project, shell: str) -> None:
    pins = project.text("static_requirements.txt")
    done = project.run(shell, "sourced", "pin_reqs.sh",
                       env={"STUB_BROKEN": "error while loading libpython"})
    assert done.returncode == 127
    assert done.stderr == ("pin_reqs: .venv/bin/python does not run (status "
                           "127): error while loading libpython\n")
    assert project.text("static_requirements.txt") == pins
    assert_sourced_cleanly(done, "sourced")


WHAT_RUNS = {
    # script: the tools its stand-in python was asked to run, in order
    "create_venv.sh": ["venv", "pip"],
    "activate_venv.sh": [],
    "pin_reqs.sh": ["pip"],
    "run_tests.sh": ["pytest"],
    "lint.sh": ["flake8", "mypy"],
}


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("script", SCRIPTS)
def test_executed_from_elsewhere_each_script_finds_its_project(
        tmp_path: Path, shell: str, script: str) -> None:
    # A folder name that quoting mistakes would split or expand.
    project = Project(tmp_path, "my project [1] *")
    done = project.run(shell, "executed", script, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "cannot tell" not in done.stderr
    assert [call.split()[1] for call in project.calls()
            if call.startswith("-m ")] == WHAT_RUNS[script]
    assert all(str(project.dir) in call for call in project.calls()
               if call.startswith("-m venv"))


def test_the_pins_hold_what_python_3_10_needs() -> None:
    pins = (ROOT / "static_requirements.txt").read_text().splitlines()
    names = {line.split("==")[0].lower() for line in pins}
    assert {"pytest", "flake8", "mypy", "exceptiongroup", "tomli"} <= names
    assert all("==" in line for line in pins)
