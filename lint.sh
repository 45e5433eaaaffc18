#!/bin/sh
# flake8, then mypy --strict, over start.py, sms_sim/, tests/ and
# benchmarks/ (settings in setup.cfg).  Builds .venv from
# static_requirements.txt first if it is missing or was built from other
# requirements (./create_venv.sh --if-needed, which says why).  The status
# is flake8's if it found anything, else mypy's, or the build's if that
# failed.  Takes no arguments.
#
# Works executed or sourced (. ./lint.sh); never exits the calling shell
# and leaves no variables behind.  Sourced by a shell that cannot tell where
# this file is (dash, the usual sh), it must be sourced from the project
# folder.
_sms_me=lint.sh
if [ -n "${BASH_SOURCE:-}" ]; then
    _sms_file=$BASH_SOURCE
elif [ "${0##*/}" = "$_sms_me" ]; then
    _sms_file=$0
elif [ -f "./$_sms_me" ] && [ -f ./start.py ]; then
    _sms_file=./$_sms_me
else
    _sms_file=
fi
if [ -z "$_sms_file" ]; then
    echo "$_sms_me: this shell cannot tell where the script is;" \
        "source it from the project folder: . ./$_sms_me" >&2
    _sms_status=1
elif ! _sms_dir=$(CDPATH='' cd -- "$(dirname -- "$_sms_file")" && pwd); then
    _sms_status=1
else
    { cmp -s "$_sms_dir/static_requirements.txt" \
            "$_sms_dir/.venv/installed-requirements.txt" ||
        sh "$_sms_dir/create_venv.sh" --if-needed; } &&
        (cd "$_sms_dir" || exit
            .venv/bin/python -m flake8 start.py sms_sim tests benchmarks
            flake8=$?
            .venv/bin/python -m mypy start.py sms_sim tests benchmarks
            mypy=$?
            [ "$flake8" -ne 0 ] && exit "$flake8"
            exit "$mypy")
    _sms_status=$?
fi
# The status is the last command's: keep it, and leave no variables behind.
eval "unset _sms_me _sms_file _sms_dir _sms_status; (exit $_sms_status)"
