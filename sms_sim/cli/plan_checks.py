"""The rules of a plan's options together (replications, a sweep, a
target search, a fit, a comparison), each against the configuration it
varies.

Loaded only when a plan's option is given (see ``options.py``), so that
a single run loads nothing of the plan's settings.
"""
from __future__ import annotations

import argparse
import dataclasses

from sms_sim.cli.specs import ARGUMENTS
from sms_sim.model.config import SimulationConfig
from sms_sim.model.validation import ConfigError
from sms_sim.plan.names import SOLVE_NAMES
from sms_sim.plan.settings import (base_name, configured, group_of,
                                   with_outage_start, with_value)

SWEPT_FIELDS = frozenset(("count", "tps", "max_rate", "retries",
                          "failure_rate", "permanent", "carrier",
                          "deadline_s", "mean_s"))
"""The config fields that ``--sweep`` and ``--solve`` set."""


def checked(parser: argparse.ArgumentParser, args: argparse.Namespace,
            num_senders: int, config: SimulationConfig) -> SimulationConfig:
    """The configuration of the plan ``args`` asks for, its sweep's
    outage start set; a broken rule exits through ``parser.error``."""
    if args.sweep is not None and args.sweep.name == "mean" and \
            args.max_deviation is None:
        # A mean given alone takes a spread in proportion; so does each
        # swept one, or the sweep's runs would differ from the same runs
        # given alone.
        args.sweep = dataclasses.replace(args.sweep, spread_follows=True)
    if args.sweep is not None and args.sweep.down_start_s is not None:
        try:
            config = with_outage_start(config, args.sweep.name,
                                       args.sweep.down_start_s)
        except ConfigError as error:
            parser.error(f"argument --sweep: {args.sweep.name}: {error}")
    check_plan(parser, args, num_senders, config)
    return config


def check_plan(parser: argparse.ArgumentParser, args: argparse.Namespace,
               num_senders: int, config: SimulationConfig) -> None:
    """The rules of replications, sweeps, searches, fits and comparisons
    together."""
    _check_fit(parser, args)
    if args.at is not None and not (args.runs or args.sweep
                                    or args.target or args.compare):
        parser.error("argument --at: is a column of a plan's table; give "
                     "--runs, --sweep or --compare")
    if args.compare is not None and (args.sweep or args.solve):
        parser.error(f"argument --compare: {args.scenario}: has "
                     f"{'sweep' if args.sweep else 'solve'}, and a "
                     "comparison varies whole scenarios, not a setting")
    # With --compare, a target is a column alone: nothing to solve.
    if (args.target is None) != (args.solve is None) and \
            args.compare is None and args.fit is None:
        given, missing = (("--target", "--solve") if args.solve is None
                          else ("--solve", "--target"))
        parser.error(f"argument {given}: needs {missing} (the target and "
                     "the setting to solve for go together)")
    if args.sweep is not None and args.solve is not None:
        parser.error("argument --sweep: a sweep and a --solve search each "
                     "vary a setting; give one or the other")
    plan = args.runs or args.sweep or args.target or args.compare or \
        args.fit
    if plan and args.log is not None:
        parser.error("argument --log: logs one run; repeat a run of the "
                     "plan alone, with its --seed, to log it")
    name = args.sweep.name if args.sweep else args.solve
    if name is not None:
        try:
            group_of(config, name)
        except ConfigError as error:
            parser.error(f"argument {'--sweep' if args.sweep else '--solve'}"
                         f": {name}: {error}")
    if name in ("senders", "tps", "mean", "fail") and not num_senders:
        parser.error(f"argument {'--sweep' if args.sweep else '--solve'}: "
                     f"{name} is the positional senders', and num_senders "
                     "is 0")
    if args.solve is not None and configured(config, args.solve) is None:
        owner, _, field = args.solve.rpartition(".")
        owns = "carrier" if field == "cap" else "route"
        option = {"tps": "--tps", "max-rate": "--max-rate",
                  "carrier-mean": "--carrier-delay",
                  "deadline": "--deadline"}.get(
            args.solve, f"{field}= on {owns} {owner}")
        parser.error(f"argument --solve: {args.solve} starts from its "
                     f"setting; give {option}")
    if args.fit is not None and args.solve is not None:
        try:  # a fit's values are its own: the setting must take one
            with_value(config, args.solve, configured(config, args.solve)
                       or 0.0, spread_follows(args))
        except ConfigError as error:
            parser.error(f"argument --solve: {args.solve}: {error}")
    if args.sweep is not None:
        for value in args.sweep.values:
            try:
                with_value(config, args.sweep.name, value,
                           args.sweep.spread_follows)
            except ConfigError as error:
                # A rule of another setting is named: mean=0 breaks the
                # deviation's, not its own.
                other = "" if error.field in SWEPT_FIELDS else \
                    f"{ARGUMENTS.get(error.field, error.field)} "
                parser.error(f"argument --sweep: {args.sweep.name}={value:g}"
                             f": {other}{error}")


def _check_fit(parser: argparse.ArgumentParser,
               args: argparse.Namespace) -> None:
    """``--fit`` fits ``--solve``'s setting, alone: no target search, no
    sweep, no comparison; and only a fit takes the settings whose more is
    worse."""
    if args.fit is None:
        if args.solve is not None and \
                base_name(args.solve) not in SOLVE_NAMES:
            parser.error(f"argument --solve: {args.solve} is fitted "
                         "(--fit), not searched: a target search finds "
                         "the least senders, tps or max-rate that meets "
                         "it")
        return
    if args.solve is None:
        parser.error("argument --fit: needs --solve, the setting to fit "
                     "to the points")
    for option in ("target", "sweep", "compare"):
        if getattr(args, option) is not None:
            parser.error(f"argument --fit: not with --{option}: a fit "
                         "finds the value of --solve's setting that "
                         "passes closest to its points")


def spread_follows(args: argparse.Namespace) -> bool:
    """Whether a fitted mean sets the spread too: the positional senders'
    mean, given without max_deviation, takes half of itself, as a mean
    given alone does."""
    return args.solve == "mean" and args.max_deviation is None
