#!/bin/sh
# Run the test suite; arguments go to pytest (for example -q or -k NAME).
# Builds .venv from static_requirements.txt first if it is missing or was
# built from other requirements (./create_venv.sh --if-needed, which says
# why).  The status is pytest's (5 when no test ran), or the build's if
# that failed.
#
# Works executed or sourced (. ./run_tests.sh); never exits the calling
# shell and leaves no variables behind.  Sourced by a shell that cannot tell
# where this file is (dash, the usual sh), it must be sourced from the
# project folder, and words after its name are ignored silently: dash's "."
# passes no arguments, so the script sees the calling shell's own ones.
_sms_me=run_tests.sh
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
        (cd "$_sms_dir" && exec .venv/bin/python -m pytest "$@")
    _sms_status=$?
fi
# The status is the last command's: keep it, and leave no variables behind.
eval "unset _sms_me _sms_file _sms_dir _sms_status; (exit $_sms_status)"
