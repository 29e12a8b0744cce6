"""Deleting dead commands never leaves a shell construct bash refuses to run."""

from __future__ import annotations

import subprocess

from migrator.plan.shell_tidy import tidy


def _parses(text: str) -> bool:
    done = subprocess.run(["bash", "-n"], input=text, text=True, capture_output=True)
    return done.returncode == 0


def test_an_if_with_nothing_left_goes() -> None:
    """An `if` whose every branch lost its commands is removed, condition and all."""
    text = "set -e\nif [ -n \"$X\" ]; then\nelse\n    # was the build\nfi\necho done\n"
    assert tidy(text) == "set -e\necho done\n"


def test_an_empty_else_goes_and_the_kept_branch_stays() -> None:
    """An empty `else` goes; the branch that still runs something stays as it was."""
    text = "if a; then\n    b\nelse\nfi\n"
    assert tidy(text) == "if a; then\n    b\nfi\n"


def test_an_empty_branch_beside_a_kept_one_gets_a_no_op() -> None:
    """bash needs a command in `then`: an emptied one beside a kept `else` gets `:`."""
    out = tidy("if a; then\nelse\n    b\nfi\n")
    assert _parses(out) and "b" in out and not _parses("if a; then\nelse\n    b\nfi\n")


def test_empty_loops_and_function_bodies() -> None:
    """An emptied loop goes; an emptied function body (the function is still called) gets `:`."""
    out = tidy("for a in 1 2; do\ndone\nf() {\n}\nf\n")
    assert "for" not in out and _parses(out)
