"""The options of a run or a plan, read from the arguments and checked
together: what one argument alone cannot tell (the senders' groups, the
plan's rules, the outputs' files) is a usage error here, before anything
runs.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from sms_sim.cli import specs
from sms_sim.cli.help_text import (DEFAULT_MEAN_S, DEFAULT_MESSAGES,
                                   DEFAULT_SENDERS)
from sms_sim.cli.parser import Parser
from sms_sim.cli.paths import check_outputs
from sms_sim.cli.scenario import ScenarioError, given, merged
from sms_sim.measure.checks import (Check, Goal, min_confirmed,
                                    min_delivered, min_reached, of_class)
from sms_sim.model.config import UNPACED, SenderGroup, SimulationConfig
from sms_sim.model.errors import RetryTable
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import SHAPES, Latency
from sms_sim.model.texts import IN_TURN, Texts
from sms_sim.model.traffic import WEIGHTED
from sms_sim.model.validation import ConfigError
from sms_sim.run import simulation

if TYPE_CHECKING:  # a plan's: not loaded for a single run
    from sms_sim.cli.plan_specs import Sweep
    from sms_sim.plan.fit import Point
    from sms_sim.plan.target import Target


@dataclass(frozen=True, slots=True)
class Options:
    config: SimulationConfig
    """With its seed: the one given, or one drawn for this run."""
    json: bool
    min_delivered: Goal | None
    min_reached: Goal | None
    log: str | None
    report: str | None
    runs: int | None
    sweep: Sweep | None
    target: Target | None
    solve: str | None
    jobs: int
    command: str
    """The command line that repeats the run, its seed included."""
    scenario: Mapping[str, Any]
    """Every option's value, that ``--scenario`` reads back: as the
    command line gave it, else the scenario file, else its default."""
    print_scenario: bool
    min_confirmed: Goal | None = None
    """With receipts: a share of all messages confirmed delivered."""
    at: float | None = None
    """``--at``: the moment of a plan's column of the share sent by it."""
    fit: tuple[Point, ...] | None = None
    """``--fit``: the observed points to fit ``solve``'s setting to."""
    spread_follows: bool = False
    """A fitted mean sets the spread too, as a mean given alone does."""
    compared: tuple[tuple[str, Options], ...] = ()
    """``--compare``: each scenario file and its options (the command
    line's over the file's), all with this config's seed; this config is
    the first's."""

    @property
    def plan(self) -> bool:
        """Many runs rather than one."""
        return bool(self.runs or self.sweep or self.target or self.fit
                    or self.compared)

    @property
    def goals(self) -> dict[str, Goal]:
        """The checks asked for, by name."""
        return {name: goal for name, goal in (
            ("min_delivered", self.min_delivered),
            ("min_reached", self.min_reached),
            ("min_confirmed", self.min_confirmed)) if goal is not None}

    @property
    def checkpoints(self) -> tuple[float, ...]:
        """The moments the runs count exactly: the target's, ``--at``'s
        and the checks'; a class's check's time is one from each message's
        arrival, which its class counts exactly too."""
        moments = [self.target.by_s] if self.target else []
        if self.at is not None:
            moments.append(self.at)
        moments += [goal.by_s for goal in self.goals.values()
                    if goal.by_s is not None]
        moments += [point.time_s for point in self.fit or ()]
        return tuple(dict.fromkeys(moments))

    def checks(self, snap: Any) -> list[Check]:
        """The checks asked for, of one run's final snapshot."""
        checks = {"min_delivered": min_delivered, "min_reached": min_reached,
                  "min_confirmed": min_confirmed}
        return [checks[name](snap, goal.share, goal.by_s)
                if goal.klass is None else of_class(name, snap, goal)
                for name, goal in self.goals.items()]


def _fail(parser: argparse.ArgumentParser, field: str,
          error: Exception, argv: Sequence[str] = ()) -> NoReturn:
    argument = specs.ARGUMENTS.get(field, field)
    typed = _typed(argv, argument) if argument in ONE_VALUE else None
    if typed is not None and isinstance(error, ConfigError) and str(
            error).startswith(f"must be {error.requirement}, got "):
        # As typed: --max-rate 0 became 0.0, and 1e400 inf.  A number,
        # as it was read as one: unquoted, as the config's own are.
        shown = typed.strip() if len(typed) <= specs.LONGEST_ECHO \
            else specs.echo(typed)
        error = ConfigError(field, error.requirement, None,
                            f"must be {error.requirement}, got {shown}")
    parser.error(f"argument {argument}: {error}")


ONE_VALUE = frozenset({"--tps", "--interval", "--speed", "--max-rate",
                       "--retries", "--permanent", "--deadline", "--seed"})
"""Options whose value is one setting, checked by the config: an error
names the value as it was typed (``_fail``)."""


def _typed(argv: Sequence[str], option: str) -> str | None:
    """The value last given to ``option`` in ``argv``, as typed; None if
    it was not (a scenario file's, or a default)."""
    typed = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == option and index + 1 < len(argv):
            typed = argv[index + 1]
        elif arg.startswith(option + "="):
            typed = arg[len(option) + 1:]
    return typed


