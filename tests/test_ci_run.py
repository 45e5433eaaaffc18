""".ci/run installs Chromium for the browser test where it is missing.

Each test runs a copy of .ci/run in a temporary project whose scripts
and apt-get are stand-ins, on a PATH without chromium, so nothing is
installed and no suite really runs."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 15
SHELLS = [shell for shell in ("bash", "dash") if shutil.which(shell)]
STUB_APT = r"""#!/bin/sh
# A stand-in for apt-get: logs its arguments; "install" fails until
# "update" has run (a fresh machine's missing lists), or always with
# $STUB_BROKEN.
echo "apt-get $*" >>"$STUB_LOG"
case $1 in
    update) : >"$STUB_LOG.updated"; exit 0 ;;
esac
if [ -f "$STUB_LOG.updated" ] && [ -z "${STUB_BROKEN:-}" ]; then exit 0; fi
echo "E: Unable to locate package chromium" >&2
exit 100
"""
STUB_SCRIPT = '#!/bin/sh\necho "${0##*/}" >>"$STUB_LOG"\n'


def project(root: Path, browser_test: bool) -> Path:
    """A copy of .ci/run beside stand-in scripts; the real test file's name
    only when ``browser_test``."""
    folder = root / "project"
    (folder / ".ci").mkdir(parents=True)
    (folder / "tests").mkdir()
    shutil.copy2(ROOT / ".ci" / "run", folder / ".ci" / "run")
    for name in ("run_tests.sh", "lint.sh"):
        (folder / name).write_text(STUB_SCRIPT)
        (folder / name).chmod(0o755)
    if browser_test:
        (folder / "tests" / "test_html_report.py").write_text("")
    return folder


def run_ci(root: Path, shell: str, browser_test: bool = True,
           **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the copy of .ci/run; its result and what it called, in order.
    """
    folder = project(root, browser_test)
    tools = root / "bin"  # apt-get and dirname, and no chromium
    tools.mkdir()
    (tools / "apt-get").write_text(STUB_APT)
    (tools / "apt-get").chmod(0o755)
    dirname = shutil.which("dirname")
    assert dirname is not None
    (tools / "dirname").symlink_to(dirname)
    log = root / "calls.log"
    shell_path = shutil.which(shell)
    assert shell_path is not None
    done = subprocess.run(
        [shell_path, ".ci/run"], cwd=folder, capture_output=True, text=True,
        env={"PATH": str(tools), "STUB_LOG": str(log), **env},
        timeout=TIMEOUT_S)
    return done, log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("shell", SHELLS)
def test_a_fresh_machine_gets_chromium_then_the_suite_runs(
        tmp_path: Path, shell: str) -> None:
    done, calls = run_ci(tmp_path, shell)
    assert done.returncode == 0, done.stderr
    assert calls == ["apt-get install -y chromium", "apt-get update",
                     "apt-get install -y chromium", "run_tests.sh",
                     "run_tests.sh", "lint.sh"]
    # The first try's complaint about missing lists is not shown.
    assert "Unable to locate" not in done.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_ci_fails_when_chromium_cannot_be_installed(
        tmp_path: Path, shell: str) -> None:
    done, calls = run_ci(tmp_path, shell, STUB_BROKEN="1")
    assert done.returncode == 1
    assert "could not install chromium" in done.stderr
    assert "run_tests.sh" not in calls  # no run that skips the test


def test_nothing_is_installed_where_there_is_no_browser_test(
        tmp_path: Path) -> None:
    done, calls = run_ci(tmp_path, "bash", browser_test=False)
    assert done.returncode == 0, done.stderr
    assert calls == ["run_tests.sh", "run_tests.sh", "lint.sh"]
