"""The shell reader: a build script becomes the simple commands it runs, in order.

Each command carries its evaluated words, the working directory it runs in (absolute under the
project sentinel), the function calls it was reached through and its line in the script.
"""

from __future__ import annotations

import pytest

from migrator.model import PROJECT, Command, Loc, Severity, Unsupported
from migrator.readers.shell import read_shell


def commands(text: str) -> tuple[Command, ...]:
    return read_shell("build.sh", text).commands


def argv(cmd: Command) -> list[str]:
    return [w.value for w in cmd.argv]


def only(text: str, name: str) -> Command:
    found = [c for c in commands(text) if c.name == name]
    assert len(found) == 1, [argv(c) for c in commands(text)]
    return found[0]


def parse_error(text: str) -> Loc | None:
    with pytest.raises(Unsupported) as caught:
        read_shell("build.sh", text)
    return caught.value.problem.loc


# ---------------------------------------------------------------- the seed's broken continuation

SEED = (
    "#!/bin/sh\n"
    "echo Building alexellis2/href-counter:build\n"
    "\n"
    "docker build --build-arg https_proxy=$https_proxy --build-arg http_proxy=$http_proxy \\  \n"
    "    -t alexellis2/href-counter:build . -f Dockerfile.build\n"
    "\n"
    "docker container create --name extract alexellis2/href-counter:build  \n"
)


def test_backslash_then_spaces_continues_the_command() -> None:
    """A `\\` followed by two spaces and a newline joins the next line into the same command."""
    echo, build, create = commands(SEED)
    assert argv(build) == [
        "docker", "build",
        "--build-arg", "https_proxy=${https_proxy}",
        "--build-arg", "http_proxy=${http_proxy}",
        "-t", "alexellis2/href-counter:build", ".", "-f", "Dockerfile.build",
    ]
    assert build.loc == Loc("build.sh", 4)
    assert argv(echo)[0] == "echo"
    assert argv(create)[:3] == ["docker", "container", "create"]


def test_backslash_then_spaces_warns_at_its_line() -> None:
    """The broken continuation is reported once, as a warning, at the line with the backslash."""
    problems = read_shell("build.sh", SEED).problems
    assert len(problems) == 1
    assert problems[0].severity is Severity.WARNING
    assert problems[0].loc == Loc("build.sh", 4)
    assert "backslash" in problems[0].message


def test_backslash_then_spaces_continues_into_a_list() -> None:
    """The joined line may go on with `&&`: the options still belong to the first command."""
    text = ("docker build . \\  \n"
            "    -t x -f Dockerfile.build && docker create --name c x\n")
    assert [argv(c) for c in commands(text)] == [
        ["docker", "build", ".", "-t", "x", "-f", "Dockerfile.build"],
        ["docker", "create", "--name", "c", "x"],
    ]


# ---------------------------------------------------------------- variables


def test_assigned_variable_is_substituted() -> None:
    """A variable set in the script has its value where it is used."""
    cmd = only("IMAGE=acme/app\ndocker build -t $IMAGE:build .\n", "docker")
    assert argv(cmd) == ["docker", "build", "-t", "acme/app:build", "."]
    assert all(w.known for w in cmd.argv)


def test_word_keeps_its_source_text() -> None:
    """Each word keeps its raw source text beside its value."""
    cmd = only('IMAGE=acme/app\ndocker build -t "$IMAGE" .\n', "docker")
    assert [w.raw for w in cmd.argv] == ["docker", "build", "-t", '"$IMAGE"', "."]


def test_default_applies_when_unset() -> None:
    """`${X:-default}` means the default when the script does not set X."""
    assert argv(only('echo "${VERSION:-1.0.3}"\n', "echo")) == ["echo", "1.0.3"]


def test_default_yields_to_a_set_value() -> None:
    """`${X:-default}` means X's value when the script sets it."""
    assert argv(only("VERSION=2.0\necho ${VERSION:-1.0.3}\n", "echo")) == ["echo", "2.0"]


def test_unknown_environment_variable_stays_symbolic() -> None:
    """A variable the script never sets is kept as `${NAME}`, quoted or not, and marked unknown."""
    cmd = only('echo $TAG "${TAG}" x-$TAG\n', "echo")
    assert argv(cmd) == ["echo", "${TAG}", "${TAG}", "x-${TAG}"]
    assert [w.known for w in cmd.argv] == [True, False, False, False]


