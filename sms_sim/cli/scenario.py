"""Scenario files (``--scenario FILE``): every option of a run kept in a
file, TOML or JSON, under its long name (``max-rate``) or, for the
positional arguments, their names (``num_messages``).  The command line
overrides the file; ``--print-scenario`` writes the effective scenario.

The keys and what each takes come from the parser's own options, so an
option added to the parser is a key without an edit here.
"""
from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from sms_sim.cli import specs
from sms_sim.cli.parser import Parser
from sms_sim.model.measurements import MeasurementsError, open_text

NOT_SETTINGS = frozenset(("scenario", "print_scenario", "compare"))
"""Options that say what to do with scenarios, not what one is."""
INTEGERS: frozenset[Callable[[str], Any]] = frozenset((
    specs.messages, specs.num_senders, specs.seed, specs.retries,
    specs.runs, specs.jobs))
"""The types of options whose value in a file is an integer."""
NUMBERS: frozenset[Callable[[str], Any]] = frozenset((
    specs.number, specs.share))
"""The types of options whose value in a file is a number.  (Times take a
number or a string, ``"20m"``; the rest take strings.)"""


class ScenarioError(Exception):
    """A scenario file that cannot be used: the message names the file,
    and the key or the line where there is one."""


MAX_SCENARIO_CHARS = 1 << 20
"""A scenario is a few dozen lines: a file far longer (``/dev/zero``) is
refused after this much, rather than read until memory runs out."""


def settings(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """The parser's options that a scenario holds, by their keys."""
    return {key_of(action): action for action in parser._actions
            if action.default != argparse.SUPPRESS  # --help, --version
            and action.dest not in NOT_SETTINGS}


def key_of(action: argparse.Action) -> str:
    """An option's key: its long name without the dashes, or a positional
    argument's name."""
    if not action.option_strings:
        return action.dest
    return max(action.option_strings, key=len).lstrip("-")


def kind(action: argparse.Action) -> str:
    """What an option's value is in a file: ``flag`` (true or false),
    ``list`` (of strings: a repeatable option), ``integer``, ``number``,
    or ``text`` (a string, or a number that is read as its digits)."""
    if action.nargs == 0:
        return "flag"
    if isinstance(action, argparse._AppendAction):
        return "list"
    parse = inspect.unwrap(action.type) if callable(action.type) else None
    if parse in INTEGERS:  # (unwrapped: a positional may be "-", unset)
        return "integer"
    return "number" if parse in NUMBERS else "text"


def read(path: str) -> dict[str, Any]:
    """The keys and values of the scenario file ``path``: TOML if its name
    ends in ``.toml``, JSON otherwise."""
    if not path:
        raise ScenarioError("the path is empty")
    try:
        with open_text(path) as file:
            text = file.read(MAX_SCENARIO_CHARS + 1)
    except MeasurementsError as error:  # a pipe that nothing writes to
        raise ScenarioError(str(error)) from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot be read: "
                            f"{error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: is not UTF-8 text") from None
    if len(text) > MAX_SCENARIO_CHARS:
        raise ScenarioError(f"{path}: is longer than "
                            f"{MAX_SCENARIO_CHARS:,} characters; a scenario "
                            "is a few dozen lines")
    try:
        return _parsed(path, text)
    except RecursionError:
        raise ScenarioError(f"{path}: is nested too deeply to be a "
                            "scenario") from None


def _parsed(path: str, text: str) -> dict[str, Any]:
    if path.lower().endswith(".toml"):
        values = _toml(path, text)
    else:
        try:
            values = json.loads(text, object_pairs_hook=_once_each)
        except _Twice as twice:
            # TOML refuses a key given twice; JSON would keep the last.
            raise ScenarioError(f"{path}: the key {twice.key!r} is given "
                                "twice; give each once") from None
        except json.JSONDecodeError as error:
            raise ScenarioError(
                f"{path}: line {error.lineno}: not JSON: {error.msg} "
                f"(column {error.colno})") from None
        if not isinstance(values, dict):
            raise ScenarioError(f"{path}: must be a JSON object of keys "
                                "and values, {...}")
    return dict(values)


