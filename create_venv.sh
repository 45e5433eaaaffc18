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

# The project folder is this script's: bash says where that is, other
# shells may in $0, and one that cannot tell (dash sourcing the script)
# must be in it.  There, .ci/preamble.sh has what all the scripts share.
_sms_me=create_venv.sh _sms_dir=${BASH_SOURCE:-$0}
case $_sms_dir in */$_sms_me) _sms_dir=${_sms_dir%/*} ;; *) _sms_dir=. ;; esac
if [ -f "$_sms_dir/.ci/preamble.sh" ]; then . "$_sms_dir/.ci/preamble.sh"; else
    echo "$_sms_me: this shell cannot tell where the script is; source it from the project folder: . ./$_sms_me" >&2
    unset _sms_me _sms_dir; return 1 2>/dev/null || exit 1; fi

if [ "$#" -gt 1 ]; then
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
    elif ! _sms_version "$_sms_py"; then
        :
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
_sms_end _sms_verb _sms_why _sms_reqs _sms_path _sms_py