def _positional_send(parser: argparse.ArgumentParser,
                     args: argparse.Namespace) -> Latency:
    """The positional senders' send times, of ``--dist``'s shape: the
    mean and max_deviation (the standard deviation, for normal and
    lognormal) as given; an empirical shape takes neither."""
    dist = "uniform" if args.dist is None else args.dist
    if dist.lower() in SHAPES:
        dist = dist.lower()  # names, like max for --speed, in any case
    mean = DEFAULT_MEAN_S if args.mean_processing_time is None \
        else args.mean_processing_time
    spread = args.max_deviation
    if dist in ("uniform", "normal", "exponential", "lognormal"):
        if dist == "exponential" and args.max_deviation is not None:
            parser.error("argument max_deviation: the exponential shape "
                         "has its mean alone; leave max_deviation out")
        try:
            if spread is None:  # the spread follows the mean
                return Latency.with_mean(mean, dist)
            if dist == "uniform":
                return Latency.uniform(mean, spread)
            return Latency(dist, mean, sd_s=spread)
        except ConfigError as error:
            _fail(parser, error.field, error)
    if not (dist.lower().startswith("empirical") or os.path.exists(dist)):
        parser.error(f"argument --dist: must be uniform, normal, "
                     f"exponential, lognormal, empirical:file=PATH"
                     f"[,column=NAME] or a file of measured send times, got "
                     f"{specs.echo(dist)}")
    if args.mean_processing_time is not None or \
            args.max_deviation is not None:
        parser.error("argument mean_processing_time: an empirical shape "
                     "takes its times from its file; leave the mean and "
                     "max_deviation out")
    try:
        return specs.latency(dist)
    except argparse.ArgumentTypeError as error:
        parser.error(f"argument --dist: {error}")


