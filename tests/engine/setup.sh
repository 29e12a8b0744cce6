#!/usr/bin/env bash
# Start (or reuse) the migrator's PRIVATE test Docker engine and seed it with
# offline stand-in base images.  Idempotent; run as root.  See README.md here.
#
#   engine:  unix:///run/migrator-test/docker.sock   (export DOCKER_HOST=...)
#   data:    /var/lib/migrator-test/{docker,containerd}
#   state:   /run/migrator-test/{exec,containerd,docker.pid,containerd.pid}
#   logs:    /var/log/migrator-test-dockerd.log, /var/log/migrator-test-containerd.log
#
# It never talks to, configures or restarts any other engine: its own
# containerd (own socket, own root, own namespace), its own daemon.json, its
# own bridge, no iptables, its own cgroup parent.  Stop it with stop.sh.
#
# Network: a private bridge ($BRIDGE, made here, in 198.18.213.0/24, a range
# reserved for network testing) with no iptables, NAT or forwarding: containers
# reach nothing beyond it.  The engine needs a "bridge" network: BuildKit's
# default RUN network is hard-wired to it (with --bridge=none every BuildKit
# RUN fails with "network bridge not found"), and verification runs legacy
# build scripts unmodified, so builds cannot be given .
#
# A second engine, for the tests that spread verification over two engines
# (`migrate --verify --engine A --engine B`): MIGRATOR_TEST_INSTANCE=2 starts
# one more, wholly separate: unix:///run/migrator-test2/docker.sock, data in
# /var/lib/migrator-test2, its own containerd, namespace, cgroup parent and
# bridge (mvtest1, 198.18.214.0/24), seeded with the same stand-in images.
# Instance 1 is never looked at by instance 2's run (and the other way round).
#
# Environment:
#   MIGRATOR_TEST_INSTANCE=1       which engine: 1 (the default) or 2
#   MIGRATOR_TEST_WAIT=60          seconds to wait for each daemon to answer
#   MIGRATOR_TEST_SKIP_CHECKS=1    skip the run/build self-checks at the end
set -euo pipefail

# ---------------------------------------------------------------- settings
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES_FILE=$HERE/images.txt          # "REF KIND [VERSION]" per line: the image list
STANDINS=$HERE/standins               # stand-in tool scripts copied into the images

case ${MIGRATOR_TEST_INSTANCE:-1} in
    1) SUFFIX='' BRIDGE=mvtest0 BRIDGE_CIDR=198.18.213.1/24 ;;
    2) SUFFIX=2 BRIDGE=mvtest1 BRIDGE_CIDR=198.18.214.1/24 ;;
    *) printf '[migrator-test] ERROR: MIGRATOR_TEST_INSTANCE must be 1 or 2\n' >&2; exit 1 ;;