class _Twice(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's keys and values; raises ``_Twice`` for a key that
    is there twice."""
    values: dict[str, Any] = {}
    for key, value in pairs:
        if key in values:
            raise _Twice(key)
        values[key] = value
    return values


def _toml(path: str, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib  # only where there is one, and for a TOML file
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            # Its message ends "(at line L, column C)": the line first.
            message, at, where = str(error).rpartition(" (at ")
            line = f"{where.split(',')[0]}: " if at else ""
            if message == "Cannot overwrite a value" and at:
                # A key given twice: tomllib does not say which.
                number = int(where.split(",")[0].removeprefix("line "))
                key = text.splitlines()[number - 1].partition("=")[0]
                key = key.strip().strip('"')
                raise ScenarioError(f"{path}: {line}the key {key!r} is "
                                    "given twice; give each once") from None
            raise ScenarioError(f"{path}: {line}not TOML: "
                                f"{message or error}") from None
    raise ScenarioError(
        f"{path}: TOML needs Python 3.11 or newer; on this Python, write "
        "the scenario as JSON (--print-scenario writes one)")


def given(parser: argparse.ArgumentParser,
          argv: Sequence[str]) -> dict[str, Any]:
    """The options given on the command line ``argv``, by destination,
    each as typed (a list of them for a repeatable option); a positional
    written ``-`` is not given, so a file's value applies to it.
    ``parser`` reads it with no defaults, no types and no choices, then
    has them back."""
    saved = [(action, action.default, action.type, action.choices)
             for action in parser._actions]
    positionals = {action.dest for action in parser._actions
                   if not action.option_strings}
    try:
        for action in parser._actions:
            action.default = argparse.SUPPRESS
            action.type = None
            action.choices = None
        return {dest: value
                for dest, value in vars(parser.parse_args(argv)).items()
                if dest not in positionals or value not in specs.NOT_GIVEN}
    finally:
        for action, default, type_, choices in saved:
            action.default, action.type, action.choices = \
                default, type_, choices


def value_of(path: str, key: str, action: argparse.Action,
             value: Any) -> Any:
    """A file's value of ``key`` as the parser would read it from the
    command line."""
    want = kind(action)
    if want == "flag":
        if not isinstance(value, bool):
            _wrong(path, key, "true or false", value)
        return value
    if want == "list":
        if isinstance(value, str):
            value = [value]
        if not (isinstance(value, list)
                and all(isinstance(item, str) for item in value)):
            _wrong(path, key, "a list of strings", value)
        return [_typed(path, key, action, item) for item in value]
    if isinstance(value, bool) or not isinstance(
            value, (str, int, float) if want == "text" else
            int if want == "integer" else (int, float)):
        _wrong(path, key, {"integer": "an integer", "number": "a number",
                           "text": "a string or a number"}[want], value)
    return _typed(path, key, action, value if isinstance(value, str)
                  else repr(value))


def _typed(path: str, key: str, action: argparse.Action, text: str) -> Any:
    try:
        value = action.type(text) if callable(action.type) else text
    except argparse.ArgumentTypeError as error:
        raise ScenarioError(f"{path}: {key}: {error}") from None
    if action.choices is not None and value not in action.choices:
        raise ScenarioError(
            f"{path}: {key}: must be one of "
            f"{', '.join(map(str, action.choices))}, got {value!r}")
    return value


def _wrong(path: str, key: str, wanted: str, value: Any) -> NoReturn:
    # TOML's dates and times are the values JSON has not (the echo
    # crashed on them): said to be one, not shown as a string.
    moment = hasattr(value, "isoformat")
    echo = value.isoformat() if moment else \
        json.dumps(value, default=lambda moment: moment.isoformat())
    raise ScenarioError(f"{path}: {key}: must be {wanted}, got "
                        f"{echo[:specs.LONGEST_ECHO]}" + (
                            ", a TOML date or time (a string is quoted)"
                            if moment else ""))


def merged(parser: Parser, argv: Sequence[str],
           args: argparse.Namespace) -> dict[str, Any]:
    """Set into ``args`` (the command line's options, with the parser's
    defaults) each of ``args.scenario``'s values that the command line
    does not give; return the effective scenario, every key with its
    value (null where an option is not set: its default applies)."""
    keyed = settings(parser)
    typed = given(parser, argv)
    from_file: dict[str, Any] = {}
    if args.scenario is not None:
        for key, value in read(args.scenario).items():
            if key not in keyed:
                import difflib  # to name the key meant: an error's alone
                close = difflib.get_close_matches(key, keyed, 1)
                raise ScenarioError(
                    f"{args.scenario}: unknown key {key!r}"
                    + (f" (did you mean {close[0]!r}?)" if close else
                       " (the keys are the options' long names, as "
                       "--print-scenario writes them)"))
            action = keyed[key]
            if value is None:  # as --print-scenario writes an unset one
                continue
            checked = value_of(args.scenario, key, action, value)
            from_file[key] = value
            if action.dest not in typed:
                setattr(args, action.dest, checked)
                parser.from_file[
                    max(action.option_strings or [key], key=len)] = \
                    args.scenario
    return {key: _shown(action, args, typed, from_file.get(key))
            for key, action in keyed.items()}


def _shown(action: argparse.Action, args: argparse.Namespace,
           typed: Mapping[str, Any], in_file: Any) -> Any:
    """An option's value in the effective scenario: as typed on the
    command line, else as in the file, else its default; a number for an
    option that takes one."""
    if kind(action) in ("flag", "integer", "number"):
        return getattr(args, action.dest)
    if action.dest in typed:
        return _as_number(typed[action.dest])
    if kind(action) == "list" and isinstance(in_file, str):
        return [in_file]
    return action.default if in_file is None else in_file


def _as_number(text: Any) -> Any:
    """A number typed as one (``0.05``, ``20``) as a number, which a file
    reads back as the same text; anything else (``20m``, ``1e3``) as it
    is."""
    for parse in (int, float):
        try:
            if isinstance(text, str) and repr(parse(text)) == text:
                return parse(text)
        except ValueError:
            pass
    return text
