# What the project's scripts (create_venv.sh, activate_venv.sh,
# pin_reqs.sh, run_tests.sh and lint.sh) share.  Each sources this once its
# first lines have found it, with _sms_me set to the script's name and
# _sms_dir to the project folder as the shell named it.  It lives in .ci/
# because the project's top level holds only what people run, and .ci/
# what runs the scripts for CI: the machinery behind them.
#
# Makes _sms_dir absolute, sets _sms_status to 0, and defines:
#   _sms_venv_ready: builds .venv from static_requirements.txt if it is
#     missing or was built from other requirements (create_venv.sh
#     --if-needed, which says why); sets _sms_status to, and returns, the
#     build's status, else 0.
#   _sms_version PYTHON [AS]: sets _sms_v to the version (X.Y) of the
#     Python command PYTHON, and _sms_status to 0; if PYTHON does not run,
#     says so in one line, naming it AS (default PYTHON), with the first
#     line of its own error if it gave one, and sets _sms_status to, and
#     returns, its status.
#   _sms_end [NAME...]: the last command of a script: unsets the variables
#     NAMEd, the ones set here and these functions, and returns
#     _sms_status, so that a sourced script leaves nothing behind.
# (A folder that cannot be entered now, renamed since it was found, keeps
# the name it had: never an empty one, which would point at /.)
_sms_dir=$(CDPATH='' cd -- "$_sms_dir" && pwd || printf '%s\n' "$_sms_dir")
_sms_status=0

_sms_venv_ready() {
    cmp -s "$_sms_dir/static_requirements.txt" \
            "$_sms_dir/.venv/installed-requirements.txt" ||
        sh "$_sms_dir/create_venv.sh" --if-needed
    _sms_status=$?
    return "$_sms_status"
}

_sms_version() {
    _sms_v=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' \
        2>&1)
    _sms_status=$?
    if [ "$_sms_status" -ne 0 ]; then
        set -- "${2:-$1}" "$(printf '%s\n' "$_sms_v" | head -n 1)"
        echo "${_sms_me%.sh}: $1 does not run" \
            "(status $_sms_status)${2:+: $2}" >&2
    fi
    return "$_sms_status"
}

_sms_end() {
    eval "unset _sms_me _sms_dir _sms_v _sms_status $*;" \
        "unset -f _sms_venv_ready _sms_version _sms_end;" \
        "return $_sms_status"
}
