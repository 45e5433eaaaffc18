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

# The project folder is this script's: bash says where that is, other
# shells may in $0, and one that cannot tell (dash sourcing the script)
# must be in it.  There, .ci/preamble.sh has what all the scripts share.
_sms_me=pin_reqs.sh _sms_dir=${BASH_SOURCE:-$0}
case $_sms_dir in */$_sms_me) _sms_dir=${_sms_dir%/*} ;; *) _sms_dir=. ;; esac
if [ -f "$_sms_dir/.ci/preamble.sh" ]; then . "$_sms_dir/.ci/preamble.sh"; else
    echo "$_sms_me: this shell cannot tell where the script is; source it from the project folder: . ./$_sms_me" >&2
    unset _sms_me _sms_dir; return 1 2>/dev/null || exit 1; fi

if [ ! -x "$_sms_dir/.venv/bin/python" ]; then
    echo "pin_reqs: no .venv here; build one first:" \
        "PYTHON=python3.10 ./create_venv.sh" >&2
    _sms_status=1
elif ! _sms_version "$_sms_dir/.venv/bin/python" .venv/bin/python; then
    :
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
_sms_end _sms_tmp
