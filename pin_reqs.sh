#!/bin/sh
# Record the exact versions installed in .venv (pip freeze) in
# static_requirements.txt, and mark .venv as built from them.  The pins
# must install on every supported Python, 3.10 to 3.13, so they are taken
# from a .venv on Python 3.10, the oldest: a newer Python's freeze leaves
# out what only 3.10 needs (exceptiongroup, tomli).  Any other .venv is
# refused.  The flow:
#   PYTHON=python3.10 ./create_venv.sh && ./pin_reqs.sh && ./run_tests.sh
# The status is 0 once the pins are written, else the failing step's.
#
# Works executed or sourced (. ./pin_reqs.sh); never exits the calling
# shell and leaves no variables behind.  Sourced by a shell that cannot tell
# where this file is (dash, the usual sh), it must be sourced from the
# project folder.
_sms_me=pin_reqs.sh
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
elif [ ! -x "$_sms_dir/.venv/bin/python" ]; then
    echo "pin_reqs: no .venv here; build one first:" \
        "PYTHON=python3.10 ./create_venv.sh" >&2
    _sms_status=1
elif _sms_v=$("$_sms_dir/.venv/bin/python" -c \
        'import sys; print("%d.%d" % sys.version_info[:2])' 2>&1)
    _sms_status=$?
    [ "$_sms_status" -ne 0 ]
then
    _sms_v=$(printf '%s\n' "$_sms_v" | head -n 1)
    echo "pin_reqs: .venv/bin/python does not run" \
        "(status $_sms_status)${_sms_v:+: $_sms_v}" >&2
elif [ "$_sms_v" != 3.10 ]; then
    echo "pin_reqs: .venv runs Python $_sms_v; pins must come from" \
        "Python 3.10, the oldest supported, to install on 3.10 to 3.13:" \
        "PYTHON=python3.10 ./create_venv.sh, then ./pin_reqs.sh" >&2
    _sms_status=1
else
    _sms_tmp=$_sms_dir/static_requirements.txt.new
    "$_sms_dir/.venv/bin/python" -m pip freeze \
            --disable-pip-version-check >"$_sms_tmp" &&
        if [ ! -s "$_sms_tmp" ]; then
            echo "pin_reqs: .venv has nothing installed; nothing pinned" >&2
            false
        fi &&
        mv -f "$_sms_tmp" "$_sms_dir/static_requirements.txt" &&
        cp "$_sms_dir/static_requirements.txt" \
            "$_sms_dir/.venv/installed-requirements.txt" &&
        echo "pin_reqs: wrote static_requirements.txt (Python 3.10)" >&2
    _sms_status=$?
    rm -f "$_sms_tmp"
fi
# The status is the last command's: keep it, and leave no variables behind.
eval "unset _sms_me _sms_file _sms_dir _sms_v _sms_tmp _sms_status;" \
    "(exit $_sms_status)"
