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
# Environment:
#   MIGRATOR_TEST_WAIT=60          seconds to wait for each daemon to answer
#   MIGRATOR_TEST_SKIP_CHECKS=1    skip the run/build self-checks at the end
set -euo pipefail

# ---------------------------------------------------------------- settings
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES_FILE=$HERE/images.txt          # "REF KIND [VERSION]" per line: the image list
STANDINS=$HERE/standins               # stand-in tool scripts copied into the images

RUN_DIR=/run/migrator-test
DATA_DIR=/var/lib/migrator-test
SOCK=$RUN_DIR/docker.sock
HOST=unix://$SOCK
PIDFILE=$RUN_DIR/docker.pid
EXEC_ROOT=$RUN_DIR/exec
DOCKER_ROOT=$DATA_DIR/docker
DAEMON_JSON=$RUN_DIR/daemon.json
LOG=/var/log/migrator-test-dockerd.log
CTR_STATE=$RUN_DIR/containerd
MIRROR=${MIGRATOR_TEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BRIDGE=mvtest0
BRIDGE_CIDR=198.18.213.1/24
CTR_ROOT=$DATA_DIR/containerd
CTR_SOCK=$CTR_STATE/containerd.sock
CTR_PIDFILE=$RUN_DIR/containerd.pid
CTR_CONFIG=$RUN_DIR/containerd.toml
CTR_LOG=/var/log/migrator-test-containerd.log
NAMESPACE=migrator-test               # containerd namespace used by this dockerd
CGROUP_PARENT=/migrator-test
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
# kind_tools KIND: which stand-in families an image kind gets
kind_tools() {
    case $1 in
        base)          echo "" ;;
        alpine)        echo "alpine" ;;
        debian)        echo "debian" ;;
        golang)        echo "debian go" ;;
        golang-alpine) echo "alpine go" ;;
        node)          echo "debian node" ;;
        *) fail "unknown image kind '$1' in $IMAGES_FILE" ;;
    esac
}

put() {   # put SRC DEST: copy a stand-in into the rootfs, mode 0755
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2"
    chmod 0755 "$2"
}

# make_rootfs DIR KIND VERSION: the busybox root file system of one image
make_rootfs() {
    local root=$1 kind=$2 version=$3 a tools
    tools=" $(kind_tools "$kind") "
    mkdir -p "$root"/{bin,sbin,etc,root,tmp,home,proc,sys,dev,run,var/tmp,var/cache} \
             "$root"/usr/{bin,sbin,share,local/bin,local/sbin,local/lib}
    cp /bin/busybox "$root/bin/busybox"
    chmod 0755 "$root/bin/busybox"
    for a in $(/bin/busybox --list); do
        [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
    done
    chmod 1777 "$root/tmp" "$root/var/tmp"
    chmod 0700 "$root/root"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
                  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$root/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nogroup:x:65534:' > "$root/etc/group"
    case $tools in
        *" alpine "*)
            put "$STANDINS/apk" "$root/sbin/apk"
            put "$STANDINS/accounts" "$root/usr/sbin/adduser"
            put "$STANDINS/accounts" "$root/usr/sbin/addgroup"
            mkdir -p "$root/etc/apk"
            : > "$root/etc/apk/world"
            local alpine_release=$version
            [ "$kind" = alpine ] || alpine_release=3.20.3
            echo "$alpine_release" > "$root/etc/alpine-release"
            printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=%s\nPRETTY_NAME="Alpine Linux v%s (migrator stand-in)"\n' \
                "$alpine_release" "${alpine_release%.*}" > "$root/etc/os-release"
            ;;
        *" debian "*)
            put "$STANDINS/apt-get" "$root/usr/bin/apt-get"
            ln -s apt-get "$root/usr/bin/apt"
            put "$STANDINS/bash" "$root/bin/bash"
            put "$STANDINS/accounts" "$root/usr/sbin/useradd"
            put "$STANDINS/accounts" "$root/usr/sbin/groupadd"
            mkdir -p "$root/var/lib/apt/lists/partial" "$root/var/cache/apt/archives/partial"
            local debian_version=$version
            [ "$kind" = debian ] || debian_version=12.7
            echo "$debian_version" > "$root/etc/debian_version"
            printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm) (migrator stand-in)"\n' \
                > "$root/etc/os-release"
            ;;
    esac
    case $tools in
        *" go "*)
            put "$STANDINS/go" "$root/usr/local/go/bin/go"
            echo "go$version" > "$root/usr/local/go/VERSION"
            mkdir -p "$root/go/bin" "$root/go/src"
            chmod 0777 "$root/go" "$root/go/bin" "$root/go/src"   # as in the real images
            ;;
    esac
    case $tools in
        *" node "*)
            put "$STANDINS/node" "$root/usr/local/bin/node"
            put "$STANDINS/npm" "$root/usr/local/bin/npm"
            mkdir -p "$root/usr/local/lib/node-standin" "$root/usr/local/lib/node_modules"
            echo "$version" > "$root/usr/local/lib/node-standin/VERSION"
            ;;
    esac
}

