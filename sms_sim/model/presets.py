"""Presets by number type: a route's per-sender cap (``tps``) as the
providers document it, with the validity they document, the source, and
whether and when the figures were checked against it.

These figures go stale: each names where it comes from, so that a planner
checks it against the provider's current page (``docs/presets.md``).
"""
from __future__ import annotations

from dataclasses import dataclass

AWS_MPS = ("https://docs.aws.amazon.com/sms-voice/latest/userguide/"
           "sms-limitations-mps.html")
AWS_10DLC = ("https://aws.amazon.com/blogs/messaging-and-targeting/"
             "amazon-pinpoint-10dlc-campaign-types-and-quotas-for-sms")
TWILIO_QUEUE = "https://www.twilio.com/docs/api/errors/30001"
TWILIO_TOLL_FREE = ("https://support.twilio.com/hc/en-us/articles/"
                    "4411046744987-Toll-Free-SMS-and-MMS-messaging-"
                    "throughput-MPS")
TELNYX_RATES = ("https://developers.telnyx.com/docs/messaging/messages/"
                "rate-limiting")
CHECKED = "page read 2026-12-07"
EXPIRY_CHECKED = ("expiry: SendTextMessage's TimeToLive, 72 h by default, "
                  "API reference read 2026-12-07")
QUEUE_CHECKED = ("queue: 4 hours, Telnyx's messaging configuration page "
                 "read 2026-12-07")


@dataclass(frozen=True, slots=True)
class Preset:
    """A number type's documented limits: each sender (a number) starts
    at most ``tps`` messages a second; a message queued longer than
    ``validity_s`` fails (``SenderGroup.validity_s``: see
    ``route.provider_validity``)."""

    name: str
    tps: float
    validity_s: float | None
    source: str
    url: str | None
    checked: str


PRESETS = {preset.name: preset for preset in (
    Preset("us-short-code", 100.0, None, "AWS: US short code 100 MPS",
           AWS_MPS, CHECKED),
    Preset("us-toll-free", 3.0, None, "AWS: US toll-free 3 MPS", AWS_MPS,
           CHECKED),
    Preset("us-10dlc", 1.0, None, "AWS: each 10DLC number 1 MPS by "
           "default", AWS_10DLC, CHECKED),
    Preset("us-long-code", 1.0, None, "Twilio: a US long code 1 segment "
           "a second", TWILIO_QUEUE, CHECKED),
    Preset("aws-short-code", 100.0, 72 * 3600.0, "AWS: short code 100 "
           "MPS; expiry after 72 h", AWS_MPS,
           f"MPS {CHECKED}; {EXPIRY_CHECKED}"),
    Preset("aws-toll-free", 3.0, 72 * 3600.0, "AWS: toll-free 3 MPS; "
           "expiry after 72 h", AWS_MPS,
           f"MPS {CHECKED}; {EXPIRY_CHECKED}"),
    Preset("aws-10dlc", 1.0, 72 * 3600.0, "AWS: 10DLC 1 MPS per number by "
           "default; expiry after 72 h", AWS_10DLC,
           f"MPS {CHECKED}; {EXPIRY_CHECKED}"),
    Preset("twilio-long-code", 1.0, 36_000.0, "Twilio: long code 1 "
           "segment a second; queued at most the validity period, up to "
           "36,000 s", TWILIO_QUEUE, CHECKED),
    Preset("twilio-short-code", 100.0, 36_000.0, "Twilio: short code over "
           "100 segments a second; validity up to 36,000 s", TWILIO_QUEUE,
           CHECKED),
    Preset("twilio-toll-free", 3.0, 36_000.0, "Twilio: a US toll-free "
           "number 3 segments a second by default; validity up to 36,000 s",
           TWILIO_TOLL_FREE, f"MPS {CHECKED}; validity as twilio-long-code"),
    Preset("telnyx-toll-free", 20.0, 4 * 3600.0, "Telnyx: toll-free 20 "
           "MPS a number; queues hold 4 hours", TELNYX_RATES,
           f"MPS {CHECKED}; {QUEUE_CHECKED}"),
    Preset("telnyx-short-code", 1000.0, 4 * 3600.0, "Telnyx: short code "
           "1,000 MPS a number; queues hold 4 hours", TELNYX_RATES,
           f"MPS {CHECKED}; {QUEUE_CHECKED}"),
)}
"""Every preset, by name."""