def test_unquoted_variable_with_spaces_splits_into_fields() -> None:
    """An unquoted `$VAR` holding spaces becomes several words; a quoted one stays one word."""
    cmd = only('FLAGS="--pull  --no-cache"\ndocker build $FLAGS "$FLAGS" .\n', "docker")
    assert argv(cmd) == ["docker", "build", "--pull", "--no-cache", "--pull  --no-cache", "."]
    assert [w.split for w in cmd.argv] == [False, False, True, True, False, False]


def test_prefix_assignment_is_for_that_command_only() -> None:
    """`A=1 cmd` gives A to cmd alone; the script's own A stays unset."""
    build, echo = commands("DOCKER_BUILDKIT=1 docker build .\necho $DOCKER_BUILDKIT\n")
    assert argv(build) == ["docker", "build", "."]
    assert build.env == (("DOCKER_BUILDKIT", "1"),)
    assert argv(echo) == ["echo", "${DOCKER_BUILDKIT}"]


# ---------------------------------------------------------------- working directory


def test_commands_start_in_the_project_root() -> None:
    """A script's first command runs in the project root."""
    assert only("docker build .\n", "docker").cwd == PROJECT


def test_cd_changes_the_working_directory() -> None:
    """`cd sub` moves every later command into sub; `cd ..` moves back."""
    first, second = commands("cd sub/dir\ntouch a\ncd ..\ntouch b\n")
    assert first.cwd == f"{PROJECT}/sub/dir"
    assert second.cwd == f"{PROJECT}/sub"


def test_cd_in_a_subshell_does_not_leak() -> None:
    """`( cd a && ... )` changes the directory inside the parentheses only."""
    inside, after = commands("( cd a && make )\ndocker build .\n")
    assert inside.cwd == f"{PROJECT}/a"
    assert after.cwd == PROJECT


def test_script_directory_and_pwd_name_the_working_directory() -> None:
    """`"$(dirname "$0")"` is the script's directory; `$(pwd)` and `$PWD` the current one."""
    text = 'cd "$(dirname "$0")"\ncd sub\necho "$(dirname "$0")" "$(pwd)" $PWD\n'
    cmd = only(text, "echo")
    assert cmd.cwd == f"{PROJECT}/sub"
    assert argv(cmd) == ["echo", PROJECT, f"{PROJECT}/sub", f"{PROJECT}/sub"]
    assert all(w.known for w in cmd.argv)


def test_cd_to_the_script_directory_stays_in_the_root() -> None:
    """`cd "$(dirname "$0")"` in a root-level script keeps commands in the project root."""
    assert only('cd "$(dirname "$0")"\ndocker build .\n', "docker").cwd == PROJECT


def test_cd_to_the_absolute_script_directory() -> None:
    """The `cd "$(cd "$(dirname "$0")" && pwd)"` idiom names the script's directory too."""
    text = 'cd "$(cd "$(dirname "$0")" && pwd)"\ndocker build .\n'
    assert only(text, "docker").cwd == PROJECT


def test_variable_holding_pwd_is_known() -> None:
    """`OUT=$(pwd)/out` keeps the directory it was set in, even after a later `cd`."""
    cmd = only("OUT=$(pwd)/out\ncd sub\necho $OUT\n", "echo")
    assert argv(cmd) == ["echo", f"{PROJECT}/out"]


# ---------------------------------------------------------------- functions


FUNCTION = (
    "build() {\n"
    '    docker build -f "$1" -t "$2" .\n'
    "}\n"
    "\n"
    "build Dockerfile.build app:build\n"
)


def test_function_arguments_bind_positional_parameters() -> None:
    """A function called with arguments sees them as `$1`, `$2`."""
    cmd = only(FUNCTION, "docker")
    assert argv(cmd) == ["docker", "build", "-f", "Dockerfile.build", "-t", "app:build", "."]


def test_command_in_a_function_records_its_call_site() -> None:
    """A command inside a function is at its own line and lists the line that called it."""
    cmd = only(FUNCTION, "docker")
    assert cmd.loc == Loc("build.sh", 2)
    assert [c.loc for c in cmd.calls] == [Loc("build.sh", 5)]
    assert argv(cmd.calls[0]) == ["build", "Dockerfile.build", "app:build"]


def test_nested_calls_are_listed_outermost_first() -> None:
    """A command reached through two functions lists the outer call site first."""
    text = ('inner() { docker cp "$1" "$2"; }\n'
            'outer() { inner "$1:/out" "$2"; }\n'
            "outer c dest\n")
    cmd = only(text, "docker")
    assert argv(cmd) == ["docker", "cp", "c:/out", "dest"]
    assert [c.loc.line for c in cmd.calls] == [3, 2]


