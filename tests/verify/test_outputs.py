"""Host trees as snapshots: how an extraction-only flow's result (`--output` files) is compared."""

from __future__ import annotations

import os
from pathlib import Path

from migrator.verify.compare import compare
from migrator.verify.outputs import host_snapshot, output_paths


def _project(root: Path, mode: int = 0o755) -> Path:
    (root / "dist" / "bin").mkdir(parents=True)
    tool = root / "dist" / "bin" / "tool"
    tool.write_bytes(b"\x7fELF tool")
    tool.chmod(mode)
    os.symlink("bin/tool", root / "dist" / "tool")
    (root / "other.txt").write_text("not an output")
    return root


def test_same_files_are_equivalent(tmp_path: Path) -> None:
    """Two copies with the same dist/ compare equivalent, paths rooted at the project."""
    left, right = _project(tmp_path / "a"), _project(tmp_path / "b")
    (right / "other.txt").write_text("outside the outputs: not compared")
    a, b = host_snapshot(str(left), ["dist"], "legacy"), host_snapshot(str(right), ["dist"], "new")
    assert [e.path for e in a.entries] == ["/dist", "/dist/bin", "/dist/bin/tool", "/dist/tool"]
    assert compare(a, b).equivalent


def test_mode_content_and_missing_files_differ(tmp_path: Path) -> None:
    """A file's mode, its content, and a file only on one side are each a difference."""
    left, right = _project(tmp_path / "a"), _project(tmp_path / "b", mode=0o700)
    (right / "dist" / "extra").write_text("x")
    (left / "dist" / "tool").unlink()
    os.symlink("elsewhere", left / "dist" / "tool")
    found = {(d.subject, d.field) for d in compare(host_snapshot(str(left), ["dist"], "l"),
                                                    host_snapshot(str(right), ["dist"], "r"))
             .differences}
    assert found == {("/dist/bin/tool", "mode"), ("/dist/extra", "presence"),
                     ("/dist/tool", "link")}


def test_output_paths_are_project_relative_and_stay_inside(tmp_path: Path) -> None:
    """Destinations are made relative to the copy; one outside it is left out."""
    inside = str(tmp_path / "p" / "dist")
    assert output_paths(str(tmp_path / "p"), [inside, inside, "/tmp/elsewhere"]) == ("dist",)
