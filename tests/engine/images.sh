# Stand-in base images for the migrator test engine: sourced by setup.sh (which
# sets HERE, IMAGES_FILE, STANDINS, DATA_DIR, MIRROR, LABEL and defines d, log
# and fail).  Nothing here starts or stops an engine: seed_images only imports
# into the running one, and only images whose content hash changed.
#
# An image is one `docker import` of a busybox root file system (or, for
# debootstrap-* kinds, a real Debian) plus the stand-in tools of its KIND
# (images.txt).  Kinds are combinations of tool families:
#   alpine debian ubuntu   the distribution's package manager and account tools
#   go node java maven gradle tomcat nginx python rust
#                          the toolchain's stand-in (standins/, see README.md)
#   cc make                a C compiler stand-in; GNU make (the host's own binary)
# Every image has /usr/local/lib/standin/ (lib.sh, and cc/make for apk/apt-get to
# "install"), so `apk add make` or `apt-get install build-essential` gives them.

# kind_tools KIND: which stand-in families an image kind gets
kind_tools() {
    case $1 in
        base)           echo "" ;;
        distroless)     echo "distroless" ;;
        alpine)         echo "alpine" ;;
        debian)         echo "debian" ;;
        ubuntu)         echo "debian ubuntu" ;;
        golang)         echo "debian go cc make" ;;
        golang-alpine)  echo "alpine go" ;;
        node)           echo "debian node cc make" ;;
        node-alpine)    echo "alpine node" ;;
        openjdk)        echo "debian java" ;;
        openjdk-alpine) echo "alpine java" ;;
        maven)          echo "debian java maven" ;;
        gradle)         echo "debian java gradle" ;;
        tomcat)         echo "debian java tomcat" ;;
        nginx)          echo "debian nginx" ;;
        nginx-alpine)   echo "alpine nginx" ;;
        python)         echo "debian python cc make" ;;
        python-slim)    echo "debian python" ;;
        python-alpine)  echo "alpine python" ;;
        rust)           echo "debian rust cc make" ;;
        buildpack)      echo "debian cc make" ;;
        *) fail "unknown image kind '$1' in $IMAGES_FILE" ;;
    esac
}

put() {   # put SRC DEST: copy a stand-in into the rootfs, mode 0755
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2"
    chmod 0755 "$2"
}

# The host's GNU make and the shared libraries it needs (their real paths).
MAKE_BIN=/usr/bin/make
make_libs() { ldd "$MAKE_BIN" | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }'; }

# standin_lib ROOT: what every image gets under /usr/local/lib/standin
standin_lib() {
    local root=$1 lib
    put "$STANDINS/lib.sh" "$root/usr/local/lib/standin/lib.sh"
    chmod 0644 "$root/usr/local/lib/standin/lib.sh"
    put "$STANDINS/cc" "$root/usr/local/lib/standin/cc"
    if [ -x "$MAKE_BIN" ]; then
        put "$MAKE_BIN" "$root/usr/local/lib/standin/make"
        for lib in $(make_libs); do
            mkdir -p "$root$(dirname "$lib")"
            cp -L "$lib" "$root$lib"
        done
    fi
}

# link ROOT NAME TOOL...: /usr/bin/TOOL -> /usr/local/lib/standin/NAME (preinstalled tools)
link() {
    local root=$1 name=$2 t
    shift 2
    for t in "$@"; do ln -sf "/usr/local/lib/standin/$name" "$root/usr/bin/$t"; done
}

# make_rootfs DIR KIND VERSION: the root file system of one image
make_rootfs() {
    local root=$1 kind=$2 version=$3 a tools
    tools=" $(kind_tools "$kind") "
    mkdir -p "$root"/{bin,sbin,etc,root,tmp,home,proc,sys,dev,run,var/tmp,var/cache} \
             "$root"/usr/{bin,sbin,share,local/bin,local/sbin,local/lib}
    chmod 1777 "$root/tmp" "$root/var/tmp"
    chmod 0700 "$root/root"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
                  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$root/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nogroup:x:65534:' > "$root/etc/group"
    case $tools in
        *" distroless "*)
            # No shell, no busybox: like gcr.io/distroless/static (a RUN fails, as there).
            echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >> "$root/etc/passwd"
            echo 'nonroot:x:65532:' >> "$root/etc/group"
            mkdir -p "$root/home/nonroot" "$root/etc/ssl/certs"
            chown 65532:65532 "$root/home/nonroot"
            printf '%s\n' '# migrator test engine: stand-in CA bundle' > "$root/etc/ssl/certs/ca-certificates.crt"
            return 0 ;;
    esac
    cp /bin/busybox "$root/bin/busybox"
    chmod 0755 "$root/bin/busybox"
    for a in $(/bin/busybox --list); do
        [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
    done
    standin_lib "$root"
    distro_tools "$root" "$kind" "$version" "$tools"
    toolchains "$root" "$version" "$tools"
}

