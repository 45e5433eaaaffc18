"""Which Pythons can run sms-sim, asked before anything that needs one.

Any Python, 2.7 on, must be able to read this module and ``__main__``,
which imports it first, so that an old one says what it lacks instead of
failing with a traceback: hence type comments, and no f-strings.
"""

OLDEST = (3, 10)


def refusal(version_info):
    # type: (tuple[int, int, int, str, int]) -> str | None
    """What to say if ``version_info``, as ``sys.version_info`` has it, is
    too old to run sms-sim; None if it is not."""
    if version_info[:2] >= OLDEST:
        return None
    return "sms-sim needs Python %d.%d or newer (this is %d.%d.%d)" % (
        OLDEST + version_info[:3])
