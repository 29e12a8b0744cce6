"""The Makefile evaluator: every construct GNU make reads before it runs a recipe.

Each test is a small Makefile in the style of public projects; the commands a goal yields (or
the values the Makefile gives) are what GNU make would give, with nothing executed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.model import PROJECT, Unsupported
from migrator.readers.make import Makefile, parse_makefile, read_make

CASE_MAKEFILE = Path(__file__).parent / "cases" / "make-arch-include" / "input" / "Makefile"


def mk(text: str, **kw: object) -> Makefile:
    return parse_makefile("Makefile", text, **kw)  # type: ignore[arg-type]


def value(text: str, name: str, **kw: object) -> str:
    m = mk(text + f"\n__probe__:\n\t@echo $({name})\n", **kw)
    (cmd,) = read_make(m, "__probe__").commands
    return " ".join(w.value for w in cmd.argv[1:])


def argvs(text: str, target: str, **kw: object) -> list[list[str]]:
    return [[w.value for w in c.argv] for c in read_make(mk(text, **kw), target).commands]


# ---------------------------------------------------------------- assignments


def test_immediate_assignment_forms() -> None:
    """`:=` and `::=` expand at once; later changes to what they used do not show."""
    assert value("A = 1\nB := $(A)\nC ::= $(A)\nA = 2\n", "B") == "1"
    assert value("A = 1\nB := $(A)\nC ::= $(A)\nA = 2\n", "C") == "1"


def test_assignment_without_blanks() -> None:
    """`ARCH?=amd64` with no blanks is a conditional assignment, as `ARCH ?= amd64`."""
    assert value("ARCH?=amd64\nARCH?=arm\n", "ARCH") == "amd64"


def test_shell_assignment_is_never_run() -> None:
    """`!=` runs nothing: the value is unknown and named by its variable."""
    assert value("REV != git rev-parse HEAD\n", "REV") == "${REV}"


def test_command_line_variable_wins_over_the_file() -> None:
    """`make ARCH=arm64` (or --set) beats `ARCH := amd64` and `ARCH += x`."""
    text = "ARCH := amd64\nARCH += x\n"
    assert value(text, "ARCH", overrides={"ARCH": "arm64"}) == "arm64"


def test_override_beats_the_command_line() -> None:
    """`override CFLAGS += -O2` appends even to a command-line value."""
    assert value("override CFLAGS += -O2\n", "CFLAGS", overrides={"CFLAGS": "-g"}) == "-g -O2"


def test_export_and_unexport_are_assignments_too() -> None:
    """`export VAR := x` sets the variable; `unexport` only stops passing it on."""
    m = mk("export GO111MODULE := on\nunexport GO111MODULE\n")
    assert m.variables["GO111MODULE"] == "on"
    assert not m.ev.vars["GO111MODULE"].export


def test_define_holds_several_lines() -> None:
    """`define ... endef` keeps the newlines of its body."""
    assert mk("define BANNER\nline one\nline two\nendef\n").variables["BANNER"] == \
        "line one\nline two"


def test_environment_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """An undefined variable stays symbolic even if the environment has it."""
    monkeypatch.setenv("REGISTRY", "from-env")
    assert value("IMG = $(REGISTRY)/app\n", "IMG") == "${REGISTRY}/app"


# ---------------------------------------------------------------- conditionals

COND = (
    "ARCH ?= amd64\n"
    "ifeq ($(ARCH),arm64)\n"
    "  BASE := arm64v8/alpine\n"
    "else ifeq ($(ARCH),amd64)\n"
    "  BASE := alpine\n"
    "else\n"
    "  $(error unsupported ARCH $(ARCH))\n"
    "endif\n"
)


def test_ifeq_takes_the_arm_that_applies() -> None:
    """An else-if chain: the arm whose condition holds, not the first arm."""
    assert value(COND, "BASE") == "alpine"
    assert value(COND, "BASE", overrides={"ARCH": "arm64"}) == "arm64v8/alpine"


def test_error_in_the_arm_taken_stops_the_reading() -> None:
    """`$(error ...)` is exit 3 with its line, but only when make reaches it."""
    with pytest.raises(Unsupported, match="unsupported ARCH ppc64le") as exc:
        mk(COND, overrides={"ARCH": "ppc64le"})
    assert str(exc.value.problem.loc) == "Makefile:7"


def test_ifdef_and_ifndef() -> None:
    """`ifdef` is true for a variable with a non-empty value; `ifndef` the opposite."""
    text = "EMPTY =\nSET = 1\nifdef EMPTY\nA = wrong\nendif\nifndef EMPTY\nA = right\nendif\n" \
           "ifdef SET\nB = yes\nendif\n"
    assert value(text, "A") == "right"
    assert value(text, "B") == "yes"


def test_quoted_ifneq_and_warning_with_parentheses() -> None:
    """`ifneq "a" "b"` and a `$(warning ...)` holding `(s)` and quotes are read."""
    text = ('DBG ?=\nifneq "$(DBG)" ""\n  $(warning goal(s) "$(MAKECMDGOALS)")\n'
            "else\n  Q = @\nendif\n")
    assert value(text, "Q") == "@"


def test_undefined_variable_in_a_condition_is_empty() -> None:
    """A condition on a variable nothing sets reads it empty, as make does with a clean env."""
    assert value("ifeq ($(CI),true)\nX = ci\nelse\nX = local\nendif\n", "X") == "local"


def test_unknown_value_deciding_rules_stops_with_the_set() -> None:
    """An unknown value choosing between recipes is exit 3 naming the variable and --set."""
    text = "OS := $(shell sw_vers)\nifeq ($(OS),)\nimage:\n\tdocker build .\nendif\n"
    with pytest.raises(Unsupported, match=r"OS decides .* give --set OS=\.\.\."):
        mk(text)


def test_tab_indented_assignment_in_a_conditional() -> None:
    """Outside a rule, a tab-indented `CGO_ENABLED=1` is an assignment, not a recipe line."""
    text = "ARCH ?= amd64\nifeq ($(ARCH),amd64)\n\tCGO_ENABLED=1\nelse\n\tCGO_ENABLED=0\nendif\n"
    assert value(text, "CGO_ENABLED") == "1"


def test_conditional_inside_a_recipe_chooses_recipe_lines() -> None:
    """A conditional between recipe lines keeps or drops the lines it holds."""
    text = "ARCH ?= amd64\nimage:\n\techo one\nifeq ($(ARCH),amd64)\n\techo two\nendif\n"
    assert argvs(text, "image") == [["echo", "one"], ["echo", "two"]]
    assert argvs(text, "image", overrides={"ARCH": "arm"}) == [["echo", "one"]]


# ---------------------------------------------------------------- functions

FUNCS = [
    ("$(subst _, ,linux_amd64)", "linux amd64"),
    ("$(patsubst %.c,%.o,a.c b.c c.h)", "a.o b.o c.h"),
    ("$(strip   a   b  )", "a b"),
    ("$(findstring amd,x86_amd64)", "amd"),
    ("$(filter %.go,a.go b.c c.go)", "a.go c.go"),
    ("$(filter-out %.go,a.go b.c)", "b.c"),
    ("$(sort b a c a)", "a b c"),
    ("$(word 2,a b c)", "b"),
    ("$(words a b c)", "3"),
    ("$(wordlist 2,3,a b c d)", "b c"),
    ("$(firstword a b)", "a"),
    ("$(lastword a b)", "b"),
    ("$(dir cmd/app/main.go x)", "cmd/app/ ./"),
    ("$(notdir cmd/app/main.go)", "main.go"),
    ("$(suffix a.tar.gz b)", ".gz"),
    ("$(basename a.tar.gz)", "a.tar"),
    ("$(addsuffix .o,a b)", "a.o b.o"),
    ("$(addprefix build-,linux darwin)", "build-linux build-darwin"),
    ("$(join a b,1 2)", "a1 b2"),
    ("$(if ,yes,no)", "no"),
    ("$(or ,,x)", "x"),
    ("$(and a,b)", "b"),
    ("$(foreach p,linux/amd64 linux/arm,$(subst /,_,$(p)))", "linux_amd64 linux_arm"),
    ("$(abspath bin/../out)", f"{PROJECT}/out"),
    ("$(origin CURDIR) $(origin NOPE)", "default undefined"),
]


@pytest.mark.parametrize(("expr", "expected"), FUNCS)
def test_text_functions(expr: str, expected: str) -> None:
    """Each built-in function gives what GNU make gives."""
    assert value(f"X := {expr}\n", "X") == expected


def test_call_with_arguments() -> None:
    """`$(call f,a,b)` expands f with $(1) and $(2); a missing argument is empty."""
    assert value("img = $(1)/$(2)$(3)\nX := $(call img,quay.io,app)\n", "X") == "quay.io/app"


def test_value_and_flavor() -> None:
    """`$(value V)` is V unexpanded; `$(flavor V)` says how it was set."""
    text = "A = $(B)\nC := 1\nX := $(value A) $(flavor A) $(flavor C)\n"
    assert value(text, "X") == "$(B) recursive simple"


def test_substitution_reference() -> None:
    """`$(SRCS:.c=.o)` and `$(SRCS:%.c=build/%.o)`."""
    assert value("SRCS = a.c b.c\nX := $(SRCS:.c=.o) $(SRCS:%.c=build/%.o)\n", "X") == \
        "a.o b.o build/a.o build/b.o"


def test_wildcard_uses_the_project_files() -> None:
    """`$(wildcard ...)` matches the project's file list, nothing on the disk."""
    files = frozenset({"cmd/a/main.go", "cmd/b/main.go", "README.md"})
    assert value("X := $(wildcard cmd/*/main.go)\n", "X", files=files) == \
        "cmd/a/main.go cmd/b/main.go"


