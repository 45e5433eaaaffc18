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

# The project folder is this script's: bash says where that is, other
# shells may in $0, and one that cannot tell (dash sourcing the script)
# must be in it.  There, .ci/preamble.sh has what all the scripts share.
_sms_me=run_tests.sh _sms_dir=${BASH_SOURCE:-$0}
case $_sms_dir in */$_sms_me) _sms_dir=${_sms_dir%/*} ;; *) _sms_dir=. ;; esac
if [ -f "$_sms_dir/.ci/preamble.sh" ]; then . "$_sms_dir/.ci/preamble.sh"; else
    echo "$_sms_me: this shell cannot tell where the script is; source it from the project folder: . ./$_sms_me" >&2
    unset _sms_me _sms_dir; return 1 2>/dev/null || exit 1; fi

_sms_venv_ready && (cd "$_sms_dir" && exec .venv/bin/python -m pytest "$@")
_sms_status=$?
_sms_end
