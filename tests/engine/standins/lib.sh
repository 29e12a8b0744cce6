# Shared by the build-tool stand-ins (migrator test engine); sourced from
# /usr/local/lib/standin/lib.sh.  POSIX sh.  Nothing here is real: a "build"
# writes a file whose content is a digest of its inputs, so the same inputs give
# the same bytes wherever they are built (builder pattern or multi-stage) and
# different inputs give different bytes.

die() {                              # die CODE MESSAGE...
    c=$1; shift
    printf '%s\n' "$*" >&2
    exit "$c"
}

# tree_hash PATH...: sha256 over every regular file under the PATHs (missing ones
# skipped), each as its path relative to the current directory and its content,
# in byte order of the paths.
tree_hash() {
    for p in "$@"; do
        [ -e "$p" ] || continue
        find "$p" -type f
    done | LC_ALL=C sort | while IFS= read -r f; do
        printf '%s\n' "$f"; sha256sum < "$f"
    done | sha256sum | cut -d' ' -f1
}

# A minimal static x86-64 ELF: write(1, msg, 65); exit(0); msg (the 64-char
# hash plus a newline) follows these 153 bytes (the same program as go's).
STANDIN_ELF='\177\105\114\106\002\001\001\000\000\000\000\000\000\000\000\000\002\000\076\000\001\000\000\000\170\000\100\000\000\000\000\000\100\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\100\000\070\000\001\000\000\000\000\000\000\000\001\000\000\000\005\000\000\000\000\000\000\000\000\000\000\000\000\000\100\000\000\000\000\000\000\000\100\000\000\000\000\000\332\000\000\000\000\000\000\000\332\000\000\000\000\000\000\000\000\020\000\000\000\000\000\000\270\001\000\000\000\277\001\000\000\000\110\215\065\020\000\000\000\272\101\000\000\000\017\005\270\074\000\000\000\061\377\017\005'

# write_exe OUT HASH: an executable (mode 0755 under umask 022) printing HASH
write_exe() {
    mkdir -p "$(dirname "$1")" || die 1 "cannot create directory for $1"
    rm -f "$1" 2>/dev/null
    case ${STANDIN_OUTPUT:-elf}:$(uname -m):${#2} in
        elf:x86_64:64)
            # shellcheck disable=SC2059  # the format IS the (escaped) ELF prefix
            { printf "$STANDIN_ELF"; printf '%s\n' "$2"; } > "$1" || die 1 "cannot write $1" ;;
        *)
            printf '#!/bin/sh\necho %s\n' "$2" > "$1" || die 1 "cannot write $1" ;;
    esac
    chmod +x "$1"
}

# write_artifact OUT KIND NAME HASH: a non-executable archive-like file
# (a jar, war, wheel...) with fixed content from its inputs
write_artifact() {
    mkdir -p "$(dirname "$1")" || die 1 "cannot create directory for $1"
    printf 'migrator-standin %s %s\n%s\n' "$2" "$3" "$4" > "$1" || die 1 "cannot write $1"
}

# xml_value FILE TAG: the first <TAG>value</TAG> outside <parent>, <dependencies>,
# <plugins>, <build>, <profiles> and <dependencyManagement> blocks
xml_value() {
    sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/ /g' "$1" |
        sed -e 's#<parent>.*</parent>##' -e 's#<dependencies>.*</dependencies>##' \
            -e 's#<dependencyManagement>.*</dependencyManagement>##' \
            -e 's#<build>.*</build>##' -e 's#<profiles>.*</profiles>##' \
            -e 's#<modules>.*</modules>##' -e 's#<properties>.*</properties>##' |
        grep -o "<$2>[^<]*</$2>" | head -n 1 | sed -e "s#</*$2>##g" -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
}

# provide PKG: what installing package PKG (apk add, apt-get install) brings
# beyond its marker file: GNU make, the C compiler stand-in, or both.
provide() {
    _s=/usr/local/lib/standin
    case $1 in
        make) _want=make ;;
        gcc|g++|clang|cc|musl-dev|libc6-dev|libc-dev) _want=cc ;;
        build-base|build-essential) _want="cc make" ;;
        *) return 0 ;;
    esac
    for _w in $_want; do
        [ -x "$_s/$_w" ] || continue
        case $_w in
            make) ln -sf "$_s/make" /usr/bin/make ;;
            cc) for _n in cc gcc c++ g++; do ln -sf "$_s/cc" "/usr/bin/$_n"; done ;;
        esac
    done
}
