# labrunner: the rc file of a shell whose commands are recorded (`bash --rcfile <this file> -i`).
#
# Cooperative capture for the instructor's command timeline: after each command, the prompt hook writes the
# command line and its exit status into the terminal output as a private escape sequence, which the server
# strips and records (format: server/core/shell-events.ts). The learner is told it is recorded, and can
# unset it: this helps and reviews, it is not a tamper-proof audit.
#
# It runs on every prompt, so it forks nothing (builtins only). It does not touch PS1, keeps the learner's
# own PROMPT_COMMAND, and hands `$?` and `$_` on unchanged. It is installed here, not in the workspace's
# .bashrc, so the learner's edits to their .bashrc cannot remove it by accident.

# What bash would have read without --rcfile.
[ -f ~/.bashrc ] && . ~/.bashrc

# `fc` writes the last history entry into an unlinked temporary file (a builtin writing a file, where command
# substitution would fork); `read` takes it back. Opening it through /dev/fd/N truncates and rereads it.
__labrunner_file=$(mktemp "${TMPDIR:-/tmp}/labrunner-cmd.XXXXXX") &&
  exec {__labrunner_fd}<>"$__labrunner_file" &&
  rm -f -- "$__labrunner_file"
unset __labrunner_file

# Control characters become %XX (a BEL would end the sequence early, and the pty would turn \n into \r\n).
__labrunner_controls=() __labrunner_codes=()
for ((__labrunner_i = 1; __labrunner_i < 128; __labrunner_i++)); do
  ((__labrunner_i < 32 || __labrunner_i == 127)) || continue
  printf -v __labrunner_hex '%02X' "$__labrunner_i"
  printf -v '__labrunner_controls[__labrunner_i]' "\\x$__labrunner_hex"
  __labrunner_codes[__labrunner_i]="%$__labrunner_hex"
done
unset __labrunner_i __labrunner_hex

__labrunner_seen='' __labrunner_primed=''

# Called as `__labrunner_record "$_"`: bash sets `$_` to the last argument of the call, so the learner's `$_`
# survives; the function returns the command's status, so the learner's own prompt hooks still see `$?`.
__labrunner_record() {
  local status=$? entry number code
  if [[ -z ${__labrunner_fd-} ]] || ! fc -l -1 >|"/dev/fd/$__labrunner_fd" 2>/dev/null; then
    __labrunner_primed=1 # no history yet
    return "$status"
  fi
  IFS= read -r -d '' entry <"/dev/fd/$__labrunner_fd"
  number=${entry%%$'\t'*}
  # The first prompt follows no command (a loaded history's last entry is from an earlier session), and an
  # empty Enter leaves the history number as it was: neither is a command.
  if [[ -n $__labrunner_primed && $number != "$__labrunner_seen" ]]; then
    entry=${entry#*$'\t'?} # `fc -l` writes "<number>\t<modified-mark><command>\n"
    entry=${entry%$'\n'}
    ((${#entry} > 2000)) && entry="${entry:0:2000}…"
    entry=${entry//'%'/%25}
    if [[ $entry == *[[:cntrl:]]* ]]; then
      for code in "${!__labrunner_controls[@]}"; do
        [[ $entry == *"${__labrunner_controls[code]}"* ]] &&
          entry=${entry//"${__labrunner_controls[code]}"/"${__labrunner_codes[code]}"}
      done
    fi
    printf '\e]6973;cmd;%d;%s\a' "$status" "$entry"
  fi
  __labrunner_seen=$number __labrunner_primed=1
  return "$status"
}

# First, so it sees the command's own `$?`; the learner's hooks (a string or, since bash 5.1, an array) follow.
PROMPT_COMMAND=('__labrunner_record "$_"' "${PROMPT_COMMAND[@]}")
