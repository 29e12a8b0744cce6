#!/usr/bin/env bash
# Stop the migrator's private test engine started by setup.sh: its dockerd,
# then its containerd, each found by its pidfile (and only if that pid's
# command line is really ours).  No other engine is looked at or touched.
# Images and build cache stay in /var/lib/migrator-test for the next setup.sh;
#   stop.sh --purge   also deletes /var/lib/migrator-test and /run/migrator-test.
set -euo pipefail

RUN_DIR=/run/migrator-test
DATA_DIR=/var/lib/migrator-test
PIDFILE=$RUN_DIR/docker.pid
SOCK=$RUN_DIR/docker.sock
CTR_PIDFILE=$RUN_DIR/containerd.pid
CTR_CONFIG=$RUN_DIR/containerd.toml
CTR_SOCK=$RUN_DIR/containerd/containerd.sock
TIMEOUT=${MIGRATOR_TEST_STOP_TIMEOUT:-30}

log() { printf '[migrator-test] %s\n' "$*"; }
fail() { printf '[migrator-test] ERROR: %s\n' "$*" >&2; exit 1; }

purge=
case ${1:-} in
    '') ;;
    --purge) purge=1 ;;
    *) fail "usage: $0 [--purge]" ;;
esac
[ "$(id -u)" = 0 ] || fail "run as root"
[ -d "$RUN_DIR" ] || [ -d "$DATA_DIR" ] || { log "not running"; exit 0; }
mkdir -p "$RUN_DIR"
exec 9> "$RUN_DIR/setup.lock"
flock -w 120 9 || fail "another setup.sh/stop.sh holds $RUN_DIR/setup.lock"

# cmdline_has PID TEXT
cmdline_has() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$2"; }

# stop_pid PID NAME: SIGTERM, wait up to TIMEOUT s, then SIGKILL
stop_pid() {
    local pid=$1 name=$2 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < TIMEOUT * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || { log "$name (pid $pid) stopped"; return 0; }
        sleep 0.2
    done
    log "$name (pid $pid) still running after ${TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 25; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    fail "$name (pid $pid) did not die"
}

# stop_pidfile PIDFILE MATCH NAME
stop_pidfile() {
    local pid
    if [ -f "$1" ]; then
        pid=$(cat "$1" 2>/dev/null || true)
        if [[ "$pid" =~ ^[0-9]+$ ]] && cmdline_has "$pid" "$2"; then
            stop_pid "$pid" "$3"
        else
            log "$3: stale pidfile $1"
        fi
        rm -f "$1"
    else
        log "$3: not running (no $1)"
    fi
}

stop_pidfile "$PIDFILE" "$SOCK" dockerd
rm -f "$RUN_DIR/dockerd-launch.pid"

# Container shims of our containerd normally exit with their containers when
# dockerd stops them; any left over are ours by their -address.
for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    if cmdline_has "$pid" "containerd-shim" && cmdline_has "$pid" "-address $CTR_SOCK "; then
        stop_pid "$pid" "containerd-shim"
    fi
done

stop_pidfile "$CTR_PIDFILE" "$CTR_CONFIG" containerd
# The engine's private bridge (setup.sh made it; nothing else uses it).
ip link del mvtest0 2>/dev/null || true

if [ -n "$purge" ]; then
    # A dockerd that was killed (not stopped) leaves its mounts behind; they
    # are ours: unmount them, deepest first.
    awk -v a="$DATA_DIR" -v b="$RUN_DIR" '
        index($2, a "/") == 1 || $2 == a || index($2, b "/") == 1 || $2 == b { print $2 }' /proc/mounts |
        sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
    if grep -qE " ($DATA_DIR|$RUN_DIR)[/ ]" /proc/mounts; then
        fail "mounts remain under $DATA_DIR or $RUN_DIR; not deleting (see /proc/mounts)"
    fi
    exec 9>&-
    rm -rf "$DATA_DIR" "$RUN_DIR"
    log "purged $DATA_DIR and $RUN_DIR"
fi
