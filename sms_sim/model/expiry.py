"""Expiries: the results of messages that nothing can start any more."""
from __future__ import annotations

from collections.abc import Sequence

from sms_sim.model.message import Message
from sms_sim.model.result import EXPIRED, NO_GROUP, Result


def expiries(deadline_s: float,
             retries: Sequence[tuple[Message, int, float]],
             fresh: Sequence[Message]) -> list[Result]:
    """``retries`` (``(message, attempt, spent_s)``, each waiting for
    that attempt) and ``fresh`` messages expire at the deadline; a fresh
    one that arrives after it (``--traffic``) expires as it arrives."""
    expired = [Result(message=message, group=NO_GROUP, sender=0,
                      attempts=attempt - 1, send_s=None,
                      done_at_s=deadline_s, spent_s=spent_s,
                      outcome=EXPIRED, reached_at_s=None)
               for message, attempt, spent_s in retries]
    expired += [Result(message=message, group=NO_GROUP, sender=0,
                       attempts=0, send_s=None,
                       done_at_s=max(deadline_s, message.arrived_s),
                       spent_s=0.0, outcome=EXPIRED, reached_at_s=None)
                for message in fresh]
    return expired


def span(results: Sequence[Result], first_s: float, last_s: float
         ) -> tuple[float, float]:
    """The earliest and the latest end among ``results``, ``first_s`` and
    ``last_s``."""
    ends = [result.done_at_s for result in results]
    return min([first_s, *ends]), max([last_s, *ends])