def test_well_known_shell_commands_have_fixed_answers() -> None:
    """`uname -m`, `go env GOARCH`, `id -u` are not run; they read as a linux/amd64 host,
    and the reading says so."""
    m = mk("A := $(shell uname -m) $(shell GOTOOLCHAIN=local go env GOARCH) $(shell id -u)\n")
    assert m.variables["A"] == "x86_64 amd64 0"
    assert any("uname -m" in p.message and "not run" in p.message for p in m.problems)


def test_make_and_curdir_and_makefile_list() -> None:
    """`$(MAKE)` is make, `$(CURDIR)` the directory it runs in, MAKEFILE_LIST the files read."""
    assert value("X := $(MAKE) $(CURDIR) $(MAKEFILE_LIST)\n", "X") == \
        f"make {PROJECT} Makefile"


# ---------------------------------------------------------------- eval and rules


def test_eval_generates_rules_and_variables() -> None:
    """`$(foreach ...,$(eval $(call ...)))` defines a rule per item, with its recipe."""
    text = (
        "BINS := api worker\n"
        "define BIN_RULE\n"
        "build-$(1):\n"
        "\tgo build -o bin/$(1) ./cmd/$(1)\n"
        "endef\n"
        "$(foreach b,$(BINS),$(eval $(call BIN_RULE,$(b))))\n"
        "all: $(addprefix build-,$(BINS))\n"
    )
    assert argvs(text, "all") == [["go", "build", "-o", "bin/api", "./cmd/api"],
                                  ["go", "build", "-o", "bin/worker", "./cmd/worker"]]


