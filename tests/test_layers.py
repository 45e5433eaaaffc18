"""The package's folders are its layers: each module imports only from its
own layer and the ones below it, and no imports go round in a circle.

The imports are read from the source (every ``import`` statement, also
inside functions), so a lazy import counts like any other.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sms_sim"
LAYERS = ("model", "measure", "run", "plan", "output", "cli")
"""Lowest first: each may import the ones before it, never after."""
TOP = len(LAYERS)
"""The package's own modules (``__main__``): above every layer."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The modules of the package that ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # ``from sms_sim.run import tuning`` imports a module.
            names.update(f"{node.module}.{alias.name}"
                         for alias in node.names)
    return {name for name in names if name in MODULES}


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def layer(module: str) -> int:
    if module == "sms_sim":
        # The package itself, only its name and version: loaded before
        # any of its modules, so below every layer.
        return -1
    parts = module.split(".")
    return LAYERS.index(parts[1]) if parts[1:] and parts[1] in LAYERS \
        else TOP


@functools.cache
def _read() -> dict[str, frozenset[str]]:
    """Each module's imports, read once for the whole file."""
    return {module: frozenset(imported(path) - {module})
            for module, path in MODULES.items()}


def graph() -> dict[str, set[str]]:
    """A fresh copy, for a test to change as it likes."""
    return {module: set(targets) for module, targets in _read().items()}


def upward(imports: dict[str, set[str]]) -> list[str]:
    return sorted(f"{module} -> {target}"
                  for module, targets in imports.items()
                  for target in targets
                  if layer(target) > layer(module))


def cycle(imports: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(imports.get(module, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(imports):
        if module not in state:
            found = visit(module)
            if found:
                return found
    return None


def test_every_module_is_in_a_layer_folder() -> None:
    loose = sorted(module for module in MODULES
                   if layer(module) == TOP
                   and module not in ("sms_sim", "sms_sim.__main__"))
    assert loose == []


def test_the_package_itself_imports_nothing() -> None:
    """So that it may stay below every layer (see ``layer``)."""
    assert imported(PACKAGE / "__init__.py") == set()


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    assert upward(graph()) == []


def test_no_imports_go_round_in_a_circle() -> None:
    assert cycle(graph()) is None


@pytest.mark.parametrize("module, target", [
    ("sms_sim.model.schedule", "sms_sim.run.channels"),
    ("sms_sim.measure.stats", "sms_sim.output.text.run"),
])
def test_an_upward_import_is_found(module: str, target: str) -> None:
    imports = graph()
    imports[module] = imports[module] | {target}
    assert upward(imports) == [f"{module} -> {target}"]


def test_a_circle_is_found() -> None:
    imports = graph()
    imports["sms_sim.model.message"] = \
        imports["sms_sim.model.message"] | {"sms_sim.model.schedule"}
    found = cycle(imports)
    assert found is not None
    assert found[0] == found[-1]
    assert {"sms_sim.model.message", "sms_sim.model.schedule"} <= set(found)