# distro_tools ROOT KIND VERSION TOOLS: package manager, account tools, release files
distro_tools() {
    local root=$1 kind=$2 version=$3 tools=$4
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
            case $tools in
                *" ubuntu "*)
                    printf 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="%s"\nPRETTY_NAME="Ubuntu %s (migrator stand-in)"\n' \
                        "$version" "$version" > "$root/etc/os-release"
                    echo "bookworm/sid" > "$root/etc/debian_version" ;;
                *)
                    local debian_version=$version
                    [ "$kind" = debian ] || debian_version=12.7
                    echo "$debian_version" > "$root/etc/debian_version"
                    printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm) (migrator stand-in)"\n' \
                        > "$root/etc/os-release" ;;
            esac
            ;;
    esac
}

# toolchains ROOT VERSION TOOLS: the language tools of the image
toolchains() {
    local root=$1 version=$2 tools=$3 lib=$1/usr/local/lib/standin
    case $tools in *" cc "*) link "$root" cc cc gcc c++ g++ ;; esac
    case $tools in *" make "*) [ ! -x "$MAKE_BIN" ] || link "$root" make make ;; esac
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
            put "$STANDINS/yarn" "$root/usr/local/bin/yarn"
            mkdir -p "$root/usr/local/lib/node-standin" "$root/usr/local/lib/node_modules"
            echo "$version" > "$root/usr/local/lib/node-standin/VERSION"
            ;;
    esac
    case $tools in
        *" java "*)
            put "$STANDINS/java" "$root/usr/local/openjdk/bin/java"
            # ./gradlew (a project file) runs java, which runs this for GradleWrapperMain
            put "$STANDINS/gradle" "$lib/gradle"
            ;;
    esac
    case $tools in
        *" maven "*)
            put "$STANDINS/mvn" "$root/usr/share/maven/bin/mvn"
            ln -s /usr/share/maven/bin/mvn "$root/usr/bin/mvn"
            echo "$version" > "$lib/MAVEN_VERSION"
            mkdir -p "$root/root/.m2" "$root/usr/share/maven/ref"
            ;;
    esac
    case $tools in
        *" gradle "*)
            ln -s /usr/local/lib/standin/gradle "$root/usr/bin/gradle"
            echo "$version" > "$lib/GRADLE_VERSION"
            mkdir -p "$root/home/gradle"
            echo 'gradle:x:1000:1000::/home/gradle:/bin/sh' >> "$root/etc/passwd"
            echo 'gradle:x:1000:' >> "$root/etc/group"
            chown 1000:1000 "$root/home/gradle"
            ;;
    esac
    case $tools in
        *" tomcat "*)
            put "$STANDINS/catalina.sh" "$root/usr/local/tomcat/bin/catalina.sh"
            mkdir -p "$root/usr/local/tomcat/"{conf,lib,logs,temp,work} \
                     "$root/usr/local/tomcat/webapps" "$root/usr/local/tomcat/webapps.dist/ROOT"
            printf '<Server port="-1"/>\n' > "$root/usr/local/tomcat/conf/server.xml"
            printf 'tomcat stand-in\n' > "$root/usr/local/tomcat/webapps.dist/ROOT/index.jsp"
            ;;
    esac
    case $tools in
        *" nginx "*)
            put "$STANDINS/nginx" "$root/usr/sbin/nginx"
            echo "$version" > "$lib/NGINX_VERSION"
            mkdir -p "$root/etc/nginx/conf.d" "$root/usr/share/nginx/html" "$root/var/cache/nginx" \
                     "$root/var/log/nginx"
            printf 'events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n' > "$root/etc/nginx/nginx.conf"
            printf 'server { listen 80; root /usr/share/nginx/html; }\n' > "$root/etc/nginx/conf.d/default.conf"
            printf '<h1>Welcome to nginx! (stand-in)</h1>\n' > "$root/usr/share/nginx/html/index.html"
            echo 'nginx:x:101:101:nginx:/nonexistent:/bin/false' >> "$root/etc/passwd"
            echo 'nginx:x:101:' >> "$root/etc/group"
            ;;
    esac
    case $tools in
        *" python "*)
            local n xy=${version%.*}
            case $version in *.*.*) ;; *) xy=$version ;; esac
            put "$STANDINS/python" "$lib/python"
            for n in python python3 "python$xy" pip pip3; do
                ln -s /usr/local/lib/standin/python "$root/usr/local/bin/$n"
            done
            echo "$version" > "$lib/PYTHON_VERSION"
            mkdir -p "$root/usr/local/lib/python$xy/site-packages"
            ;;
    esac
    case $tools in
        *" rust "*)
            put "$STANDINS/cargo" "$root/usr/local/cargo/bin/cargo"
            ln -s cargo "$root/usr/local/cargo/bin/rustc"
            put "$STANDINS/rustup" "$root/usr/local/cargo/bin/rustup"
            ;;
    esac
}

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


