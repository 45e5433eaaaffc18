#!/bin/sh
# Create .venv afresh with $PYTHON (default python3; Python 3.10 or newer)
# and install REQUIREMENTS into it (default requirements.txt: the newest
# pytest, flake8 and mypy; a relative path is taken from the project folder).
#   usage: [PYTHON=python3.10] ./create_venv.sh [REQUIREMENTS]
#          ./create_venv.sh --if-needed
# --if-needed is what the other scripts run: it builds .venv from
# static_requirements.txt (the pins) only if .venv is missing or was built
# from other requirements, and says why in one line.  An existing .venv is
# left alone when $PYTHON or REQUIREMENTS is unusable.
# The status is that of the step that failed, 0 if none did.
#
# Works executed or sourced (. ./create_venv.sh); never exits the calling
# shell and leaves no variables behind.  Sourced by a shell that cannot tell
# where this file is (dash, the usual sh), it must be sourced from the
# project folder, and words after its name are ignored silently: dash's "."
# passes no arguments, so the script sees the calling shell's own ones.
_sms_me=create_venv.sh
if [ -n "${BASH_SOURCE:-}" ]; then
    _sms_file=$BASH_SOURCE
elif [ "${0##*/}" = "$_sms_me" ]; then
    _sms_file=$0
elif [ -f "./$_sms_me" ] && [ -f ./start.py ]; then
    _sms_file=./$_sms_me
else
    _sms_file=
fi
_sms_status=0
if [ -z "$_sms_file" ]; then
    echo "$_sms_me: this shell cannot tell where the script is;" \
        "source it from the project folder: . ./$_sms_me" >&2
    _sms_status=1
elif ! _sms_dir=$(CDPATH='' cd -- "$(dirname -- "$_sms_file")" && pwd); then
    _sms_status=1
elif [ "$#" -gt 1 ]; then
    echo "usage: [PYTHON=python3.10] ./$_sms_me" \
        "[REQUIREMENTS | --if-needed]" >&2
    _sms_status=2
else
    _sms_verb=building _sms_why=
    if [ "${1:-}" = --if-needed ]; then
        _sms_reqs=static_requirements.txt _sms_verb=rebuilding
        if cmp -s "$_sms_dir/$_sms_reqs" \
                "$_sms_dir/.venv/installed-requirements.txt"; then
            _sms_reqs=
        elif [ ! -e "$_sms_dir/.venv" ]; then
            _sms_verb=building _sms_why="as there is no .venv yet"
        elif [ ! -f "$_sms_dir/.venv/installed-requirements.txt" ]; then
            _sms_why="because .venv has no record of what it was built"
            _sms_why="$_sms_why from (an unfinished build?)"
        elif cmp -s "$_sms_dir/requirements.txt" \
                "$_sms_dir/.venv/installed-requirements.txt"; then
            _sms_why="because .venv was built from requirements.txt, not"
            _sms_why="$_sms_why the pins (to pin newer versions, run"
            _sms_why="$_sms_why ./pin_reqs.sh straight after"
            _sms_why="$_sms_why PYTHON=python3.10 ./create_venv.sh)"
        else
            _sms_why="because .venv was built from other requirements"
        fi
    else
        _sms_reqs=${1:-requirements.txt}
    fi
    case $_sms_reqs in
        '') _sms_path= ;;
        /*) _sms_path=$_sms_reqs ;;
        *) _sms_path=$_sms_dir/$_sms_reqs ;;
    esac
    _sms_py=${PYTHON:-python3}
    if [ -z "$_sms_reqs" ]; then
        :
    elif [ ! -f "$_sms_path" ]; then
        echo "create_venv: no requirements file $_sms_path" >&2
        _sms_status=2
    elif ! command -v "$_sms_py" >/dev/null 2>&1; then
        echo "create_venv: $_sms_py not found; set PYTHON to a Python 3.10" \
            "or newer, e.g. PYTHON=python3.10 ./$_sms_me" >&2
        _sms_status=127
    elif _sms_v=$("$_sms_py" -c \
            'import sys; print("%d.%d" % sys.version_info[:2])' 2>&1)
        _sms_status=$?
        [ "$_sms_status" -ne 0 ]
    then
        _sms_v=$(printf '%s\n' "$_sms_v" | head -n 1)
        echo "create_venv: $_sms_py does not run" \
            "(status $_sms_status)${_sms_v:+: $_sms_v}" >&2
    else
        case $_sms_v in
            3.1[0-9] | 3.[2-9][0-9] | [4-9].[0-9]*) ;;
            [0-9]*.[0-9]*)
                echo "create_venv: $_sms_py is Python $_sms_v; sms-sim needs" \
                    "3.10 or newer: set PYTHON, e.g." \
                    "PYTHON=python3.10 ./$_sms_me" >&2
                _sms_status=1 ;;
            *)
                echo "create_venv: $_sms_py did not report a Python version" \
                    "(set PYTHON to a Python 3.10 or newer)" >&2
                _sms_status=1 ;;
        esac
        if [ "$_sms_status" -eq 0 ]; then
            echo "create_venv: $_sms_verb .venv from $_sms_reqs with" \
                "$_sms_py (Python $_sms_v)${_sms_why:+, $_sms_why}" >&2
            rm -rf "$_sms_dir/.venv" &&
                "$_sms_py" -m venv "$_sms_dir/.venv" &&
                "$_sms_dir/.venv/bin/python" -m pip install --quiet \
                    --disable-pip-version-check -r "$_sms_path" &&
                cp "$_sms_path" "$_sms_dir/.venv/installed-requirements.txt"
            _sms_status=$?
        fi
    fi
fi
# The status is the last command's: keep it, and leave no variables behind.
eval "unset _sms_me _sms_file _sms_dir _sms_verb _sms_why _sms_reqs" \
    "_sms_path _sms_py _sms_v _sms_status; (exit $_sms_status)"
