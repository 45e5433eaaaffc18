#!/bin/sh
# Build .venv from static_requirements.txt if it is missing or was built
# from other requirements (./create_venv.sh --if-needed, which says why),
# then activate it.  Activation changes the calling shell, so source it:
#   . ./activate_venv.sh
# Executed, it only builds .venv and says that activating needs it sourced.
# The status is 0 once .venv is ready (and active, if sourced), else the
# failing step's.
#
# Never exits the calling shell and leaves no variables behind other than
# the venv's own.  Sourced by a shell that cannot tell where this file is
# (dash, the usual sh), it must be sourced from the project folder.
_sms_me=activate_venv.sh
_sms_sourced=yes
if [ -n "${BASH_SOURCE:-}" ]; then
    _sms_file=$BASH_SOURCE
    [ "$BASH_SOURCE" = "$0" ] && _sms_sourced=
elif [ "${0##*/}" = "$_sms_me" ]; then
    _sms_file=$0
    # zsh names the sourced file in $0, and says how it runs in this.
    case ${ZSH_EVAL_CONTEXT:-} in *:file*) ;; *) _sms_sourced= ;; esac
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
elif cmp -s "$_sms_dir/static_requirements.txt" \
            "$_sms_dir/.venv/installed-requirements.txt" ||
        sh "$_sms_dir/create_venv.sh" --if-needed
    _sms_status=$?
    [ "$_sms_status" -ne 0 ]
then
    :
elif [ -n "$_sms_sourced" ]; then
    . "$_sms_dir/.venv/bin/activate"
    _sms_status=$?
else
    echo "activate_venv: .venv is ready, but activating it needs the" \
        "script sourced: . ./$_sms_me" >&2
    _sms_status=0
fi
# The status is the last command's: keep it, and leave no variables behind.
eval "unset _sms_me _sms_sourced _sms_file _sms_dir _sms_status;" \
    "(exit $_sms_status)"
