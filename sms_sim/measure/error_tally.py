"""``ErrorTally``: attempts that failed with an error class
(``errors=``), and the messages that failed for good so, by class."""
from __future__ import annotations

from dataclasses import dataclass

from sms_sim.model.errors import CLASSES
from sms_sim.model.result import FAILED


@dataclass(frozen=True, slots=True)
class ErrorCount:
    """One class's failed attempts, and the messages it failed for good
    (their last attempt failed so)."""

    name: str
    attempts: int
    failed: int


class ErrorTally:
    """Counts results by error class; only the monitor thread adds."""

    def __init__(self) -> None:
        self._attempts = dict.fromkeys(CLASSES, 0)
        self._failed = dict.fromkeys(CLASSES, 0)

    def add(self, cause: str, outcome: str) -> None:
        """A result with a cause: counted if it is an error class."""
        if cause in self._attempts:
            self._attempts[cause] += 1
            self._failed[cause] += outcome == FAILED

    def counts(self) -> tuple[ErrorCount, ...]:
        return tuple(ErrorCount(name, self._attempts[name],
                                self._failed[name]) for name in CLASSES)
