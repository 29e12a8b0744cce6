"""The Makefile reader: a target becomes the commands make would run for it, in order.

Variables are evaluated as make does before it runs any recipe; each recipe line is shell text
of its own, read with make references expanded first.
"""

from __future__ import annotations

from migrator.model import PROJECT, Command, Loc
from migrator.readers.make import parse_makefile, read_make


def run(text: str, target: str) -> tuple[Command, ...]:
    return read_make(parse_makefile("Makefile", text), target).commands


def argv(cmd: Command) -> list[str]:
    return [w.value for w in cmd.argv]


def argvs(text: str, target: str) -> list[list[str]]:
    return [argv(c) for c in run(text, target)]


# ---------------------------------------------------------------- variables

VARIABLES = (
    "A = one\n"
    "B := $(A) two\n"
    "A = uno\n"
    "C ?= three\n"
    "C ?= tres\n"
    "D = d1\n"
    "D += d2\n"
    "all:\n"
    "\techo $(A) ${B} $(C) $(D)\n"
)


def test_recursive_variable_takes_its_last_value() -> None:
    """`A = x` set twice means the last value wherever it is used."""
    assert parse_makefile("Makefile", VARIABLES).variables["A"] == "uno"


def test_simple_variable_is_expanded_when_set() -> None:
    """`B := $(A) two` keeps A's value at that point in the file."""
    assert parse_makefile("Makefile", VARIABLES).variables["B"] == "one two"


def test_conditional_assignment_keeps_the_first_value() -> None:
    """`C ?= x` does nothing when C is already set."""
    assert parse_makefile("Makefile", VARIABLES).variables["C"] == "three"


def test_append_adds_a_word() -> None:
    """`D += d2` appends to D with a space."""
    assert parse_makefile("Makefile", VARIABLES).variables["D"] == "d1 d2"


def test_append_to_a_simple_variable_expands_at_once() -> None:
    """`E := e1` then `E += $(A)` takes A's value at the `+=`, as make does."""
    mk = parse_makefile("Makefile", "A = one\nE := e1\nE += $(A)\nA = two\n")
    assert mk.variables["E"] == "e1 one"


def test_references_in_a_recipe_are_expanded() -> None:
    """`$(X)` and `${X}` in a recipe line give the variables' values, each word a field."""
    assert argvs(VARIABLES, "all") == [["echo", "uno", "one", "two", "three", "d1", "d2"]]


def test_variable_set_after_the_rule_is_seen_by_the_recipe() -> None:
    """A recursive variable set below the rule still applies: make reads the whole file first."""
    assert argvs("all:\n\techo $(NAME)\nNAME = worker\n", "all") == [["echo", "worker"]]


def test_curdir_is_the_project_root() -> None:
    """`$(CURDIR)` is the directory make runs in: the project root."""
    assert argvs("all:\n\tmkdir -p $(CURDIR)/out\n", "all") == [["mkdir", "-p", f"{PROJECT}/out"]]


def test_undefined_variable_stays_symbolic() -> None:
    """A variable the Makefile never sets (environment, command line) is kept as `${NAME}`."""
    (cmd,) = run("all:\n\tdocker build -t $(IMAGE) .\n", "all")
    assert argv(cmd) == ["docker", "build", "-t", "${IMAGE}", "."]
    assert not cmd.argv[3].known


def test_double_dollar_reaches_the_shell_as_one_dollar() -> None:
    """`$$HOME` in a recipe is the shell variable `$HOME`."""
    assert argvs("all:\n\techo $$HOME\n", "all") == [["echo", "${HOME}"]]


def test_double_dollar_command_substitution_is_read() -> None:
    """`CID=$$(docker create img)` is the shell's `$(docker create img)`, captured into CID."""
    text = "all:\n\tCID=$$(docker create img); docker cp $$CID:/app app; docker rm $$CID\n"
    cmds = run(text, "all")
    assert [argv(c) for c in cmds] == [
        ["docker", "create", "img"],
        ["docker", "cp", "${CID}:/app", "app"],
        ["docker", "rm", "${CID}"],
    ]
    assert cmds[0].captured == "CID"


def test_shell_function_is_kept_as_an_unknown() -> None:
    """`$(shell ...)` is not run: used directly it stays in the word as text, marked unknown."""
    (cmd,) = run("all:\n\techo $(shell git describe)\n", "all")
    assert argv(cmd) == ["echo", "$(shell git describe)"]
    assert not cmd.argv[1].known


def test_variable_from_the_shell_is_named_by_the_variable() -> None:
    """`TAG = $(shell git describe)` used in a recipe reads as `${TAG}`: unknown, named."""
    (cmd,) = run("TAG = $(shell git describe)\nall:\n\techo v-$(TAG)\n", "all")
    assert argv(cmd) == ["echo", "v-${TAG}"]
    assert not cmd.argv[1].known


# ---------------------------------------------------------------- automatic variables


def test_target_automatic_variable() -> None:
    """`$@` is the name of the target being made."""
    assert argvs("image:\n\tdocker build -t $@ .\n", "image") == [
        ["docker", "build", "-t", "image", "."]]