def test_pattern_rule_automatic_variables() -> None:
    """`image-%:` with `$*`, `$@`, `$<` and `$^`."""
    text = "image-%: Dockerfile.% go.mod\n\tdocker build -f $< -t app:$* . # $@ $^\n"
    assert argvs(text, "image-arm64") == [["docker", "build", "-f", "Dockerfile.arm64", "-t",
                                           "app:arm64", "."]]


def test_static_pattern_rule() -> None:
    """`$(BINS): bin/%: cmd/%/main.go` gives each target its own stem."""
    text = "BINS = bin/a bin/b\n$(BINS): bin/%: cmd/%/main.go\n\tgo build -o $@ ./cmd/$*\n"
    assert argvs(text, "bin/b") == [["go", "build", "-o", "bin/b", "./cmd/b"]]


def test_target_specific_variable_reaches_prerequisites() -> None:
    """`release: TAG = v1` holds in release's recipe and in its prerequisites' recipes."""
    text = "TAG = dev\nrelease: TAG = v1\nrelease: image\n\techo $(TAG)\nimage:\n\techo $(TAG)\n"
    assert argvs(text, "release") == [["echo", "v1"], ["echo", "v1"]]
    assert argvs(text, "image") == [["echo", "dev"]]


def test_pattern_specific_variable() -> None:
    """`%-arm64: ARCH = arm64` applies to every target the pattern matches."""
    text = "ARCH = amd64\n%-arm64: ARCH = arm64\nimage-arm64:\n\techo $(ARCH)\n"
    assert argvs(text, "image-arm64") == [["echo", "arm64"]]


