"""Lines migrator writes into a CRLF file get CRLF too; LF files stay LF."""

from __future__ import annotations

from migrator.plan import FileChange, _line_endings


def test_crlf_file_keeps_crlf() -> None:
    """Inserted LF lines in a CRLF Dockerfile become CRLF; nothing is doubled."""
    old = "FROM alpine\r\nCOPY app /\r\n"
    new = "FROM golang AS builder\nRUN make\n\nFROM alpine\r\nCOPY --from=builder /app /\r\n"
    got = _line_endings(FileChange("Dockerfile", old, new)).new
    assert got is not None and got.count("\r\n") == got.count("\n") == 5


def test_lf_and_new_files_are_left_alone() -> None:
    """A file with LF endings, and a new file, are written as planned."""
    for old in ("FROM alpine\n", None):
        change = FileChange("Dockerfile", old, "FROM a AS b\nFROM alpine\n")
        assert _line_endings(change) == change