# image_changes KIND VERSION HASH: the "docker import -c" options of an image
# debootstrap_rootfs KIND: a minimal Debian 12 with the kind's packages, made once and kept in
# $DATA_DIR/rootfs-KIND (about 30 s and 100 MB from Debian's mirror the first time).
debootstrap_rootfs() {
    local kind=$1 root=$DATA_DIR/rootfs-$1 packages
    case $kind in
        debootstrap-gcc) packages=gcc,libc6-dev ;;
        *) fail "unknown image kind '$kind' in $IMAGES_FILE" ;;
    esac
    [ -f "$root/.migrator-complete" ] && return 0
    command -v debootstrap >/dev/null 2>&1 || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
    rm -rf "$root"
    log "debootstrap of $kind (packages: $packages)"
    debootstrap --variant=minbase --include="$packages" bookworm "$root" "$MIRROR" \
        > "$DATA_DIR/debootstrap-$kind.log" 2>&1 ||
        { tail -20 "$DATA_DIR/debootstrap-$kind.log" >&2; fail "debootstrap of $kind failed"; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    touch "$root/.migrator-complete"
}

image_changes() {
    local kind=$1 version=$2 hash=$3
    local path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    CHANGES=(-c "LABEL $LABEL=$hash" -c "LABEL org.migrator-test.kind=$kind")
    case $kind in
        golang|golang-alpine)
            CHANGES+=(-c "ENV PATH=/go/bin:/usr/local/go/bin:$path" -c "ENV GOPATH=/go"
                      -c "ENV GOLANG_VERSION=$version" -c "WORKDIR /go" -c 'CMD ["sh"]') ;;
        node)
            CHANGES+=(-c "ENV PATH=$path" -c "ENV NODE_VERSION=$version" -c 'CMD ["node"]') ;;
        debootstrap-gcc)
            CHANGES+=(-c "ENV PATH=$path" -c "ENV GCC_VERSION=$version" -c 'CMD ["bash"]') ;;
        *)
            CHANGES+=(-c "ENV PATH=$path" -c 'CMD ["sh"]') ;;
    esac
}

seed_images() {
    local ref kind version rest hash have common tmp n=0 skipped=0
    # Everything an image is made of; any change re-imports the images.
    common=$( { cat "$HERE/setup.sh" "$STANDINS"/*; sha256sum /bin/busybox; } | sha256sum | cut -d' ' -f1)
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrator-test-rootfs.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    while read -r ref kind version rest; do
        case $ref in ''|'#'*) continue ;; esac
        [ "$ref" != scratch ] || continue                 # built into the engine
        [ -n "$kind" ] || fail "no kind for $ref in $IMAGES_FILE"
        [ -n "$version" ] || { version=${ref##*:}; version=${version%%-*}; }
        hash=$(printf '%s %s %s %s' "$common" "$ref" "$kind" "$version" | sha256sum | cut -d' ' -f1)
        have=$(d image inspect -f "{{ .Id }} {{ index .Config.Labels \"$LABEL\" }}" "$ref" 2>/dev/null || true)
        if [ "${have#* }" = "$hash" ]; then
            skipped=$((skipped + 1))
            continue
        fi
        rm -rf "$tmp/root"
        image_changes "$kind" "$version" "$hash"
        if [ "${kind#debootstrap-}" != "$kind" ]; then
            # A real Debian toolchain (samples whose build does real work): owners kept.
            debootstrap_rootfs "$kind"
            tar --sort=name --mtime=@0 --numeric-owner -C "$DATA_DIR/rootfs-$kind" -cf - . |
                d import "${CHANGES[@]}" - "$ref" >/dev/null ||
                fail "docker import of $ref failed"
        else
            make_rootfs "$tmp/root" "$kind" "$version"
            # Deterministic tar: the layer digest depends only on the content.
            tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp/root" \
                -cf - . | d import "${CHANGES[@]}" - "$ref" >/dev/null ||
                fail "docker import of $ref failed"
        fi
        # The stale version, now untagged, goes unless something still uses it.
        [ -z "$have" ] || d rmi "${have%% *}" >/dev/null 2>&1 || true
        log "imported $ref ($kind $version)"
        n=$((n + 1))
    done < "$IMAGES_FILE"
    rm -rf "$tmp"
    trap - EXIT
    log "images: $n imported, $skipped already up to date"
}

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
