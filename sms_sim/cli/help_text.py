"""The text of ``--help``: the usage, the description, the option groups
with their examples, and the epilog; and the positional senders'
defaults it states (``options.py`` applies them)."""
from __future__ import annotations

from sms_sim.model.config import MAX_SENDERS
from sms_sim.model.presets import PRESETS

DEFAULT_MESSAGES = 1000
DEFAULT_SENDERS = 4
DEFAULT_MEAN_S = 0.01
"""The positional senders' defaults: the help says them, ``options.py``
applies them."""

USAGE = """%(prog)s [num_messages] [num_senders] [mean_processing_time]
           [max_deviation] [failure_rate] [--dist SHAPE]
           [--senders GROUP]... [--routing spread|failover]
           [--carrier-delay SPEC] [--receipts MIX] [--carriers CARRIER]...
           [--speed X|max] [--traffic CLASS]... [--priority strict|weighted]
           [--text TEXT | --text-file FILE [--text-order turn|random]]
           [--count messages|segments]
           [--tps X] [--max-rate R] [--retries N] [--backoff BASE[:CAP]]
           [--permanent P] [--retry-table TABLE] [--deadline S]
           [--min-delivered [CLASS:]P[@T]] [--min-reached [CLASS:]P[@T]]
           [--min-confirmed [CLASS:]P[@T]] [--runs R] [--sweep NAME=VALUES]
           [--target [CLASS:]SHARE@TIME --solve NAME]
           [--fit FILE --solve NAME]
           [--compare FILE FILE...] [--at T] [--jobs N] [--report FILE]
           [--log FILE] [--interval S] [--seed N] [--json]
           [--scenario FILE] [--print-scenario] [--presets] [--version]
           [--help]"""
DESCRIPTION = """\
Simulate an emergency SMS alert blast: a producer generates messages to
random phone numbers, sender threads 'send' them, each taking a random time
around a mean and failing at a given rate, and a monitor reports progress.
Every time is simulated: the gateway's own clock, which real time follows
(--speed sets how fast). A seed fixes every simulated figure."""
GROUPS = {
    # the help's sections, in order, each with the examples that end it
    "the run": """\
  %(command)s 10000 4 0.01 0.001 0.2
      10000 messages, 4 senders taking 0.01 s +- 0.001 s each, 20% failing
  %(command)s 1000 --speed max --seed 7
      the demo as fast as the machine goes, its figures fixed by the seed
  %(command)s --scenario examples/worked_example.toml --retries 4
      the options kept in a file, one of them changed
  %(command)s 5000 --max-rate 50 --print-scenario > plan.json
      every setting of a run, defaults and all, kept as a scenario""",
    "senders and shapes": """\
  %(command)s 300 2 0.001 0 0 --senders count=2,mean=0.002,fail=1
      two groups of senders with different settings
  %(command)s 20000 50 0.05 0.02 0.1 --dist lognormal
      lognormal send times: 0.02 s is then the standard deviation""",
    "gateway and caps": """\
  %(command)s 100000 20 0.05 0.01 0.1 --max-rate 100 --deadline 20m
      100 sends a second at most; what is not sent in 20 minutes expires
  %(command)s 1000 20 --max-rate 30 --count segments \\
      --text-file examples/alerts.txt
      30 segments a second: an alert of 3 segments takes 3 of them""",
    "retries": """\
  %(command)s 10000 4 0.01 0.001 0.2 --retries 3 --backoff 0.5:30
      retry a failure up to 3 times, waiting up to 0.5 s, 1 s, 2 s
  %(command)s 10000 --retries 3 --permanent 0.25
      a quarter of failures are for good (a number out of service)""",
    "routes and carriers": """\
  %(command)s 2000 2 --senders name=backup,count=2,mean=0.01 \\
      --routing failover
      a backup route that sends only while the one before it is down
  %(command)s 20000 --carrier-delay lognormal:mean=8,sd=20
      the carrier's delay to the phone, and when each phone had it
  %(command)s 35000 100 0.01 0 0 --carriers att=40%,cap=75/s \\
      --carriers tmobile=30%,daily=2000 --carriers verizon=30%
      recipients on carriers: a cap a second on AT&T, a day on T-Mobile""",
    "traffic": """\
  %(command)s 0 1 --traffic name=bulk,count=500,at=0 \\
      --traffic name=routine,rate=2000/h,for=1h
      a backlog at 0, and a Poisson stream of 2000 an hour for an hour""",
    "checks": """\
  %(command)s 100000 20 0.05 0.01 0.1 --deadline 20m --min-delivered 0.95
      exit 3 unless 95% of all messages were sent""",
    "planning": """\
  %(command)s 100000 20 0.05 0.01 0.1 --max-rate 100 --retries 3 \\
      --deadline 20m --target 0.95@15m --solve max-rate --seed 3
      the least account cap that gets 95% out within 15 minutes
  %(command)s 2000 20 0.05 --sweep senders=10..40/10 --runs 20
      a row per value, each the mean and 95% interval of 20 runs
  %(command)s --compare examples/worked_example.toml \\
      examples/more_senders.toml --runs 20 --at 15m
      two scenarios on the same seeds, and the second's difference""",
    "output": """\
  %(command)s 200 --json --log run.csv --report run.html
      JSON lines out, a CSV row per message, and an HTML report""",
}
"""The help's groups of options, as a manual has them (the README's
option table has the same)."""
EPILOG = f"""\
Senders over all groups: 1 to {MAX_SENDERS:,}; the {DEFAULT_SENDERS} default
senders count unless num_senders is 0. With num_senders 0, the positional
settings after it are refused (no sender would take them). A positional
value given as
- (or _) is not given, its default applies: 1000 4 0.01 - 0.2 --dist
exponential gives the failure rate alone. Times are simulated seconds, or
take s, m or h: 0.5, 30s, 20m, 1.5h, 5m30s (not --interval, in real
seconds).
Integers are written in ASCII digits, optionally grouped in threes by commas
or underscores: 1000, 1,000 or 1_000 (in a --sweep, where commas separate
the values, 1_000); other numbers in ASCII digits too: 0.05, 1e-3. No
run may model more than 1e9 simulated seconds.

Shapes of send times and of the carrier's delay: uniform (mean,
dev), normal (mean, sd, truncated at 0), exponential (mean), lognormal
(mean, sd of the time itself), empirical (file, column: one number a line,
or a CSV column, sampled between the sorted values).

exit codes: 0 completed, 1 a fault (or the output, log or report could not
be written), 2 usage error, 3 a check failed (in any run), or no value met
the target, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM, 141 output pipe
closed.
"""
HELP_COLUMNS = 100
"""The help is at most this wide, however wide the terminal."""


def presets_text(width: int = HELP_COLUMNS) -> str:
    """Every preset with its figures, and its source wrapped beside them
    to ``width`` (a link is never cut)."""
    import textwrap  # argparse has it loaded already
    lines = ["preset             tps/sender  validity  source "
             "(check the provider's current page)"]
    for preset in PRESETS.values():
        validity = "-" if preset.validity_s is None \
            else f"{preset.validity_s / 3600:g} h"
        figures = f"{preset.name:<18} {preset.tps:>10g}  {validity:>8}  "
        lines += textwrap.wrap(
            f"{preset.source} ({preset.checked}"
            f"{'; ' + preset.url if preset.url else ''})",
            width, initial_indent=figures,
            subsequent_indent=" " * len(figures),
            break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) + "\n"