def parse_options(parser: Parser, argv: Sequence[str] | None) -> Options:
    """Validated options; a broken rule exits through ``parser.error``
    (usage, one line, status 2)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser.refuse_unknown(argv)
    args = parser.parse_args(argv)
    if args.compare is None:
        return _options(parser, argv, args)
    files = list(args.compare)
    if len(files) < 2:
        parser.error("argument --compare: needs two scenario files or "
                     f"more, the first the one the others are compared "
                     f"with, got {len(files)}")
    for option, why in (("scenario", "give each scenario to --compare"),
                        ("sweep", "a comparison varies whole scenarios"),
                        ("solve", "a comparison varies whole scenarios"),
                        ("print_scenario", "it writes one scenario; "
                         "--compare's are its files")):
        if getattr(args, option):
            parser.error(f"argument --{option.replace('_', '-')}: not "
                         f"with --compare: {why}")
    compared: list[tuple[str, Options]] = []
    for path in files:
        # Each file under the command line's options, as --scenario
        # reads it; the seed is the command line's, else the first
        # file's (or the one drawn for it), so that every scenario runs
        # with the same seeds.
        own = parser.parse_args(argv)
        own.scenario = path
        seed = compared[0][1].config.seed if compared else None
        parser.file_option = "--compare"
        compared.append((path, _options(parser, argv, own, seed)))
    parser.file_option = "--scenario"
    first = compared[0][1]
    for path, options in compared[1:]:
        if options.runs != first.runs:
            parser.error(f"argument --compare: {path} has runs "
                         f"{options.runs}, {files[0]} {first.runs}: "
                         "every scenario runs with the same seeds; give "
                         "--runs")
    return dataclasses.replace(
        first, compared=tuple(compared),
        scenario={path: options.scenario for path, options in compared})


def _options(parser: Parser, argv: Sequence[str], args: argparse.Namespace,
             seed: int | None = None) -> Options:
    """The options of ``args``, read from ``argv``, over its scenario
    file's; ``seed``, if given, over the file's seed (not the command
    line's, which is given to all)."""
    parser.from_file.clear()  # another file's keys, with --compare
    try:
        scenario = merged(parser, argv, args)
    except ScenarioError as error:
        parser.error(f"argument {parser.file_option}: {error}")
    if seed is not None and "seed" not in given(parser, argv):
        args.seed = seed
    num_senders = (DEFAULT_SENDERS if args.num_senders is None
                   else args.num_senders)
    groups = list(args.senders)
    # Checked even when num_senders is 0: a bad value is never moot.
    send = _positional_send(parser, args)
    failure_rate = (specs.DEFAULT_FAILURE_RATE if args.failure_rate is None
                    else args.failure_rate)
    try:
        positional = SenderGroup(max(num_senders, 1), send, failure_rate,
                                 args.tps)
    except ConfigError as error:
        _fail(parser, error.field, error, argv)
    if num_senders:
        groups.insert(0, positional)
    elif not groups:
        parser.error("argument num_senders: must be >= 1 unless --senders "
                     "adds a group, got 0")
    else:
        _refuse_ignored(parser, args, given(parser, argv))
    plan = bool(args.runs or args.sweep or args.target or args.compare
                or args.fit)
    speed = args.speed if args.speed is not None \
        else UNPACED if plan else 1.0
    try:
        gateway = Gateway(args.max_rate, args.retries, args.backoff,
                          args.permanent, args.deadline,
                          args.retry_table or RetryTable())
        num_messages = args.num_messages if args.num_messages is not None \
            else 0 if args.traffic else DEFAULT_MESSAGES
        config = simulation.with_seed(SimulationConfig(
            num_messages, tuple(groups), args.interval, args.seed,
            speed, gateway, args.carrier_delay, _texts(parser, args),
            args.count, args.routing, tuple(args.traffic), args.priority,
            args.receipts, tuple(args.carriers)))
    except ConfigError as error:
        if error.field == "num_senders" and args.num_senders is None:
            parser.error(
                f"argument --senders: {error}; the {DEFAULT_SENDERS} default "
                "senders count too (give num_senders 0 to leave them out)")
        _fail(parser, error.field, error, argv)
    follows = False  # a fitted mean's spread: a plan's alone
    if plan or args.solve is not None or args.at is not None:
        # Imported for a plan's options alone: a single run starts faster
        # without the plan's settings.
        from sms_sim.cli import plan_checks
        config = plan_checks.checked(parser, args, num_senders, config)
        follows = plan_checks.spread_follows(args)
    if args.min_reached is not None and args.carrier_delay is None:
        parser.error("argument --min-reached: counts the phones reached, "
                     "which needs --carrier-delay")
    if args.min_confirmed is not None and args.receipts is None:
        parser.error("argument --min-confirmed: counts the delivered "
                     "receipts, which needs --receipts")
    if args.retry_table is not None and not any(
            group.errors for group in config.groups):
        parser.error("argument --retry-table: no group has error classes "
                     "(errors=) for it to retry; --retries retries fail=")
    if args.priority == WEIGHTED and not config.classes:
        parser.error("argument --priority: shares the senders among "
                     "--traffic classes; give some")
    _check_classes(parser, args, config)
    check_outputs(parser, args.log, args.report, config, parser.env)
    program = f"python3 {parser.prog}" if parser.prog.endswith(".py") \
        else parser.prog
    command = f"{program} " + shlex.join([*argv] + (
        [] if args.seed is not None else ["--seed", str(config.seed)]))
    scenario["seed"] = config.seed  # drawn, if not given: the run's own
    return Options(config, args.json, args.min_delivered, args.min_reached,
                   args.log, args.report, args.runs, args.sweep, args.target,
                   args.solve, args.jobs or os.cpu_count() or 1, command,
                   scenario, args.print_scenario, args.min_confirmed,
                   args.at, args.fit, follows)


def _check_classes(parser: argparse.ArgumentParser,
                   args: argparse.Namespace, config: SimulationConfig
                   ) -> None:
    """A check of a class names one of the run's classes, in any case (as
    a sweep does): the goal is given the class's name as written there."""
    names = [klass.name for klass in config.classes]
    by_lower = {name.lower(): name for name in names}
    for option in ("min_delivered", "min_reached", "min_confirmed",
                   "target"):
        goal = getattr(args, option)
        if goal is None or goal.klass is None:
            continue
        if goal.klass.lower() in by_lower:
            setattr(args, option, dataclasses.replace(
                goal, klass=by_lower[goal.klass.lower()]))
            continue
        known = (f"the classes are {', '.join(names)}" if names else
                 "there are none without --traffic")
        parser.error(f"argument --{option.replace('_', '-')}: no class "
                     f"{goal.klass!r}; {known}")


def _texts(parser: argparse.ArgumentParser,
           args: argparse.Namespace) -> Texts | None:
    """The texts asked for; None for the brief's random ones."""
    if args.text is not None and args.text_file is not None:
        parser.error("argument --text: give --text or --text-file, not "
                     "both")
    if args.text_order is not None and args.text_file is None:
        parser.error("argument --text-order: orders the texts of "
                     "--text-file; give one")
    if args.text is not None:
        return Texts((args.text,))
    if args.text_file is not None:
        return Texts(args.text_file, args.text_order or IN_TURN)
    return None


def _refuse_ignored(parser: argparse.ArgumentParser,
                    args: argparse.Namespace, typed: dict[str, Any]) -> None:
    """With num_senders 0, the positional senders' settings have no
    senders to apply to: refused, rather than ignored without a word.
    ``typed``: the arguments as typed (``scenario.given``), since a
    positional not given has its default."""
    ignored = [name for name in ("mean_processing_time", "max_deviation",
                                 "failure_rate")
               if typed.get(name, "-") not in specs.NOT_GIVEN]
    ignored += [f"--{name}" for name in ("tps", "dist")
                if getattr(args, name) is not None]
    if ignored:
        parser.error(f"argument {ignored[0]}: is for the positional "
                     "senders, and num_senders is 0; give a group's own in "
                     "its --senders")