def test_first_prerequisite_automatic_variable() -> None:
    """`$<` is the rule's first prerequisite."""
    text = "image: Dockerfile.build\n\tdocker build -f $< -t $@ .\n"
    assert argvs(text, "image") == [["docker", "build", "-f", "Dockerfile.build", "-t", "image",
                                     "."]]


# ---------------------------------------------------------------- order of rules

PREREQS = (
    "all: b c\n"
    "\techo all\n"
    "b: d\n"
    "\techo b\n"
    "c: d\n"
    "\techo c\n"
    "d:\n"
    "\techo d\n"
    "other:\n"
    "\techo other\n"
)


def test_prerequisites_run_first_depth_first_each_once() -> None:
    """A target's prerequisites run before it, depth first, and a shared one only once."""
    assert argvs(PREREQS, "all") == [["echo", "d"], ["echo", "b"], ["echo", "c"], ["echo", "all"]]


def test_unrelated_rules_do_not_run() -> None:
    """Rules the target does not depend on are not read."""
    assert argvs(PREREQS, "d") == [["echo", "d"]]


def test_circular_prerequisite_is_dropped() -> None:
    """`x: y` and `y: x` run y then x, as make does after dropping the cycle."""
    assert argvs("x: y\n\techo x\ny: x\n\techo y\n", "x") == [["echo", "y"], ["echo", "x"]]


def test_prerequisite_without_a_rule_is_a_file() -> None:
    """A prerequisite with no rule (a source file) runs nothing."""
    assert argvs("app: main.go\n\tgo build\n", "app") == [["go", "build"]]


def test_targets_lists_the_real_targets() -> None:
    """`targets()` lists the rules' targets in file order, without special or pattern targets."""
    mk = parse_makefile("Makefile", ".PHONY: all\nall: b\nb:\n\ttrue\n%.o: %.c\n\tcc $<\n")
    assert mk.targets() == ("all", "b")


# ---------------------------------------------------------------- recipe lines


def test_recipe_prefixes_are_not_part_of_the_command() -> None:
    """`@`, `-` and `+` before a recipe line are make's, not the command's."""
    text = "x:\n\t@echo quiet\n\t-rm -f y\n\t+make z\n"
    assert argvs(text, "x") == [["echo", "quiet"], ["rm", "-f", "y"], ["make", "z"]]


def test_combined_recipe_prefixes_are_not_part_of_the_command() -> None:
    """`@-echo` is `echo` run quietly with errors ignored."""
    assert argvs("x:\n\t@-echo both\n", "x") == [["echo", "both"]]


def test_removing_a_prefixed_line_removes_its_prefix() -> None:
    """A recipe line's cut covers its `@` prefix, so deleting the command leaves no stray `@`."""
    text = "x:\n\t@docker rm c\n"
    (cmd,) = run(text, "x")
    assert text[cmd.span.start : cmd.span.end] == "docker rm c"
    assert text[cmd.cut.start : cmd.cut.end] == "@docker rm c"


def test_each_recipe_line_is_its_own_shell() -> None:
    """A `cd` on one recipe line does not carry to the next line."""
    text = "x:\n\tcd sub && pwd\n\tpwd\n"
    first, second = run(text, "x")
    assert first.cwd == f"{PROJECT}/sub"
    assert second.cwd == PROJECT


def test_continued_recipe_line_is_one_shell() -> None:
    """A recipe line continued with a backslash is one shell: its `cd` carries on."""
    first, second = run("x:\n\tcd sub; \\\n\t  pwd\n\tpwd\n", "x")
    assert first.cwd == f"{PROJECT}/sub"
    assert second.cwd == PROJECT


def test_shell_variables_do_not_carry_between_recipe_lines() -> None:
    """A shell variable set on one recipe line is unset on the next."""
    (echo,) = run("x:\n\tX=1\n\techo $$X\n", "x")
    assert argv(echo) == ["echo", "${X}"]


# ---------------------------------------------------------------- places


def test_commands_carry_their_line_numbers() -> None:
    """Each command's location is its line in the Makefile, comments and blanks counted."""
    text = "# comment\n\nNAME = w\n\nbuild:\n\techo 1\n\n\techo $(NAME)\n"
    cmds = run(text, "build")
    assert [c.loc for c in cmds] == [Loc("Makefile", 6), Loc("Makefile", 8)]


def test_rules_carry_their_line_numbers() -> None:
    """Each rule's location is the line of its target."""
    mk = parse_makefile("Makefile", PREREQS)
    assert [(r.targets, r.loc.line) for r in mk.rules] == [
        (("all",), 1), (("b",), 3), (("c",), 5), (("d",), 7), (("other",), 9)]


def test_continued_recipe_line_is_one_command_at_its_first_line() -> None:
    """A docker command continued over two recipe lines is one command at its first line."""
    (cmd,) = run("x:\n\tdocker build -t img \\\n\t  -f Dockerfile.build .\n", "x")
    assert argv(cmd) == ["docker", "build", "-t", "img", "-f", "Dockerfile.build", "."]
    assert cmd.loc == Loc("Makefile", 2)