esac
RUN_DIR=/run/migrator-test$SUFFIX
DATA_DIR=/var/lib/migrator-test$SUFFIX
SOCK=$RUN_DIR/docker.sock
HOST=unix://$SOCK
PIDFILE=$RUN_DIR/docker.pid
EXEC_ROOT=$RUN_DIR/exec
DOCKER_ROOT=$DATA_DIR/docker
DAEMON_JSON=$RUN_DIR/daemon.json
LOG=/var/log/migrator-test$SUFFIX-dockerd.log
CTR_STATE=$RUN_DIR/containerd
MIRROR=${MIGRATOR_TEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CTR_ROOT=$DATA_DIR/containerd
CTR_SOCK=$CTR_STATE/containerd.sock
CTR_PIDFILE=$RUN_DIR/containerd.pid
CTR_CONFIG=$RUN_DIR/containerd.toml
CTR_LOG=/var/log/migrator-test$SUFFIX-containerd.log
NAMESPACE=migrator-test$SUFFIX        # containerd namespace used by this dockerd
CGROUP_PARENT=/migrator-test$SUFFIX
WAIT=${MIGRATOR_TEST_WAIT:-60}
LABEL=org.migrator-test.standin       # image label holding the stand-in content hash

DOCKER=/usr/bin/docker                # docker.io's 20.10 client: BuildKit built in
# Never follow a caller's engine selection: every call below names our socket.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

log() { printf '[migrator-test] %s\n' "$*"; }
fail() { printf '[migrator-test] ERROR: %s\n' "$*" >&2; exit 1; }
d() { "$DOCKER" -H "$HOST" "$@"; }

[ "$(id -u)" = 0 ] || fail "run as root"
[ -f "$IMAGES_FILE" ] || fail "missing $IMAGES_FILE"

# ---------------------------------------------------------------- packages
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

install_packages() {
    local need=()
    # An engine that is already installed (docker.io, or docker-ce, which
    # conflicts with docker.io) is used as it is: never replace a user's engine.
    if ! command -v dockerd >/dev/null 2>&1 || ! command -v containerd >/dev/null 2>&1 ||
       [ ! -x "$DOCKER" ]; then
        if have_pkg docker-ce || have_pkg containerd.io; then
            fail "docker-ce/containerd.io is installed but dockerd, containerd or $DOCKER is missing; not replacing it"
        fi
        need+=(docker.io)
    fi
    have_pkg busybox-static && [ -x /bin/busybox ] || need+=(busybox-static)
    command -v ip >/dev/null 2>&1 || need+=(iproute2)   # the engine's private bridge
    if [ -e /sys/module/apparmor/parameters/enabled ] &&
       grep -q Y /sys/module/apparmor/parameters/enabled && ! command -v apparmor_parser >/dev/null; then
        need+=(apparmor)      # dockerd needs it to load its profile when AppArmor is on
    fi
    [ ${#need[@]} -gt 0 ] || return 0
    log "installing ${need[*]}"
    # Keep the package's own docker.service from starting on systemd hosts:
    # this script never wants the system engine (only our private one).
    local policy=/usr/sbin/policy-rc.d own_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; own_policy=1
    fi
    local rc=0
    { apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } || rc=$?
    [ -z "$own_policy" ] || rm -f "$policy"
    [ "$rc" = 0 ] || fail "apt-get install ${need[*]} failed"
}

# ---------------------------------------------------------------- daemons
# pid_of PIDFILE MATCH: the live pid recorded in PIDFILE whose command line contains MATCH
pid_of() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
    echo "$pid"
}

engine_answers() { d info >/dev/null 2>&1; }

# show_log FILE: the last 40 lines that FILE got since our latest start marker
show_log() {
    [ -f "$1" ] || return 0
    echo "----- tail of $1 -----" >&2
    awk '/^=== .* starting / { n = 0 } { buf[n++] = $0 } END { for (i = (n > 40 ? n - 40 : 0); i < n; i++) print buf[i] }' "$1" >&2
}

# launch PIDFILE LOGFILE CMD...: start CMD as a daemon in its own session, with
# its output appended to LOGFILE and no inherited lock fd; its pid goes to
# PIDFILE (written by the process that execs CMD, so it is CMD's pid even if
# setsid had to fork) and to stdout.
launch() {
    local pidfile=$1 logfile=$2 i
    shift 2
    rm -f "$pidfile"
    # shellcheck disable=SC2016  # $$ and $@ belong to the inner bash
    setsid bash -c 'echo $$ > "$0" && exec "$@"' "$pidfile" "$@" >> "$logfile" 2>&1 < /dev/null 9>&- &
    for ((i = 0; i < 50; i++)); do
        [ -s "$pidfile" ] && { cat "$pidfile"; return 0; }
        sleep 0.1
    done
    fail "could not start $1"
}

start_containerd() {
    if pid_of "$CTR_PIDFILE" "$CTR_CONFIG" >/dev/null; then
        return 0
    fi
    mkdir -p "$CTR_STATE" "$CTR_ROOT"
    # What dockerd would write for a containerd it supervises, but with our own
    # paths; CRI is off.  (Left to itself, dockerd would share a system
    # containerd whenever /run/containerd/containerd.sock exists.)
    cat > "$CTR_CONFIG" <<EOF
version = 2
root = "$CTR_ROOT"
state = "$CTR_STATE"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$CTR_SOCK"

[ttrpc]
  address = ""

[debug]
  address = "$CTR_STATE/containerd-debug.sock"

[metrics]
  address = ""

[plugins."io.containerd.runtime.v1.linux"]
  runtime_root = "$CTR_STATE/runc"
EOF
    rm -f "$CTR_SOCK"
    echo "=== $(date -u +%FT%TZ) starting containerd for the migrator test engine" >> "$CTR_LOG"
    local i pid
    pid=$(launch "$CTR_PIDFILE" "$CTR_LOG" containerd --config "$CTR_CONFIG")
    for ((i = 0; i < WAIT * 5; i++)); do
        [ -S "$CTR_SOCK" ] && return 0
        kill -0 "$pid" 2>/dev/null || { show_log "$CTR_LOG"; fail "containerd exited while starting"; }
        sleep 0.2
    done
    show_log "$CTR_LOG"
    fail "containerd did not create $CTR_SOCK within ${WAIT}s"
}

start_engine() {
    mkdir -p "$RUN_DIR" "$EXEC_ROOT" "$DOCKER_ROOT"
    local pid i
    if pid=$(pid_of "$PIDFILE" "$SOCK"); then
        # Running (or still starting): reuse it.
        for ((i = 0; i < WAIT * 5; i++)); do
            engine_answers && { log "reusing running engine (pid $pid) at $HOST"; return 0; }
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        show_log "$LOG"
        fail "an engine is running at $HOST (pid $pid) but does not answer; run stop.sh"
    fi
    if [ -S "$SOCK" ] && engine_answers; then
        fail "something answers on $SOCK but is not the dockerd of $PIDFILE; not touching it"
    fi
    # Not our live dockerd: the pidfile is stale (dockerd refuses to start while
    # the recorded pid exists, e.g. as an unreaped zombie after a kill -9).
    rm -f "$PIDFILE"
    start_containerd
    # Our own bridge: BuildKit needs a network named "bridge" (see the top).
    if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link add "$BRIDGE" type bridge
        ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
    fi
    ip link set "$BRIDGE" up
    # Our own (empty) daemon.json: a user's /etc/docker/daemon.json must not apply.
    echo '{}' > "$DAEMON_JSON"
    rm -f "$SOCK"
    echo "=== $(date -u +%FT%TZ) starting dockerd for the migrator test engine" >> "$LOG"
    pid=$(launch "$RUN_DIR/dockerd-launch.pid" "$LOG" dockerd \
        --config-file "$DAEMON_JSON" \
        --host "$HOST" \
        --containerd "$CTR_SOCK" \
        --containerd-namespace "$NAMESPACE" \
        --containerd-plugins-namespace "$NAMESPACE-plugins" \
        --data-root "$DOCKER_ROOT" \
        --exec-root "$EXEC_ROOT" \
        --pidfile "$PIDFILE" \
        --bridge="$BRIDGE" --iptables=false --ip-masq=false --ip-forward=false \
        --exec-opt native.cgroupdriver=cgroupfs \
        --cgroup-parent "$CGROUP_PARENT")
    for ((i = 0; i < WAIT * 5; i++)); do
        if engine_answers; then
            log "engine started (pid $pid) at $HOST"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { show_log "$LOG"; fail "dockerd exited while starting"; }
        sleep 0.2
    done
    show_log "$LOG"
    fail "dockerd did not answer on $HOST within ${WAIT}s"
}

# ---------------------------------------------------------------- images
# kinds, root file systems and seed_images: images.sh (its own content hash, so a
# change here does not re-import the images)
# shellcheck source=images.sh
. "$HERE/images.sh"

# ---------------------------------------------------------------- checks
self_check() {
    local ctx out want tag
    [ "${MIGRATOR_TEST_SKIP_CHECKS:-}" != 1 ] || { log "self-checks skipped"; return 0; }
    out=$(d run --rm alpine:latest sh -c 'echo container-ok') ||
        fail "docker run of alpine:latest failed"
    [ "$out" = container-ok ] || fail "docker run printed '$out'"

    ctx=$(mktemp -d "${TMPDIR:-/tmp}/migrator-test-check.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$ctx'" EXIT
    printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' > "$ctx/app.go"
    cat > "$ctx/Dockerfile" <<'EOF'
FROM golang:1.7.3
LABEL org.migrator-test.selfcheck=1
COPY app.go .
RUN go build -o app .

FROM alpine:latest
RUN apk --no-cache add ca-certificates
COPY --from=0 /go/app .
CMD ["./app"]
EOF
    want=$(sha256sum < "$ctx/app.go" | cut -d' ' -f1)

    # BuildKit (docker.io's client has it built in); : see the top.
    tag=migrator-test-selfcheck:buildkit
    DOCKER_BUILDKIT=1 d build -q -t "$tag" "$ctx" >/dev/null ||
        fail "BuildKit build failed: DOCKER_BUILDKIT=1 $DOCKER -H $HOST build $ctx"
    out=$(d run --rm "$tag") || fail "running the BuildKit-built image failed"
    [ "$out" = "$want" ] || fail "BuildKit-built image printed '$out', expected '$want'"
    d rmi "$tag" >/dev/null

    # Classic builder, with whichever docker client is first on PATH.
    tag=migrator-test-selfcheck:classic
    DOCKER_BUILDKIT=0 docker -H "$HOST" build -q -t "$tag" "$ctx" >/dev/null 2>&1 ||
        fail "classic build failed: DOCKER_BUILDKIT=0 docker -H $HOST build $ctx"
    out=$(d run --rm "$tag") || fail "running the classic-built image failed"
    [ "$out" = "$want" ] || fail "classic-built image printed '$out', expected '$want'"
    d rmi "$tag" >/dev/null
    # the classic builder keeps the first stage as an untagged image: drop it
    d image prune -f --filter label=org.migrator-test.selfcheck=1 >/dev/null

    # A stand-in Go program must also run in an empty (scratch) image.
    tag=migrator-test-selfcheck:scratch
    printf '%s\n' 'FROM golang:1.21-alpine AS build' 'WORKDIR /src' 'COPY app.go .' \
        'RUN CGO_ENABLED=0 go build -o /out/app .' \
        'FROM scratch' 'COPY --from=build /out/app /app' 'ENTRYPOINT ["/app"]' > "$ctx/Dockerfile"
    DOCKER_BUILDKIT=1 d build -q -t "$tag" "$ctx" >/dev/null ||
        fail "BuildKit build of a FROM scratch image failed"
    out=$(d run --rm "$tag") || fail "running the FROM scratch image failed"
    [ "$out" = "$want" ] || fail "FROM scratch image printed '$out', expected '$want'"
    d rmi "$tag" >/dev/null

    rm -rf "$ctx"
    trap - EXIT
    log "self-checks passed: docker run; BuildKit and classic builds; FROM scratch"
}

# ---------------------------------------------------------------- main
install_packages
mkdir -p "$RUN_DIR"
exec 9> "$RUN_DIR/setup.lock"
flock -w "$((WAIT * 2))" 9 || fail "another setup.sh/stop.sh holds $RUN_DIR/setup.lock"
start_engine
seed_images
self_check
log "ready.  Use:  export DOCKER_HOST=$HOST"