# image_changes KIND VERSION HASH: the "docker import -c" options of an image (in CHANGES)
image_changes() {
    local kind=$1 version=$2 hash=$3
    local path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    local java="ENV JAVA_HOME=/usr/local/openjdk" jpath=/usr/local/openjdk/bin:$path
    CHANGES=(-c "LABEL $LABEL=$hash" -c "LABEL org.migrator-test.kind=$kind")
    case $kind in
        golang|golang-alpine)
            CHANGES+=(-c "ENV PATH=/go/bin:/usr/local/go/bin:$path" -c "ENV GOPATH=/go"
                      -c "ENV GOLANG_VERSION=$version" -c "WORKDIR /go" -c 'CMD ["sh"]') ;;
        node|node-alpine)
            CHANGES+=(-c "ENV PATH=$path" -c "ENV NODE_VERSION=$version" -c 'CMD ["node"]') ;;
        openjdk|openjdk-alpine)
            CHANGES+=(-c "ENV PATH=$jpath" -c "$java" -c "ENV JAVA_VERSION=$version" -c 'CMD ["sh"]') ;;
        maven)
            CHANGES+=(-c "ENV PATH=$jpath" -c "$java" -c "ENV MAVEN_HOME=/usr/share/maven"
                      -c "ENV MAVEN_CONFIG=/root/.m2" -c 'CMD ["mvn"]') ;;
        gradle)
            CHANGES+=(-c "ENV PATH=$jpath" -c "$java" -c "ENV GRADLE_HOME=/opt/gradle"
                      -c "ENV GRADLE_VERSION=$version" -c "WORKDIR /home/gradle" -c 'CMD ["gradle"]') ;;
        tomcat)
            CHANGES+=(-c "ENV PATH=/usr/local/tomcat/bin:$jpath" -c "$java"
                      -c "ENV CATALINA_HOME=/usr/local/tomcat" -c "ENV TOMCAT_VERSION=$version"
                      -c "WORKDIR /usr/local/tomcat" -c "EXPOSE 8080" -c 'CMD ["catalina.sh", "run"]') ;;
        nginx|nginx-alpine)
            CHANGES+=(-c "ENV PATH=$path" -c "ENV NGINX_VERSION=$version" -c "EXPOSE 80"
                      -c 'CMD ["nginx", "-g", "daemon off;"]') ;;
        python|python-slim|python-alpine)
            CHANGES+=(-c "ENV PATH=$path" -c "ENV LANG=C.UTF-8" -c "ENV PYTHON_VERSION=$version"
                      -c 'CMD ["python3"]') ;;
        rust)
            CHANGES+=(-c "ENV PATH=/usr/local/cargo/bin:$path" -c "ENV CARGO_HOME=/usr/local/cargo"
                      -c "ENV RUSTUP_HOME=/usr/local/rustup" -c "ENV RUST_VERSION=$version" -c 'CMD ["sh"]') ;;
        distroless)
            CHANGES+=(-c "ENV PATH=$path" -c "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") ;;
        ubuntu|buildpack)
            CHANGES+=(-c "ENV PATH=$path" -c 'CMD ["bash"]') ;;
        debootstrap-gcc)
            CHANGES+=(-c "ENV PATH=$path" -c "ENV GCC_VERSION=$version" -c 'CMD ["bash"]') ;;
        *)
            CHANGES+=(-c "ENV PATH=$path" -c 'CMD ["sh"]') ;;
    esac
}