def test_double_colon_rules_each_run() -> None:
    """Every `clean::` rule's recipe runs, in order."""
    assert argvs("clean::\n\trm -f a\nclean::\n\trm -f b\n", "clean") == [
        ["rm", "-f", "a"], ["rm", "-f", "b"]]


def test_default_goal_and_phony() -> None:
    """The default goal is the first target not starting with `.`; .DEFAULT_GOAL overrides."""
    m = mk(".PHONY: all image\nall: image\nimage:\n\ttrue\n")
    assert m.default_goal == "all"
    assert m.phony == frozenset({"all", "image"})
    assert mk("all:\n\ttrue\n.DEFAULT_GOAL := image\nimage:\n\ttrue\n").default_goal == "image"


def test_oneshell_recipe_is_one_script() -> None:
    """Under `.ONESHELL` a `cd` on one recipe line holds for the next."""
    (pwd,) = read_make(mk(".ONESHELL:\nx:\n\tcd sub\n\tpwd\n"), "x").commands
    assert pwd.cwd == f"{PROJECT}/sub"
    (pwd,) = read_make(mk("x:\n\tcd sub\n\tpwd\n"), "x").commands
    assert pwd.cwd == PROJECT


def test_if_in_a_recipe_line() -> None:
    """`$(if $(V),--build-arg V=$(V))` in a recipe gives nothing when V is unset."""
    text = "image:\n\tdocker build $(if $(VERSION),--build-arg VERSION=$(VERSION)) -t app .\n"
    assert argvs(text, "image") == [["docker", "build", "-t", "app", "."]]


# ---------------------------------------------------------------- includes


def test_include_reads_the_project_file() -> None:
    """`include build/common.mk` reads it through the loader; `-include` of a missing file is
    fine; MAKEFILE_LIST lists both files."""
    files = {"build/common.mk": "IMAGE := app\n"}
    text = "include build/common.mk\n-include local.mk\nX := $(IMAGE) $(MAKEFILE_LIST)\n"
    assert value(text, "X", load=files.get) == "app Makefile build/common.mk"


def test_missing_include_is_an_error_with_its_line() -> None:
    """A plain `include` of a file the project lacks is exit 3 at its line."""
    with pytest.raises(Unsupported, match=r"missing\.mk: included file not found") as exc:
        mk("A = 1\ninclude missing.mk\n", load={}.get)
    assert str(exc.value.problem.loc) == "Makefile:2"


def test_cyclic_include_is_an_error_with_its_line() -> None:
    """`a.mk` including `Makefile` again is a cycle: exit 3 at the include line."""
    files = {"a.mk": "\ninclude Makefile\n", "Makefile": "include a.mk\n"}
    with pytest.raises(Unsupported, match=r"include cycle: Makefile -> a\.mk -> Makefile") as exc:
        mk("include a.mk\n", load=files.get)
    assert str(exc.value.problem.loc) == "a.mk:2"


def test_recipe_from_an_included_file_carries_its_file() -> None:
    """A rule from an included file gives commands located in that file."""
    files = {"docker.mk": "image:\n\tdocker build -t app .\n"}
    (cmd,) = read_make(mk("include docker.mk\n", load=files.get), "image").commands
    assert (str(cmd.loc), cmd.file) == ("docker.mk:2", "docker.mk")


def test_shell_answers_from_the_project_and_an_empty_environment() -> None:
    """`ls scripts` reads the project's file list, `echo ${OUT:-dir}` the default (the
    environment is never read), `uname -s | tr A-Z a-z` a linux host; others stay unknown."""
    files = frozenset({"scripts/build", "scripts/ci", "scripts/lib/x.sh", "Makefile"})
    text = ("T := $(shell ls scripts)\nO := $(shell echo $${OUT_D:-$(CURDIR)/builds})\n"
            "S := $(shell uname -s | tr A-Z a-z)\nU := $(shell curl -s example.com)\n")
    m = mk(text, files=files)
    assert m.variables["T"] == "build ci lib"
    assert m.variables["O"] == f"{PROJECT}/builds"
    assert m.variables["S"] == "linux"
    assert m.variables["U"] == "$(shell curl -s example.com)"


