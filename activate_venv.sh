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

# The project folder is this script's: bash says where that is, other
# shells may in $0, and one that cannot tell (dash sourcing the script)
# must be in it.  There, .ci/preamble.sh has what all the scripts share.
_sms_me=activate_venv.sh _sms_dir=${BASH_SOURCE:-$0}
case $_sms_dir in */$_sms_me) _sms_dir=${_sms_dir%/*} ;; *) _sms_dir=. ;; esac
if [ -f "$_sms_dir/.ci/preamble.sh" ]; then . "$_sms_dir/.ci/preamble.sh"; else
    echo "$_sms_me: this shell cannot tell where the script is; source it from the project folder: . ./$_sms_me" >&2
    unset _sms_me _sms_dir; return 1 2>/dev/null || exit 1; fi

# Sourced or executed?  bash says; zsh names the file in $0 either way and
# says which in ZSH_EVAL_CONTEXT; a shell that names it in neither (dash)
# is sourcing it.
_sms_sourced=yes
if [ -n "${BASH_SOURCE:-}" ]; then
    [ "$BASH_SOURCE" = "$0" ] && _sms_sourced=
elif [ "${0##*/}" = "$_sms_me" ]; then
    case ${ZSH_EVAL_CONTEXT:-} in *:file*) ;; *) _sms_sourced= ;; esac
fi
if ! _sms_venv_ready; then
    :
elif [ -n "$_sms_sourced" ]; then
    . "$_sms_dir/.venv/bin/activate"
    _sms_status=$?
else
    echo "activate_venv: .venv is ready, but activating it needs the" \
        "script sourced: . ./$_sms_me" >&2
fi
_sms_end _sms_sourced