# image_hash REF KIND VERSION CONTENT: the label value of an image: its content (the
# root file system's tar digest, or for debootstrap kinds this file) and its config
image_hash() {
    image_changes "$2" "$3" -
    printf '%s\n' "$1" "$2" "$3" "$4" "${CHANGES[@]}" | sha256sum | cut -d' ' -f1
}

# known_images: HAVE[ref] = "ID HASH" for every stand-in image on the engine (one call)
known_images() {
    local ids line tags tag
    declare -gA HAVE=()
    ids=$(d images -q --no-trunc --filter "label=$LABEL" | sort -u)
    [ -n "$ids" ] || return 0
    # shellcheck disable=SC2086  # one id per word
    while IFS='|' read -r tags line; do
        for tag in $tags; do HAVE[$tag]=$line; done
    done < <(d image inspect -f "{{ range .RepoTags }}{{ . }} {{ end }}|{{ .Id }} {{ index .Config.Labels \"$LABEL\" }}" $ids)
}

# content_of REF KIND VERSION RECIPE TMP: the digest of the image's root file system
# (its tar, left in TMP/root.tar); remembered per recipe in $DATA_DIR/standin-cache so
# that a run with nothing to change builds no root file system.
content_of() {
    local ref=$1 kind=$2 version=$3 recipe=$4 tmp=$5 cache=$DATA_DIR/standin-cache/$4
    if [ "${kind#debootstrap-}" != "$kind" ]; then
        sha256sum < "$HERE/images.sh" | cut -d' ' -f1
        return 0
    fi
    if [ -s "$cache" ] && [ "${6:-}" != build ]; then
        cat "$cache"
        return 0
    fi
    rm -rf "$tmp/root" "$tmp/root.tar"
    make_rootfs "$tmp/root" "$kind" "$version"
    # Deterministic tar (owners as made: root, but gradle's or nonroot's home): the layer
    # digest, and the image's hash, depend only on the content.
    tar --sort=name --mtime=@0 --numeric-owner -C "$tmp/root" -cf "$tmp/root.tar" .
    mkdir -p "$(dirname "$cache")"
    sha256sum < "$tmp/root.tar" | cut -d' ' -f1 | tee "$cache"
}

seed_images() {
    local ref kind version rest hash have tmp content common recipe tag n=0 skipped=0
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrator-test-rootfs.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    # What a root file system is made of; a change makes content_of build them again.
    common=$( { cat "$HERE/images.sh" "$STANDINS"/*; sha256sum /bin/busybox;
               [ ! -x "$MAKE_BIN" ] || sha256sum "$MAKE_BIN" $(make_libs); } | sha256sum | cut -d' ' -f1)
    known_images
    while read -r ref kind version rest; do
        case $ref in ''|'#'*) continue ;; esac
        [ "$ref" != scratch ] || continue                 # built into the engine
        [ -n "$kind" ] || fail "no kind for $ref in $IMAGES_FILE"
        [ -n "$version" ] || { version=${ref##*:}; version=${version%%-*}; }
        tag=$ref; case ${ref##*/} in *:*) ;; *) tag=$ref:latest ;; esac
        recipe=$(printf '%s %s %s %s' "$common" "$ref" "$kind" "$version" | sha256sum | cut -d' ' -f1)
        rm -f "$tmp/root.tar"
        content=$(content_of "$ref" "$kind" "$version" "$recipe" "$tmp")
        hash=$(image_hash "$ref" "$kind" "$version" "$content")
        have=${HAVE[$tag]:-}
        if [ "${have#* }" = "$hash" ]; then
            skipped=$((skipped + 1))
            continue
        fi
        image_changes "$kind" "$version" "$hash"
        if [ "${kind#debootstrap-}" != "$kind" ]; then
            debootstrap_rootfs "$kind"     # a real Debian toolchain, made once
            tar --sort=name --mtime=@0 --numeric-owner -C "$DATA_DIR/rootfs-$kind" -cf - . |
                d import "${CHANGES[@]}" - "$ref" >/dev/null || fail "docker import of $ref failed"
        else
            [ -f "$tmp/root.tar" ] || content_of "$ref" "$kind" "$version" "$recipe" "$tmp" build >/dev/null
            d import "${CHANGES[@]}" "$tmp/root.tar" "$ref" >/dev/null || fail "docker import of $ref failed"
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

