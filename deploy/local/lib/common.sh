# shellcheck shell=bash
# Shared by deploy/local/up, down and status: paths, the component list, process handling.
#
# Each component lives in lib/<name>.sh and defines:
#   <name>_ports        lines "port label" it listens on; the first is shown in health lines
#   <name>_prepare      data dir and config, idempotent; runs before every start
#   <name>_start        spawns the server in the background (see spawn)
#   <name>_ready        optional: cheap "accepts connections" probe while starting
#   <name>_setup        optional: idempotent users/schemas, once the server is ready
#   <name>_check        the real health probe: prints a short detail, returns 0 when healthy
#   <name>_reload       optional: re-read config when up finds the server already running
#   <name>_stop_signal  optional: signal for a graceful stop (default TERM)

umask 022 # daemons running as postgres/mysql must be able to read what we write

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)" # deploy/local
# shellcheck source=../env.sh source-path=SCRIPTDIR
. "$LOCAL_DIR/env.sh"

ALL_COMPONENTS=(postgres mariadb kafka prometheus alertmanager)
# shellcheck source=/dev/null # lib/<component>.sh, one per component
for _c in "${ALL_COMPONENTS[@]}"; do . "$LOCAL_DIR/lib/$_c.sh"; done
unset _c

PROG="$(basename "$0")"
START_TIMEOUT="${CDCFLOW_START_TIMEOUT:-120}" # seconds a component may take to become ready
STOP_TIMEOUT="${CDCFLOW_STOP_TIMEOUT:-30}"    # seconds before a graceful stop becomes kill -9
# shellcheck disable=SC2034 # used by up and down
HOME_MARKER="$CDCFLOW_HOME/.cdcflow-home"      # proves a directory is ours before --purge

say() { printf '%s: %s\n' "$PROG" "$*"; }
die() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit 1
}

# CDCFLOW_HOME gets deleted by down --purge: it must be a directory of its own.
check_home() {
  [[ $CDCFLOW_HOME != / && $CDCFLOW_HOME != "${HOME:-/}" && "$CDCFLOW_REPO/" != "$CDCFLOW_HOME/"* ]] ||
    die "CDCFLOW_HOME=$CDCFLOW_HOME must be a directory of its own (not /, \$HOME, the repo or a parent of it)"
}

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (it starts PostgreSQL and MariaDB as their system users)"
}

# parse_args USAGE_EXTRA ARGS...: handles --only a,b and --help for every script; sets
# SELECTED (in start order, default all) and leaves any other argument in REST.
parse_args() {
  local extra=$1
  shift
  SELECTED=("${ALL_COMPONENTS[@]}") REST=()
  while (($# > 0)); do
    case $1 in
      --only) (($# > 1)) || usage "$extra"; parse_only "$2"; shift 2 ;;
      --only=*) parse_only "${1#--only=}"; shift ;;
      -h | --help) usage "$extra" ;;
      *) REST+=("$1"); shift ;;
    esac
  done
}

usage() {
  local IFS=,
  echo "usage: $PROG [--only ${ALL_COMPONENTS[*]}]${1:+ $1}" >&2
  exit 2
}

# parse_only "kafka,postgres" -> SELECTED=(postgres kafka), always in start order.
parse_only() {
  local wanted=",$1," c
  SELECTED=()
  for c in ${1//,/ }; do
    [[ " ${ALL_COMPONENTS[*]} " == *" $c "* ]] ||
      die "unknown component '$c' (known: ${ALL_COMPONENTS[*]})"
  done
  for c in "${ALL_COMPONENTS[@]}"; do
    [[ $wanted == *",$c,"* ]] && SELECTED+=("$c")
  done
  ((${#SELECTED[@]} > 0)) || die "--only needs at least one component"
}

# Serialises up and down on one CDCFLOW_HOME. spawn closes the fd in daemons, so the lock
# dies with this script.
take_lock() {
  mkdir -p "$CDCFLOW_HOME"
  exec 9>"$CDCFLOW_HOME/.lock"
  flock -w 300 9 || die "another deploy/local up/down holds $CDCFLOW_HOME/.lock"
}

# --- processes ---------------------------------------------------------------------------

pid_file() { echo "$CDCFLOW_HOME/$1/pid"; }

# Prints the pid of the component's server when it is running. A pid counts only if that
# process is alive (not a zombie) and its command line names this CDCFLOW_HOME, so a recycled
# pid or another checkout's server is never mistaken for ours.
running_pid() {
  local file pid state
  file="$(pid_file "$1")"
  [[ -s $file ]] || return 1
  pid="$(<"$file")"
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/stat ]] || return 1
  state="$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ $state != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CDCFLOW_HOME/" || return 1
  echo "$pid"
}

# Command prefix that runs as a system user: setpriv execs in place (unlike su/runuser), so
# the pid spawn records is the server's own pid.
as_user_cmd() { echo setpriv --reuid="$1" --regid="$1" --init-groups --reset-env --; }

# as_user USER CMD...: run a command as a system user, from a directory it can enter.
as_user() {
  local user=$1
  shift
  # shellcheck disable=SC2046 # as_user_cmd's words are meant to split
  (cd / && $(as_user_cmd "$user") "$@")
}

# spawn COMPONENT USER LOGFILE CMD...: start a daemon detached from this shell (own session,
# stdin /dev/null, output appended to LOGFILE) and record its pid. USER "root" runs it as is.
spawn() {
  local comp=$1 user=$2 log=$3 pidf
  shift 3
  pidf="$(pid_file "$comp")"
  rm -f "$pidf"
  # shellcheck disable=SC2046
  [[ $user == root ]] || set -- $(as_user_cmd "$user") "$@"
  (
    cd "$CDCFLOW_HOME/$comp" || exit 1
    # The inner bash writes its own pid, closes every inherited fd above 2 (a CI runner's
    # pipes, our lock) so the daemon holds none of them, then execs the server in its place.
    # shellcheck disable=SC2016 # expanded by the inner bash
    setsid bash -c '
      echo $$ >"$1"; shift
      for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
      exec "$@"' spawn "$pidf" "$@" </dev/null >>"$log" 2>&1 &
  )
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidf ]] && return 0
    sleep 0.1
  done
  die "$comp: did not start (see $log)"
}