def test_quoted_all_arguments_keeps_each_argument() -> None:
    """`"$@"` passes each argument of a wrapper function as a word of its own."""
    text = 'd() {\n    docker "$@"\n}\nd build -t "my app" .\n'
    assert argv(only(text, "docker")) == ["docker", "build", "-t", "my app", "."]


def test_local_variable_does_not_outlive_its_function() -> None:
    """A `local` set inside a function leaves the caller's variable of that name alone."""
    text = "X=outer\nf() {\n    local X=inner\n    echo $X\n}\nf\necho $X\n"
    inside, after = commands(text)
    assert argv(inside) == ["echo", "inner"]
    assert argv(after) == ["echo", "outer"]


def test_function_definition_is_not_a_command() -> None:
    """Defining a function runs nothing; the definition is listed with its span."""
    script = read_shell("build.sh", "build() {\n    docker build .\n}\n")
    assert script.commands == ()
    assert [name for name, _ in script.functions] == ["build"]


# ---------------------------------------------------------------- captured output and wrappers


def test_captured_output_names_its_variable() -> None:
    """`CID=$(docker create img)` is a docker command whose output goes to CID."""
    create, cp = commands("CID=$(docker create img)\ndocker cp $CID:/app ./app\n")
    assert argv(create) == ["docker", "create", "img"]
    assert create.captured == "CID"
    assert create.loc == Loc("build.sh", 1)
    assert argv(cp) == ["docker", "cp", "${CID}:/app", "./app"]
    assert cp.captured is None


def test_sudo_is_stripped() -> None:
    """`sudo docker ...` and `sudo -E -u root docker ...` are read as the docker command."""
    plain, with_options = commands("sudo docker build .\nsudo -E -u root docker ps\n")
    assert argv(plain) == ["docker", "build", "."]
    assert argv(with_options) == ["docker", "ps"]


def test_env_wrapper_is_stripped() -> None:
    """`env A=B docker ...` is read as the docker command."""
    assert argv(only("env A=B docker images\n", "docker")) == ["docker", "images"]


# ---------------------------------------------------------------- heredocs


def test_heredoc_body_is_not_read_as_commands() -> None:
    """Lines inside `cat <<EOF > f ... EOF` are data, not commands."""
    text = "cat <<EOF > f\ndocker build .\nrm -rf /\nEOF\necho done\n"
    cat, echo = commands(text)
    assert argv(cat) == ["cat"]
    assert [(r.op, r.target.value if r.target else None) for r in cat.redirects] == [
        ("<<", "EOF"), (">", "f"),
    ]
    assert argv(echo) == ["echo", "done"]
    assert echo.loc == Loc("build.sh", 5)


def test_tab_stripped_heredoc_body_is_not_read_as_commands() -> None:
    """`<<-EOF` ends at a tab-indented `EOF`; its body is data."""
    text = "cat <<-EOF > f\n\tdocker build .\n\tEOF\necho done\n"
    assert [argv(c) for c in commands(text)] == [["cat"], ["echo", "done"]]


def test_quoted_heredoc_delimiter_ends_at_the_bare_word() -> None:
    """`<<'EOF'` ends at a line `EOF` (the quotes only turn off expansion)."""
    text = "cat <<'EOF' > f\n$HOME\nEOF\necho done\n"
    assert [argv(c) for c in commands(text)] == [["cat"], ["echo", "done"]]


# ---------------------------------------------------------------- conditional commands


def test_command_after_or_is_conditional() -> None:
    """The right side of `||` may not run (the `[ ]` test itself is no command to migrate)."""
    mkdir, build = commands("test -d out || mkdir out\ndocker build .\n")[-2:]
    assert mkdir.conditional
    assert not build.conditional


def test_command_after_and_is_not_conditional() -> None:
    """The right side of `&&` runs whenever the script goes on."""
    _, build = commands("mkdir -p out && docker build .\n")
    assert not build.conditional


def test_command_after_an_or_list_on_the_same_line_is_not_conditional() -> None:
    """`a || b; c` runs c whatever a did."""
    build = commands("[ -d out ] || mkdir out; docker build .\n")[-1]
    assert argv(build) == ["docker", "build", "."]
    assert not build.conditional


def test_commands_inside_if_are_conditional() -> None:
    """A command inside `if ... fi` on an unknown condition may not run; the one after `fi`
    does."""
    text = 'if [ -n "$1" ]; then\n    docker push app\nfi\ndocker build .\n'
    cmds = commands(text)
    push = next(c for c in cmds if argv(c)[:2] == ["docker", "push"])
    build = next(c for c in cmds if argv(c)[:2] == ["docker", "build"])
    assert push.conditional
    assert not build.conditional


