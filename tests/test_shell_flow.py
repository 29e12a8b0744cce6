"""The shell reader evaluates bash as bash would, running nothing: parameters and their
operators, functions and their arguments, `case`, `for`, `if` on known and unknown conditions,
directory changes, `source`d files and docker called through a variable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.cli import run as cli_run
from migrator.model import PROJECT, Command, Loc, Unsupported
from migrator.readers.context import ReaderContext
from migrator.readers.shell import read_shell


def context(files: dict[str, str], **overrides: str) -> ReaderContext:
    """A project made of `files` (nothing on disk), with `--set` values."""
    return ReaderContext("/project", frozenset(files), files.__getitem__,
                         tuple(overrides.items()), files)


def run(text: str, **kw: object) -> tuple[Command, ...]:
    return read_shell("build.sh", text, **kw).commands  # type: ignore[arg-type]


def argvs(text: str, name: str = "docker", **kw: object) -> list[list[str]]:
    return [[w.value for w in c.argv] for c in run(text, **kw) if c.name == name]


def one(text: str, name: str = "docker", **kw: object) -> list[str]:
    (found,) = argvs(text, name, **kw)
    return found


# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize(("expr", "value"), [
    ("${V:-d}", "1.2.3-rc"), ("${U:-d}", "d"), ("${U-d}", "d"), ("${E:-d}", "d"), ("${E-d}", ""),
    ("${V#*.}", "2.3-rc"), ("${V##*.}", "3-rc"), ("${V%.*}", "1.2"), ("${V%%.*}", "1"),
    ("${V/./_}", "1_2.3-rc"), ("${V//./_}", "1_2_3-rc"), ("${#V}", "8"), ("${V:2:3}", "2.3"),
    ("${V^^}", "1.2.3-RC"), ("${E:+x}", ""), ("${V:+x}", "x"),
])
def test_parameter_operators(expr: str, value: str) -> None:
    """Each `${...}` operator gives bash's value for a known variable (V set, E empty, U unset)."""
    text = f'V=1.2.3-rc\nE=""\necho "{expr}"\n'
    assert one(text, "echo") == ["echo", value]


def test_assigning_default_sets_the_variable() -> None:
    """`${TAG:=latest}` gives the default and sets TAG for later words."""
    assert one(': "${TAG:=latest}"\ndocker build -t app:$TAG .\n')[3] == "app:latest"


def test_required_variable_stays_unknown() -> None:
    """`${TAG:?usage}` with TAG unset is an unknown part of the word, not a failure."""
    (cmd,) = run('docker build -t "app:${TAG:?give a tag}" .\n')
    assert cmd.argv[3].value == "app:${TAG:?give a tag}" and not cmd.argv[3].known


def test_unknown_version_stays_symbolic_in_a_tag() -> None:
    """A git sha or date in a tag is kept as its text, marked unknown."""
    (cmd,) = [c for c in run('SHA=$(git rev-parse --short HEAD)\n'
                             'docker build -t "app:$SHA-$(date +%F)" .\n') if c.name == "docker"]
    tag = cmd.argv[3]
    assert tag.value == "app:${SHA}-$(date +%F)" and not tag.known


def test_overrides_give_values() -> None:
    """`--set ARCH=arm64` is what the script sees for ARCH; the environment is never read."""
    text = 'docker build -f "Dockerfile.${ARCH:-amd64}" .\n'
    assert one(text)[3] == "Dockerfile.amd64"
    assert one(text, ctx=context({}, ARCH="arm64"))[3] == "Dockerfile.arm64"


# ---------------------------------------------------------------- functions and arguments


def test_function_arguments_shift_and_defaults() -> None:
    """A function sees its own `$1`, `"$@"` and `shift`; `${1:-latest}` defaults at top level."""
    text = ('TAG=${1:-latest}\n'
            'build() {\n  local name=$1\n  shift\n  docker build -t "$name:$TAG" "$@" .\n}\n'
            'build web --pull -f Dockerfile.web\n'
            'echo "$name"\n')
    assert argvs(text) == [["docker", "build", "-t", "web:latest", "--pull", "-f",
                            "Dockerfile.web", "."]]
    assert one(text, "echo") == ["echo", "${name}"]  # `local` ended with the function