# Gives USER search (x) permission on every directory above DIR that it lacks, so a server
# running as postgres/mysql can reach its data dir even when the repo sits under /root or a
# 0700 home. Only traversal is granted, never read.
ensure_reachable() {
  local user=$1 dir=$2 path="" part parts
  IFS=/ read -ra parts <<<"$dir"
  for part in "${parts[@]}"; do
    [[ -n $part ]] || continue
    path+="/$part"
    if ! as_user "$user" test -x "$path"; then
      say "granting o+x on $path so the $user user can reach $dir"
      chmod o+x "$path"
    fi
  done
}

# Unix socket paths are limited to 107 bytes by the kernel.
check_socket_path() {
  ((${#2} <= 107)) || die "$1: socket path $2 is longer than 107 bytes; use a shorter CDCFLOW_HOME"
}

# port_holder PORT: describes the listener on PORT (any address), fails when there is none.
port_holder() {
  local line
  line="$(ss -Htlnp "sport = :$1" 2>/dev/null | head -n 1)"
  [[ -n $line ]] || return 1
  if [[ $line =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
    echo "${BASH_REMATCH[1]}, pid ${BASH_REMATCH[2]}"
  else
    echo "unknown process"
  fi
}

main_port() { "$1"_ports | head -n 1 | cut -d' ' -f1; }

# Shows the end of each log the component names (<name>_log prints one path per line).
show_log_tail() {
  local log
  "$1"_log | while read -r log; do
    [[ -s $log ]] || continue
    echo "--- last lines of $log" >&2
    tail -n 20 "$log" >&2
  done
}

# wait_ready COMPONENT: polls the component's ready probe; gives up if the process dies or
# the timeout passes, showing the end of its log.
wait_ready() {
  local comp=$1 probe=$1_check deadline
  declare -F "$1_ready" >/dev/null && probe=$1_ready
  deadline=$((SECONDS + START_TIMEOUT))
  until "$probe" >/dev/null 2>&1; do
    if ! running_pid "$comp" >/dev/null; then
      show_log_tail "$comp"
      die "$comp exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$comp"
      die "$comp did not become ready within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

# stop_component COMPONENT: graceful signal, then kill -9 after STOP_TIMEOUT.
stop_component() {
  local comp=$1 pid sig=TERM i
  if ! pid="$(running_pid "$comp")"; then
    rm -f "$(pid_file "$comp")"
    say "$comp not running"
    return 0
  fi
  declare -F "$comp"_stop_signal >/dev/null && sig="$("$comp"_stop_signal)"
  kill -s "$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    running_pid "$comp" >/dev/null || break
    sleep 0.1
  done
  if running_pid "$comp" >/dev/null; then
    say "$comp (pid $pid) ignored SIG$sig for ${STOP_TIMEOUT}s; killing it"
    kill -s KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$comp")"
  say "$comp stopped (pid $pid)"
}

# health_line COMPONENT: one line "name state address pid detail"; returns 0 when healthy.
health_line() {
  local comp=$1 pid state detail rc=0
  if pid="$(running_pid "$comp")"; then
    if detail="$("$comp"_check 2>&1)"; then
      state=up
    else
      state=unhealthy rc=1
    fi
    pid="pid $pid"
  else
    state=down pid="-" detail="not running" rc=1
  fi
  printf '%-12s %-9s 127.0.0.1:%-6s %-10s %s\n' "$comp" "$state" "$(main_port "$comp")" "$pid" \
    "$(echo "$detail" | tail -n 1)"
  return "$rc"
}