def test_pipeline_members_share_a_pipe() -> None:
    """Commands joined by `|` carry the same pipeline id and their positions in it."""
    run, tar = commands("docker run img tar -c /out | tar -x\n")
    assert run.pipe is not None and tar.pipe is not None
    assert run.pipe[0] == tar.pipe[0]
    assert (run.pipe[1], tar.pipe[1]) == (0, 1)


# ---------------------------------------------------------------- bad input


def test_unparseable_script_is_unsupported_with_its_line() -> None:
    """A syntax error raises Unsupported naming the file and the line of the bad token."""
    assert parse_error("echo 1\ndocker build . )\necho 3\n") == Loc("build.sh", 2)


def test_unexpected_keyword_is_reported_at_its_line() -> None:
    """A stray `fi` is reported at its own line, as `bash -n` does."""
    assert parse_error("echo 1\necho 2\nfi\necho 4\n") == Loc("build.sh", 3)


def test_unfinished_command_is_reported_at_the_end() -> None:
    """A script that ends inside a command is reported at that command or at the end of file."""
    text = "".join(f"echo line {n}\n" for n in range(1, 40)) + "docker build . &&\n"
    loc = parse_error(text)
    assert loc is not None
    assert loc.path == "build.sh"
    assert loc.line in (40, 41)


def test_error_inside_command_substitution_is_reported_at_its_line() -> None:
    """A stray `fi` inside `$(...)` on line 3 is reported at line 3, as `bash -n` does."""
    loc = parse_error('echo 1\necho 2\necho "$(a; fi)"\n')
    assert loc == Loc("build.sh", 3)


def test_command_substitution_with_and_list_is_read() -> None:
    """`$(a && b)` inside a word is a valid substitution, kept as an unknown value."""
    text = 'VERSION="$(git describe 2>/dev/null || echo dev)"\ndocker build -t app:$VERSION .\n'
    build = only(text, "docker")
    assert argv(build)[:3] == ["docker", "build", "-t"]
    assert not build.argv[3].known


# ---------------------------------------------------------------- constructs real scripts use


def test_case_arms_are_read_as_conditional_commands() -> None:
    """`case` is read: each arm's commands, conditional, in order."""
    script = read_shell("build.sh", 'case "$1" in\n  push) docker push y;;\n'
                                    '  build|b) docker build -t x .;;\n  *) echo no;;\nesac\n'
                                    "echo after\n")
    got = [(c.words(), c.conditional, c.loc.line) for c in script.commands]
    assert got == [
        (("docker", "push", "y"), True, 2),
        (("docker", "build", "-t", "x", "."), True, 3),
        (("echo", "no"), True, 4),
        (("echo", "after"), False, 6),
    ]


def test_double_bracket_tests_and_arithmetic_are_read_around() -> None:
    """`[[ ... ]]`, `$(( ... ))` and `(( ... ))` do not stop the reading; arithmetic values are
    unknown and spans still point at the original text."""
    text = 'if [[ -n "$1" && $2 == y* ]]; then echo ci; fi\nN=$((1+2))\n((N++))\necho "$N"\n'
    script = read_shell("build.sh", text)
    echo_ci, echo_n = script.commands
    assert echo_ci.words() == ("echo", "ci") and echo_ci.conditional
    assert echo_n.argv[1].raw == '"$N"' and not echo_n.argv[1].known
    assert text[echo_n.span.start : echo_n.span.end] == 'echo "$N"'


def test_an_array_gives_its_elements() -> None:
    """`"${a[@]}"` is one word per element, `$a` and `${a[0]}` the first, `${#a[@]}` the count."""
    script = read_shell("build.sh", 'args=(--no-cache -t "x y")\n'
                                    'echo "${args[@]}" $args "${args[2]}" ${#args[@]}\n')
    (echo,) = script.commands
    assert argv(echo) == ["echo", "--no-cache", "-t", "x y", "--no-cache", "x y", "3"]
    assert all(w.known for w in echo.argv)


def test_crlf_line_endings_are_read() -> None:
    """A script with CRLF line endings is read; words carry no carriage return."""
    script = read_shell("build.sh", "docker build -t x .\r\necho done\r\n")
    assert [c.words() for c in script.commands] == [("docker", "build", "-t", "x", "."),
                                                      ("echo", "done")]
