#!/bin/sh
# Create .venv from static_requirements.txt if it is missing (or was built
# from other pins) and activate it.  Activation changes the calling shell,
# so this must be sourced:   . ./activate_venv.sh
_sms_dir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" 2>/dev/null && pwd) || _sms_dir=.
[ -f "$_sms_dir/start.py" ] || _sms_dir=$(pwd)
if cmp -s "$_sms_dir/static_requirements.txt" \
        "$_sms_dir/.venv/installed-requirements.txt" ||
        sh "$_sms_dir/create_venv.sh" static_requirements.txt; then
    case ${0##*/} in
        activate_venv.sh)
            echo "activate_venv: .venv is ready, but activating needs the" \
                "script sourced: . ./activate_venv.sh" >&2 ;;
        *)
            . "$_sms_dir/.venv/bin/activate" ;;
    esac
else
    false
fi
_sms_status=$?
unset _sms_dir
[ "$_sms_status" -eq 0 ]
