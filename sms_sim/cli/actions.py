"""An option that may be given once only: argparse keeps the last of
several, silently."""
from __future__ import annotations

import argparse
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
