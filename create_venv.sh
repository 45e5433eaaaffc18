#!/bin/sh
# Create .venv afresh and install REQUIREMENTS into it (default:
# requirements.txt, the newest versions).  The other scripts call this with
# static_requirements.txt, the pinned versions, when .venv is missing or was
# built from other pins.  Works executed or sourced; never exits the shell.
#   usage: ./create_venv.sh [REQUIREMENTS]
_sms_dir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" 2>/dev/null && pwd) || _sms_dir=.
case $_sms_dir in */*) ;; *) _sms_dir=$(pwd) ;; esac
[ -f "$_sms_dir/start.py" ] || _sms_dir=$(pwd)
_sms_reqs=${1:-requirements.txt}
echo "create_venv: building $_sms_dir/.venv from $_sms_reqs" >&2
rm -rf "$_sms_dir/.venv" &&
    python3 -m venv "$_sms_dir/.venv" &&
    "$_sms_dir/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$_sms_dir/$_sms_reqs" &&
    cp "$_sms_dir/$_sms_reqs" "$_sms_dir/.venv/installed-requirements.txt"
_sms_status=$?
unset _sms_dir _sms_reqs
[ "$_sms_status" -eq 0 ]
