"""How the parser takes two kinds of option: one that may be given once
only (argparse keeps the last of several, silently), and a plan's,
whose reader loads only when the option is given."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


class Once(argparse.Action):
    """An option that may be given once only (a sweep is of one name);
    ``why``, the reason its error gives."""

    def __init__(self, option_strings: list[str], dest: str,
                 why: str = "a sweep is of one setting",
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self._why = why

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"argument {option_string}: may be given once; "
                         f"{self._why}")
        setattr(namespace, self.dest, values)


def plan_value(name: str) -> Callable[[str], Any]:
    """``plan_specs``' reader ``name``, imported only when a plan's option
    is given: a single run loads nothing of the plan but its names."""
    def read(text: str) -> Any:
        from sms_sim.cli import plan_specs
        return getattr(plan_specs, name)(text)
    read.__name__ = name  # as argparse names a type in an error
    return read