def test_make_that_only_prints_is_not_followed() -> None:
    """`$(MAKE) -pRrq -f Makefile :` (a help target listing rules) runs no recipe: it is not
    read as a recursive make."""
    from migrator.model import Command, Loc, Span, Word
    from migrator.readers.context import ReaderContext

    ctx = ReaderContext("/x", frozenset({"Makefile"}), lambda p: "")
    argv = tuple(Word(w, w, Span(0, 0)) for w in ["make", "-pRrq", "-f", "Makefile", ":"])
    assert ctx.call(Command(argv, Loc("Makefile", 1), Span(0, 0), Span(0, 0), PROJECT)) is None
    argv = tuple(Word(w, w, Span(0, 0)) for w in ["make", "-f", "Makefile", "all"])
    assert ctx.call(Command(argv, Loc("Makefile", 1), Span(0, 0), Span(0, 0), PROJECT))


# ---------------------------------------------------------------- bad input, whole runs


def _project(tmp_path: Path, makefile: str, **files: str) -> Path:
    case = Path(__file__).parent / "cases" / "make-arch-include" / "input"
    project = tmp_path / "p"
    shutil.copytree(case, project)
    (project / "Makefile").write_text(makefile)
    for name, text in files.items():
        (project / name).write_text(text)
    return project


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_unknown_arch_deciding_the_dockerfile_exits_3_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With no `ARCH ?=` default, `make image` cannot choose `Dockerfile.$(ARCH)`: exit 3 names
    ARCH, the line and the --set; with `--set ARCH=amd64` the same build migrates."""
    text = (CASE_MAKEFILE.read_text().replace("ARCH ?= amd64\n", "")
            .replace("ifeq ($(ARCH),amd64)", "ifeq ($(ARCH),)").replace("  $(error", "  #"))
    project = _project(tmp_path, text)
    before = _snapshot(project)
    assert run(["--entry", "make image", str(project)]) == 3
    err = capsys.readouterr().err
    assert "Makefile:17: error: ARCH decides the Dockerfile (Dockerfile.$(ARCH)) and has no " \
           "value; give --set ARCH=..." in err
    assert _snapshot(project) == before
    assert run(["--entry", "make image", "--set", "ARCH=amd64", str(project)]) == 0
    assert _snapshot(project) != before


def test_cyclic_include_exits_3_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`build/common.mk` including the Makefile again: exit 3 at the include line."""
    project = _project(tmp_path, CASE_MAKEFILE.read_text())
    (project / "build" / "common.mk").write_text("NAME := agent\ninclude Makefile\n")
    before = _snapshot(project)
    assert run([str(project)]) == 3
    assert "build/common.mk:2: error: include cycle: Makefile -> build/common.mk -> Makefile" \
        in capsys.readouterr().err
    assert _snapshot(project) == before


def test_comment_after_a_continued_value_is_not_part_of_it() -> None:
    """`-e CI \\` then `-e X=1   # why` ends the value before the `#`; `\\#` is a literal."""
    text = "ENVS := \\\n\t-e CI \\\n\t-e X=1\t\t# used by the tests\nH := a\\#b\n"
    assert value(text, "ENVS") == "-e CI -e X=1"
    assert mk(text).variables["H"] == "a#b"


def test_sudo_probe_reads_as_docker_without_sudo() -> None:
    """`SUDO=$(shell docker info >/dev/null 2>&1 || echo "sudo -E")` is empty on a host that
    runs docker; a variable made of one unknown `$(shell)` reads as `${NAME}`, one that only
    holds such a part keeps the rest."""
    text = ('SUDO=$(shell docker info >/dev/null 2>&1 || echo "sudo -E")\n'
            "REV=$(shell git rev-parse HEAD)\nRUN=$(SUDO) docker run -u $(shell id -u $(USER))\n")
    assert value(text, "SUDO") == ""
    assert value(text, "REV") == "${REV}"
    assert value(text, "RUN") == "docker run -u $(shell id -u ${USER})"


