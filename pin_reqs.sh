#!/bin/sh
# Record the exact versions installed in .venv to static_requirements.txt.
# Build that .venv with the oldest supported Python (3.10), so that the pins
# install on every supported version (newer tools may need a newer Python).
# Works executed or sourced; never exits the shell.
_sms_dir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" 2>/dev/null && pwd) || _sms_dir=.
[ -f "$_sms_dir/start.py" ] || _sms_dir=$(pwd)
if [ -x "$_sms_dir/.venv/bin/python" ]; then
    "$_sms_dir/.venv/bin/python" -m pip freeze --disable-pip-version-check \
        > "$_sms_dir/static_requirements.txt" &&
        cp "$_sms_dir/static_requirements.txt" \
            "$_sms_dir/.venv/installed-requirements.txt" &&
        echo "pin_reqs: wrote static_requirements.txt" >&2
else
    echo "pin_reqs: no .venv here; run ./create_venv.sh first" >&2
    false
fi
_sms_status=$?
unset _sms_dir
[ "$_sms_status" -eq 0 ]
