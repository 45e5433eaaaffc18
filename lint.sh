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

# The project folder is this script's: bash says where that is, other
# shells may in $0, and one that cannot tell (dash sourcing the script)
# must be in it.  There, .ci/preamble.sh has what all the scripts share.
_sms_me=lint.sh _sms_dir=${BASH_SOURCE:-$0}
case $_sms_dir in */$_sms_me) _sms_dir=${_sms_dir%/*} ;; *) _sms_dir=. ;; esac
if [ -f "$_sms_dir/.ci/preamble.sh" ]; then . "$_sms_dir/.ci/preamble.sh"; else
    echo "$_sms_me: this shell cannot tell where the script is; source it from the project folder: . ./$_sms_me" >&2
    unset _sms_me _sms_dir; return 1 2>/dev/null || exit 1; fi

_sms_venv_ready &&
    (cd "$_sms_dir" || exit
        .venv/bin/python -m flake8 start.py sms_sim tests benchmarks
        flake8=$?
        .venv/bin/python -m mypy start.py sms_sim tests benchmarks
        mypy=$?
        [ "$flake8" -ne 0 ] && exit "$flake8"
        exit "$mypy")
_sms_status=$?
_sms_end