def test_shell_answers_read_project_files_and_paths() -> None:
    """`cat VERSION` reads the project file, `basename`/`dirname` of a literal path and
    `git rev-parse --show-toplevel` are computed, all without running anything."""
    files = {"VERSION": "1.4.2\n", "Makefile": ""}
    text = ("V := $(shell cat VERSION)\nB := $(shell basename $(CURDIR)/cmd/agent)\n"
            "D := $(shell dirname cmd/agent/main.go)\nT := $(shell git rev-parse --show-toplevel)\n"
            "N := $(shell cat missing.txt)\n")
    m = mk(text, load=files.get, files=frozenset(files))
    assert [m.variables[k] for k in "VBDT"] == ["1.4.2", "agent", "cmd/agent", PROJECT]
    assert m.variables["N"] == "$(shell cat missing.txt)"


def test_bad_function_calls_and_odd_names() -> None:
    """Too few arguments is make's own error (exit 3 at the line); a check that only reaches
    `$(error)` on an unknown value reads it unknown; an undefined `$(LINK.c)` is a shell-safe
    unknown; bare parentheses in a value are text."""
    with pytest.raises(Unsupported, match=r"insufficient number of arguments \(1\) to function "
                                          r"`foreach`") as exc:
        mk("A = 1\nX := $(foreach a)\n")
    assert str(exc.value.problem.loc) == "Makefile:2"
    check = ("ifeq ($(shell which sphinx-build >/dev/null 2>&1; echo $$?),1)\n"
             "$(error sphinx-build not found)\nendif\nall:\n\t$(LINK.c) -o app main.c\n")
    assert argvs(check, "all") == [["${LINK_c}", "-o", "app", "main.c"]]
    assert mk("DESC = agent (beta) build\n").variables["DESC"] == "agent (beta) build"


def test_prefixes_from_a_variable_and_a_canned_recipe() -> None:
    """`$(Q)docker build` with `Q = @` is the command `docker build`; a `define`d recipe's
    lines lose their own `@`/`-` prefixes too."""
    text = ("Q = @\ndefine CLEAN\n@docker rm -f b\n-docker rmi b\nendef\n"
            "image:\n\t$(Q)docker build -t app .\n\t$(CLEAN)\n")
    assert argvs(text, "image") == [["docker", "build", "-t", "app", "."],
                                    ["docker", "rm", "-f", "b"], ["docker", "rmi", "b"]]


def test_exported_and_command_line_variables_reach_the_recipe_shell() -> None:
    """`export IMAGE := app` and `make TAG=v1` are in the recipe's environment: `$$IMAGE` and
    `$$TAG` read them; an unexported variable is not there."""
    text = "export IMAGE := app\nLOCAL := x\nimage:\n\techo $$IMAGE:$$TAG $$LOCAL\n"
    assert argvs(text, "image", overrides={"TAG": "v1"}) == [["echo", "app:v1", "${LOCAL}"]]
    assert argvs("export\nA := 1\nx:\n\techo $$A\n", "x") == [["echo", "1"]]


def test_include_of_a_file_a_rule_makes_is_noted_not_read() -> None:
    """`include deps.mk` with a `deps.mk:` rule: make would generate it; nothing runs, the
    reading goes on with a note."""
    m = mk("deps.mk:\n\t./gen-deps.sh > $@\ninclude deps.mk\nA = 1\n", load={}.get)
    assert m.variables["A"] == "1"
    assert any("deps.mk is made by a rule" in p.message for p in m.problems)


def test_environment_from_a_calling_recipe_is_below_the_makefile() -> None:
    """What a calling recipe exported is make's environment: `?=` keeps it, `:=` replaces
    it (still exported, with the file's value); `$(origin)` says environment."""
    text = "A ?= file\nB := file\nX := $(A) $(B) $(origin A)\nx:\n\techo $$B $(X)\n"
    m = mk(text, environment={"A": "env", "B": "env"})
    assert m.variables["X"] == "env file environment"
    (cmd,) = read_make(m, "x").commands
    assert [w.value for w in cmd.argv] == ["echo", "file", "env", "file", "environment"]


def test_a_container_made_by_shell_in_a_recipe_is_the_create_it_runs() -> None:
    """`docker cp $(shell docker create IMG):/app .`: make runs the create as it expands the
    line; read as that create, then the cp from the container it made."""
    found = argvs("app:\n\tdocker cp $(shell docker create app-build):/app ./app\n", "app")
    assert [a[:2] for a in found] == [["docker", "create"], ["docker", "cp"]]
    assert found[1][2].endswith(":/app") and found[1][2].startswith("${__container_")
