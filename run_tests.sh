#!/bin/sh
# Run the test suite; extra arguments go to pytest (for example -q or -k).
# Builds .venv from static_requirements.txt first if it is missing (or was
# built from other pins).  The status is pytest's.  Works executed or
# sourced; never exits the shell.
_sms_dir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" 2>/dev/null && pwd) || _sms_dir=.
[ -f "$_sms_dir/start.py" ] || _sms_dir=$(pwd)
{ cmp -s "$_sms_dir/static_requirements.txt" \
        "$_sms_dir/.venv/installed-requirements.txt" ||
    sh "$_sms_dir/create_venv.sh" static_requirements.txt; } &&
    (cd "$_sms_dir" && .venv/bin/python -m pytest "$@")
_sms_status=$?
unset _sms_dir
[ "$_sms_status" -eq 0 ]