def test_argument_passed_unknown_stays_unknown() -> None:
    """An unknown value passed to a function is unknown inside it too."""
    (cmd,) = run('f() { docker build -t "app:$1" .; }\nf "$(git describe)"\n')
    assert not cmd.argv[3].known


# ---------------------------------------------------------------- control flow


CASE = ('case "${1:-build}" in\n'
        '  build|all) docker build -t app . ;;\n'
        '  push) docker push app ;;\n'
        '  *) echo "usage: $0 build|push"; exit 1 ;;\n'
        'esac\n'
        'docker create --name x app\n')


def test_case_on_a_known_word_takes_its_arm() -> None:
    """The default `build` picks the first arm only; the script goes on after `esac`."""
    assert [a[1] for a in argvs(CASE)] == ["build", "create"]


def test_case_on_an_unknown_word_walks_every_arm_conditionally() -> None:
    """With the word unknown, each arm may run: all are read and marked conditional."""
    cmds = run(CASE.replace("${1:-build}", "$MODE").replace("case", "MODE=$(cat mode)\ncase", 1))
    docker = [c for c in cmds if c.name == "docker"]
    assert [c.argv[1].value for c in docker] == ["build", "push", "create"]
    assert [c.conditional for c in docker] == [True, True, False]


def test_for_over_a_list_binds_each_item() -> None:
    """`for arch in amd64 arm64` runs the body once per item with the variable bound."""
    text = ('ARCHES="amd64 arm64"\n'
            'for arch in $ARCHES; do\n  docker build -f "Dockerfile.$arch" .\ndone\n')
    assert [a[3] for a in argvs(text)] == ["Dockerfile.amd64", "Dockerfile.arm64"]


def test_if_on_a_known_test_takes_one_branch() -> None:
    """`uname -m` has a fixed answer, so `[ "$ARCH" = aarch64 ]` is decided."""
    text = ('ARCH=$(uname -m)\nSUFFIX=""\n'
            'if [ "$ARCH" = "aarch64" ]; then\n  SUFFIX=.arm64\nelif [ -z "$SUFFIX" ]; then\n'
            '  SUFFIX=.amd64\nfi\n'
            'docker build -f Dockerfile$SUFFIX .\n')
    script = read_shell("build.sh", text)
    assert [w.value for w in script.commands[-1].argv][3] == "Dockerfile.amd64"
    assert any("uname -m" in n and "x86_64" in n for n in script.notes)


def test_if_on_an_unknown_condition_reads_both_branches() -> None:
    """An unknown condition: both branches' commands are read, conditional; a variable the
    branches leave different is unknown afterwards."""
    text = ('if [ -n "$1" ]; then\n  T=ci\n  docker pull base\nelse\n  T=dev\nfi\n'
            'docker build -t "app:$T" .\n')
    pull, build = run(text)
    assert pull.conditional and not build.conditional
    assert build.argv[3].value == "app:${T}" and not build.argv[3].known


def test_exit_in_a_branch_ends_only_that_path() -> None:
    """`[ -z "$1" ] && { echo usage; exit 1; }` does not stop the reading."""
    text = 'if [ -z "$1" ]; then\n  echo usage\n  exit 1\nfi\ndocker build -t "a:$1" .\n'
    assert len(argvs(text)) == 1
    assert argvs("exit 0\ndocker build .\n") == []


