#!/bin/sh
# flake8 and mypy --strict over start.py, sms_sim/ and tests/ (settings in
# setup.cfg); non-zero on any finding.  Builds .venv from
# static_requirements.txt first if needed.  Works executed or sourced;
# never exits the shell.
_sms_dir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" 2>/dev/null && pwd) || _sms_dir=.
[ -f "$_sms_dir/start.py" ] || _sms_dir=$(pwd)
{ cmp -s "$_sms_dir/static_requirements.txt" \
        "$_sms_dir/.venv/installed-requirements.txt" ||
    sh "$_sms_dir/create_venv.sh" static_requirements.txt; } &&
    (cd "$_sms_dir" &&
        _lint=0 &&
        { .venv/bin/flake8 start.py sms_sim tests benchmarks || _lint=1; } &&
        { .venv/bin/mypy start.py sms_sim tests benchmarks || _lint=1; } &&
        [ "$_lint" -eq 0 ])
_sms_status=$?
unset _sms_dir
[ "$_sms_status" -eq 0 ]
