"""A run's final figures: its last progress, and what only the end has."""
from __future__ import annotations

from dataclasses import dataclass

from sms_sim.measure.curve import Curve
from sms_sim.measure.error_tally import ErrorCount
from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import Progress, finite_rate
from sms_sim.model.encoding import ENCODINGS, Form
from sms_sim.model.limits import Limits

SEGMENT_ROWS = ("1", "2", "3", "more")
"""The rows of messages by their segments: 1, 2, 3, and 4 or more."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How many messages had been sent, and had reached the phones, by a
    simulated moment named before the run (a check's or a target's),
    counted exactly."""

    at_s: float
    sent: int
    reached: int
    confirmed: int = 0
    """With receipts, the delivered receipts back by then."""


@dataclass(frozen=True, slots=True)
class FormCount:
    """The messages of one form (encoding and segments) that ended, by
    how they ended."""

    form: Form
    sent: int
    failed: int
    expired: int

    @property
    def messages(self) -> int:
        return self.sent + self.failed + self.expired


@dataclass(frozen=True, slots=True)
class Times:
    """A class's times, of its messages sent: the mean (exact to the
    nanosecond), the percentiles (the k-th smallest of N, k = ceil(pN))
    and the longest, exact."""

    mean_s: float
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None
    max_s: float


@dataclass(frozen=True, slots=True)
class ClassCounts:
    """The messages of one traffic class (``--traffic``), by how they
    ended; after an interrupt, those that had arrived but had no outcome
    are unsent, and those still to arrive are neither."""

    name: str
    messages: int
    """All it brings."""
    arrived: int
    """Of them, those that had arrived when the run ended."""
    sent: int
    failed: int
    expired: int
    after: Times | None = None
    """Of those sent, from arrival to sent: waiting and sending."""
    waiting: Times | None = None
    """Of those sent, the waiting alone: in line, and any backoff."""
    reached_after: Times | None = None
    """With a carrier, of those sent, from arrival to the phone."""
    curve: Curve | None = None
    """The share of its messages (not of all) sent by each simulated
    moment, from 1% buckets; None if none was sent."""
    reached: int = 0
    """Of those sent, those the phones had (with a carrier)."""
    confirmed: int = 0
    """Of those sent, those with a delivered receipt (with receipts)."""
    within: tuple[Checkpoint, ...] = ()
    """The exact counts within each checkpoint's time of each message's
    arrival (``at_s`` is that time here, not a moment)."""

    @property
    def unsent(self) -> int:
        return self.arrived - self.sent - self.failed - self.expired

    def counted_within(self, after_s: float) -> Checkpoint:
        """The exact counts within ``after_s`` of arrival, which must be
        one of the run's checkpoints."""
        for checkpoint in self.within:
            if checkpoint.at_s == after_s:
                return checkpoint
        raise KeyError(f"the run counted nothing exactly within "
                       f"{after_s!r} s of arrival")

    @property
    def not_arrived(self) -> int:
        return self.messages - self.arrived