def test_a_variable_the_files_never_set_is_unset_in_conditions() -> None:
    """`[ -n "$VPP_COMMIT" ]` with VPP_COMMIT set nowhere is false: the default applies and
    the word stays known; the assumption is said, with the --set that changes it."""
    text = ('V=latest\nif [ -n "${VPP_COMMIT}" ]; then V=$VPP_COMMIT; fi\n'
            'docker build -t "vpp:$V" .\n')
    script = read_shell("build.sh", text)
    assert [w.value for w in script.commands[0].argv][3] == "vpp:latest"
    assert any("--set VPP_COMMIT=" in n for n in script.notes)
    given = read_shell("build.sh", text, context({}, VPP_COMMIT="abc"))
    assert [w.value for w in given.commands[0].argv][3] == "vpp:abc"


def test_while_over_arguments_reads_the_body_once() -> None:
    """A `while [ "$1" != "" ]` option loop: its body is read once, conditionally."""
    text = ('while [ "$1" != "" ]; do\n  case $1 in\n    -p) PUSH=1 ;;\n  esac\n  shift\ndone\n'
            'docker build .\n')
    assert argvs(text) == [["docker", "build", "."]]


# ---------------------------------------------------------------- paths


def test_script_directory_forms() -> None:
    """`$(dirname "$0")`, `${BASH_SOURCE[0]}`, `$(cd ... && pwd)`, `readlink -f` and
    `realpath` all name the script's own directory, without running anything."""
    forms = ['"$(dirname "$0")"', '"$(dirname "${BASH_SOURCE[0]}")"',
             '"$(cd "$(dirname "$0")" >/dev/null 2>&1 && pwd)"',
             '"$(dirname "$(readlink -f "$0")")"', '$(dirname $(realpath -s $0))']
    for form in forms:
        text = f'DIR={form}\ncd "$DIR/.."\ndocker build -f "$DIR/Dockerfile" .\n'
        (cmd,) = [c for c in read_shell("ci/build.sh", text).commands if c.name == "docker"]
        assert cmd.cwd == PROJECT, form
        assert cmd.argv[3].value == f"{PROJECT}/ci/Dockerfile", form


def test_pushd_popd_and_basename() -> None:
    """`pushd ..` changes the directory until `popd`; `basename` strips a suffix."""
    text = ('pushd docker >/dev/null\n  docker build -t "$(basename "$PWD" .d)" .\npopd\n'
            'docker build .\n')
    first, second = [c for c in run(text) if c.name == "docker"]
    assert first.cwd == f"{PROJECT}/docker" and first.argv[3].value == "docker"
    assert second.cwd == PROJECT


def test_docker_through_a_variable() -> None:
    """`$DOCKER build`, `${DOCKER_CMD:-docker} run` and `sudo docker` are docker commands."""
    text = ('$DOCKER build -t a .\n${DOCKER_CMD:-docker} run --rm a\n'
            'DOCKER="sudo docker"\n$DOCKER create --name c a\n')
    assert [a[:2] for a in argvs(text)] == [["docker", "build"], ["docker", "run"],
                                           ["docker", "create"]]


# ---------------------------------------------------------------- sourced files


def test_source_reads_the_file_in_the_same_shell() -> None:
    """`. ./env.sh` runs the helper here: its variables and functions are the script's."""
    files = {"hack/env.sh": 'IMAGE=app\nbuild() { docker build -t "$IMAGE" "$@"; }\n'}
    text = 'cd "$(dirname "$0")"\n. ./env.sh\nbuild -f Dockerfile.build .\n'
    script = read_shell("hack/build.sh", text, context(files))
    (cmd,) = script.commands
    assert [w.value for w in cmd.argv] == ["docker", "build", "-t", "app", "-f",
                                            "Dockerfile.build", "."]
    assert cmd.loc == Loc("hack/env.sh", 2) and cmd.calls[0].loc == Loc("hack/build.sh", 3)


def test_missing_source_is_a_warning() -> None:
    """A sourced file that is not in the project is said, and reading goes on."""
    script = read_shell("build.sh", "source ./nope.sh\ndocker build .\n", context({}))
    assert len(script.commands) == 1
    assert any("nope.sh" in p.message for p in script.problems)


