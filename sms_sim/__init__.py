"""sms-sim: a threaded simulation of an emergency SMS alert blast."""

__version__ = "1.0.0"