@dataclass(frozen=True, slots=True)
class Summary(Progress):
    """The figures of a run that is over: a :class:`Progress` whose
    simulated time is the blast's duration, and what takes a pass over
    the histograms or exists only at the end.  Times are simulated,
    except ``max_lag_s``, which is real."""

    stopped: str | None = None
    """Why a run ended early: "interrupt" or "fault"; None otherwise."""
    max_lag_s: float = 0.0
    """The longest real time a result came out late."""
    min_s: float | None = None
    max_s: float | None = None
    p50_s: float | None = None
    p95_s: float | None = None
    p99_s: float | None = None
    distribution: tuple[Bin, ...] = ()
    delivery: tuple[float | None, ...] = ()
    """The simulated moment by which each of ``DELIVERY_SHARES`` of all
    messages had been sent, or None where that share never was."""
    last_sent_s: float | None = None
    attempts: tuple[tuple[int, int], ...] = ()
    """(attempts, messages) for every message with an outcome."""
    reached_at: tuple[float | None, ...] = ()
    """The simulated moment by which each of ``DELIVERY_SHARES`` of all
    messages had reached the phones."""
    last_reached_s: float | None = None
    curves: tuple[Curve, ...] = ()
    """The share of all messages sent by each simulated moment, the whole
    run's first, then each group's when there are several (and at most
    ``stats.GROUPS_FOLLOWED``)."""
    reached_curves: tuple[Curve, ...] = ()
    """With a carrier, the same for the phones reached."""
    checkpoints: tuple[Checkpoint, ...] = ()
    """The exact counts at each moment the run was asked to count them."""
    forms: tuple[FormCount, ...] = ()
    """The messages with an outcome, by their form."""
    classes: tuple[ClassCounts, ...] = ()
    errors: tuple[ErrorCount, ...] = ()
    """With ``errors=``: each error class's failed attempts and the
    messages it failed for good."""
    """With ``--traffic``: each class's messages, by how they ended."""
    receipts: tuple[tuple[str, int], ...] = ()
    """With receipts, ``(state, messages)`` for each of their final
    states (``receipts.STATES``); empty without."""
    confirmed_at: tuple[float | None, ...] = ()
    """With receipts, the simulated moment by which each of
    ``DELIVERY_SHARES`` of all messages was confirmed delivered."""
    last_confirmed_s: float | None = None
    confirmed_curves: tuple[Curve, ...] = ()
    """With receipts, the share of all messages confirmed delivered by
    each simulated moment."""
    limits: Limits = Limits()
    """What held the next send back, and for how long (``limits.py``).
    """

    @property
    def not_arrived(self) -> int:
        """Messages still to arrive when the run ended (an interrupt in a
        stream): not among the unsent."""
        return sum(klass.not_arrived for klass in self.classes)

    @property
    def unsent(self) -> int:
        return self.total - self.processed - self.not_arrived

    @property
    def by_encoding(self) -> tuple[tuple[str, int], ...]:
        """``(encoding, messages)`` for each of ``ENCODINGS``."""
        return tuple((encoding, sum(count.messages for count in self.forms
                                    if count.form.encoding == encoding))
                     for encoding in ENCODINGS)

    @property
    def by_segments(self) -> tuple[tuple[str, int], ...]:
        """``(row, messages)`` for each of ``SEGMENT_ROWS``."""
        rows = [0] * len(SEGMENT_ROWS)
        for count in self.forms:
            rows[min(count.form.segments, len(rows)) - 1] += count.messages
        return tuple(zip(SEGMENT_ROWS, rows))

    @property
    def segments_sent(self) -> int:
        return sum(count.form.segments * count.sent for count in self.forms)

    @property
    def segment_throughput_per_s(self) -> float | None:
        """Segments of the messages sent or failed per simulated second of
        sending: ``throughput_per_s`` counted in segments."""
        return finite_rate(
            sum(count.form.segments * (count.sent + count.failed)
                for count in self.forms), self.sending_span_s)

    @property
    def interrupted(self) -> bool:
        return self.stopped == "interrupt"

    @property
    def eta_s(self) -> float | None:
        """None: the run is over."""
        return None

    def counted_at(self, at_s: float) -> Checkpoint:
        """The exact counts at ``at_s``, which must be one of the run's
        checkpoints: a moment between them was not counted exactly."""
        for checkpoint in self.checkpoints:
            if checkpoint.at_s == at_s:
                return checkpoint
        raise KeyError(f"the run counted nothing exactly at {at_s!r} s")


def form_counts(forms: tuple[dict[Form, int], ...]
                ) -> tuple[FormCount, ...]:
    """Messages with an outcome by form, in the order of forms, from the
    counts of those sent, failed and expired by form."""
    sent, failed, expired = forms
    return tuple(FormCount(form, sent.get(form, 0), failed.get(form, 0),
                           expired.get(form, 0))
                 for form in sorted({*sent, *failed, *expired}))