def test_cyclic_source_is_refused_with_its_line() -> None:
    """Two files that source each other never end in bash: refused at the line."""
    files = {"a.sh": ". ./b.sh\n", "b.sh": ". ./a.sh\n"}
    with pytest.raises(Unsupported) as caught:
        read_shell("a.sh", files["a.sh"], context(files))
    assert caught.value.problem.loc == Loc("b.sh", 1)


def test_an_unset_option_list_is_no_words() -> None:
    """An unquoted `$DOCKER_BUILD_ARGS` the files never set is empty in a clean environment:
    no words, and the assumption is noted; a value given with --set is split into options."""
    text = "docker build -t app $DOCKER_BUILD_ARGS .\n"
    script = read_shell("build.sh", text)
    assert [w.value for w in script.commands[0].argv] == ["docker", "build", "-t", "app", "."]
    assert any("--set DOCKER_BUILD_ARGS=" in n for n in script.notes)
    given = read_shell("build.sh", text, context({}, DOCKER_BUILD_ARGS="--pull --no-cache"))
    assert [w.value for w in given.commands[0].argv][4:6] == ["--pull", "--no-cache"]


def test_a_detached_container_is_named_by_its_captured_id() -> None:
    """`CID=$(docker run -d img)` then `docker cp $CID:/x .`: the copy names `${CID}`, the
    variable the run's id went into."""
    (run_, cp) = [c for c in run('CID=$(docker run -itd app bash)\ndocker cp $CID:/out .\n')]
    assert run_.captured == "CID" and cp.argv[2].value == "${CID}:/out"


# ---------------------------------------------------------------- a value that decides the flow

BAD = ("#!/bin/sh\nset -e\n"
       'if [ "$1" = release ]; then DOCKERFILE=docker/Dockerfile.release; '
       "else DOCKERFILE=docker/Dockerfile.$FLAVOR; fi\n"
       'docker build -t app-build -f "$DOCKERFILE" .\n'
       "docker create --name extract app-build\n"
       "docker cp extract:/out/app ./app\n"
       "docker rm extract\n"
       "docker build -t app .\n")


def _bad_project(root: Path) -> dict[str, bytes]:
    (root / "docker").mkdir(parents=True)
    (root / "build.sh").write_text(BAD.replace('"$1" = release', "-n \"$RELEASE\""))
    (root / "docker" / "Dockerfile.alpine").write_text("FROM alpine\nRUN echo hi > /out/app\n")
    (root / "Dockerfile").write_text("FROM alpine\nCOPY app /app\n")
    return {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_unknown_variable_deciding_the_dockerfile_exits_3(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """FLAVOR is set nowhere and picks the Dockerfile: exit 3 at the build's line, naming the
    variable and the --set that resolves it; nothing is written."""
    before = _bad_project(tmp_path)
    assert cli_run([str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "build.sh:4:" in err and "FLAVOR" in err and "--set FLAVOR=" in err
    assert {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_set_resolves_the_deciding_variable(tmp_path: Path) -> None:
    """With --set FLAVOR=alpine the same project migrates."""
    _bad_project(tmp_path)
    assert cli_run(["--set", "FLAVOR=alpine", str(tmp_path)]) == 0
    assert "COPY --from=" in (tmp_path / "Dockerfile").read_text()


def test_set_beats_the_scripts_own_assignment() -> None:
    """`--set DOCKERFILE=...` is what the script sees even where it assigns DOCKERFILE, as
    `make NAME=VALUE` beats the Makefile's assignment."""
    text = 'DOCKERFILE=Dockerfile.dev\ndocker build -f "$DOCKERFILE" .\n'
    assert one(text, ctx=context({}, DOCKERFILE="Dockerfile.prod"))[3] == "Dockerfile.prod"


def test_an_argument_that_picks_the_branch_keeps_both() -> None:
    """`[ "$1" = release ]` on the entry point's unknown argument: both branches are read and
    the Dockerfile it decides is unknown, named by its variable."""
    (build,) = [c for c in run(BAD) if c.words()[:2] == ("docker", "build")][:1]
    assert build.argv[5].value == "${DOCKERFILE}" and not build.argv[5].known


# ---------------------------------------------------------------- functions' output


def test_a_functions_output_is_its_echo() -> None:
    """`$(image api)` is what the function echoes; one that runs `git` stays unknown."""
    text = ('REG=quay.io/acme\nTAG=1.4\nimage() { echo "${REG}/$1:${TAG}"; }\n'
            'version() { git describe --tags; }\n'
            'docker build -t "$(image api)" -t "api:$(version)" .\n')
    (cmd,) = [c for c in run(text) if c.name == "docker"]
    assert cmd.argv[3].value == "quay.io/acme/api:1.4" and cmd.argv[3].known
    assert cmd.argv[5].value == "api:$(version)" and not cmd.argv[5].known


def test_a_container_id_captured_through_a_function() -> None:
    """`CID=$(make_container)` whose function runs `docker create`: the create's id goes to
    CID, so a later `docker cp $CID:...` names the same container."""
    text = 'make_container() {\n  docker create app:build\n}\nCID=$(make_container)\n'
    (create,) = run(text)
    assert create.captured == "CID"


def test_read_and_getopts_make_their_variables_unknown() -> None:
    """Variables set from input (`read`, `getopts`) are unknown, not unset."""
    text = 'read -r TAG < VERSION\ndocker build -t "app:$TAG" .\n'
    (build,) = [c for c in run(text) if c.name == "docker"]
    assert build.argv[3].value == "app:${TAG}" and not build.argv[3].known


def test_bash_own_variables_have_the_fixed_machines_answers() -> None:
    """`$OSTYPE` is linux-gnu, so a macOS branch is not taken."""
    text = 'if [[ "$OSTYPE" == darwin* ]]; then docker pull mac; else docker pull linux; fi\n'
    assert argvs(text) == [["docker", "pull", "linux"]]


def test_docker_split_over_continuation_lines_and_wrappers() -> None:
    """`sudo -E docker \\` + options on the next lines is one docker command at its first line."""
    text = "sudo -E \\\n  docker \\\n  build \\\n  -t app .\nexec time docker push app\n"
    cmds = run(text)
    assert [c.words() for c in cmds] == [("docker", "build", "-t", "app", "."),
                                         ("docker", "push", "app")]
    assert cmds[0].loc == Loc("build.sh", 1)


def test_recursion_and_huge_loops_end() -> None:
    """A function that calls itself is followed a few levels and warned about; reading always
    ends."""
    script = read_shell("build.sh", 'f() { f "$1"; docker build .; }\nf x\n')
    assert script.commands and any("calls itself" in p.message for p in script.problems)


def test_an_unknown_copied_into_a_variable_is_named_by_it() -> None:
    """`TAG=$1` with no argument given is `${TAG}` (so a message can say --set TAG=...), but a
    function's `IMAGE=$1` keeps what its caller passed (so it still names the caller's image)."""
    text = ('TAG=$1\nf() { IMAGE=$1; docker run "$IMAGE"; }\nB=$(git describe)\n'
            'docker build -t "app:$B" .\nf "app:$B"\necho "$TAG"\n')
    cmds = run(text)
    run_ = next(c for c in cmds if c.words()[:2] == ("docker", "run"))
    assert run_.argv[2].value == "app:${B}"
    assert next(c for c in cmds if c.name == "echo").argv[1].value == "${TAG}"


def test_file_tests_and_cat_read_the_project() -> None:
    """`[ -f docker/Dockerfile.local ]` is decided by the project's files; `$(cat VERSION)` of a
    project file is its one line; `git rev-parse --show-toplevel` is the project root."""
    files = {"VERSION": "2.1.0\n", "docker/Dockerfile": "FROM scratch\n"}
    text = ('ROOT=$(git rev-parse --show-toplevel)\ncd "$ROOT/docker"\n'
            'DF=Dockerfile\n[ -f Dockerfile.local ] && DF=Dockerfile.local\n'
            'if [ -d ../docker ]; then docker build -f "$DF" -t "app:$(cat ../VERSION)" ..; fi\n')
    (cmd,) = [c for c in run(text, ctx=context(files)) if c.name == "docker"]
    assert cmd.words() == ("docker", "build", "-f", "Dockerfile", "-t", "app:2.1.0", "..")
    assert cmd.cwd == f"{PROJECT}/docker" and not cmd.conditional


def test_the_script_dir_idioms_with_options() -> None:
    """`$( cd -- "$( dirname -- "${BASH_SOURCE[0]}" )" &> /dev/null && pwd )` and
    `cd ...; pwd -P` are the script's directory."""
    for form in ('"$( cd -- "$( dirname -- "${BASH_SOURCE[0]}" )" &> /dev/null && pwd )"',
                 '"$(cd "$(dirname "$0")"; pwd -P)"'):
        (cmd,) = [c for c in read_shell("tools/b.sh", f'D={form}\necho "$D"\n').commands
                  if c.name == "echo"]
        assert cmd.argv[1].value == f"{PROJECT}/tools", form


@pytest.mark.parametrize(("text", "words"), [
    ("x=1\nunset x\necho ${x-gone}\n", ("echo", "gone")),
    ("echo $'a\\tb' $'it\\'s'\n", ("echo", "a\tb", "it's")),
    ("echo ~/x ~root\n", ("echo", "${HOME}/x", "~root")),
    ("a=(x y z)\necho ${a[-1]} ${a[1]}\n", ("echo", "z", "y")),
])
def test_quoting_unset_and_indexes(text: str, words: tuple[str, ...]) -> None:
    """`unset`, ANSI-C `$'...'`, `~` only before `/`, negative array indexes: as bash reads
    them."""
    (cmd,) = run(text)
    assert cmd.words() == words


@pytest.mark.parametrize(("text", "args"), [
    # `if $CLEAN_BUILD`: the variable's value is the command run as the condition.
    ('C=false\nN=""\nif $C; then N=--no-cache; fi\ndocker build $N -t a .\n',
     ["-t", "a", "."]),
    ('C=true\nN=""\nif $C; then N=--no-cache; fi\ndocker build $N -t a .\n',
     ["--no-cache", "-t", "a", "."]),
    # `[ -t 0 ]`: a build runs without a terminal, so `-it` is not added.
    ("A=(--rm)\nif [ -t 0 ]; then A+=(-it); fi\ndocker run \"${A[@]}\" img\n",
     ["--rm", "img"]),
    # An element with text of its own stays one element when its variable is unknown.
    ("A=(--rm -v $PWD/o:/o -e N=$UNSET_N)\ndocker run \"${A[@]}\" img\n",
     ["--rm", "-v", f"{PROJECT}/o:/o", "-e", "N=${UNSET_N}", "img"]),
])
def test_conditions_and_arrays_as_build_scripts_write_them(text: str, args: list[str]) -> None:
    assert one(text)[2:] == args


def test_an_array_with_a_lone_unknown_element_is_unknown() -> None:
    """`A=(--rm $EXTRA)`: $EXTRA may be any number of words, so `${A[@]}` is not known."""
    (cmd,) = run("A=(--rm $EXTRA)\ndocker run \"${A[@]}\" img\n")
    assert not cmd.argv[2].known


@pytest.mark.parametrize("inner", ["docker create app-build", "docker run -d app-build sleep 1"])
def test_a_container_made_inside_another_commands_words_is_recorded(inner: str) -> None:
    """`docker cp "$(docker create app-build)":/app ./app`: the create runs first (recorded,
    its output captured) and the cp names the container it made."""
    create, cp = [c for c in run(f'docker cp "$({inner})":/app ./app\n') if c.name == "docker"]
    assert create.words()[:2] == tuple(inner.split()[:2]) and create.captured
    assert cp.argv[2].value == "${" + create.captured + "}:/app"
