"""compare(): which differences between two image snapshots are reported, and how."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from migrator.verify.compare import CONFIG, Difference, compare
from migrator.verify.snapshot import Entry, ImageSnapshot, RunConfig

HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
WORLD = "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7"


def image(*entries: Entry, config: RunConfig | None = None, ref: str = "left") -> ImageSnapshot:
    return ImageSnapshot(
        ref=ref,
        image_id="sha256:" + "ab" * 32,
        size=1234,
        layers=2,
        config=config or RunConfig(cmd=("sh",), env=("PATH=/bin",)),
        entries=tuple(sorted(entries, key=lambda entry: entry.path)),
    )


APP = Entry("/app", "dir", mode=0o755, mtime=100)
TOOL = Entry("/app/tool", "file", mode=0o755, size=5, sha256=HELLO, mtime=100)
LINK = Entry("/app/current", "symlink", mode=0o777, link="tool", mtime=100)
BASE = image(APP, TOOL, LINK)


def only(a: ImageSnapshot, b: ImageSnapshot, **options: bool) -> Difference:
    differences = compare(a, b, **options).differences
    assert len(differences) == 1, differences
    return differences[0]


def test_identical_snapshots_are_equivalent() -> None:
    """Two snapshots with the same entries and config have no differences."""
    comparison = compare(BASE, image(APP, TOOL, LINK, ref="right"))
    assert comparison.equivalent
    assert comparison.differences == ()


def test_path_only_on_one_side() -> None:
    """A path missing on either side is reported once, with the type on the side that has it."""
    assert only(BASE, image(APP, TOOL)) == Difference("/app/current", "presence", "symlink", None)
    assert only(image(APP, TOOL), BASE) == Difference("/app/current", "presence", None, "symlink")


@pytest.mark.parametrize(
    ("field", "left", "right"),
    [
        ("mode", 0o755, 0o644),
        ("mode", 0o755, 0o4755),
        ("uid", 0, 1000),
        ("gid", 0, 1000),
        ("size", 5, 6),
        ("sha256", HELLO, WORLD),
        ("xattrs", (), (("security.capability", "0100000200200000"),)),
    ],
)
def test_file_metadata_and_content(field: str, left: Any, right: Any) -> None:
    """Each attribute of a file that differs is reported under its own field name."""
    changed = dataclasses.replace(TOOL, **{field: right})
    assert only(BASE, image(APP, changed, LINK)) == Difference("/app/tool", field, left, right)


def test_symlink_target() -> None:
    """A symlink pointing elsewhere is a `link` difference."""
    moved = dataclasses.replace(LINK, link="/usr/bin/tool")
    assert only(BASE, image(APP, TOOL, moved)) == Difference(
        "/app/current", "link", "tool", "/usr/bin/tool"
    )


def test_type_change_is_reported_alone() -> None:
    """A file that became a symlink is one `type` difference, not one per attribute."""
    replaced = Entry("/app/tool", "symlink", mode=0o777, link="other", mtime=100)
    assert only(BASE, image(APP, replaced, LINK)) == Difference(
        "/app/tool", "type", "file", "symlink"
    )


def test_hardlink_versus_copy() -> None:
    """A hardlink where the other image has a separate copy is a type difference."""
    copy = Entry("/app/tool2", "file", mode=0o755, size=5, sha256=HELLO)
    hard = Entry("/app/tool2", "hardlink", mode=0o755, size=5, sha256=HELLO, link="/app/tool")
    assert only(image(APP, TOOL, LINK, copy), image(APP, TOOL, LINK, hard)) == Difference(
        "/app/tool2", "type", "file", "hardlink"
    )


def test_mtimes_only_when_asked() -> None:
    """Modification times differ between any two builds, so they count only with mtimes=True."""
    touched = image(APP, dataclasses.replace(TOOL, mtime=200), LINK)
    assert compare(BASE, touched).equivalent
    assert only(BASE, touched, mtimes=True) == Difference("/app/tool", "mtime", 100, 200)


def test_unknown_mtime_is_not_a_difference() -> None:
    """An mtime the engine decided (None, e.g. /etc) is not compared even with mtimes=True."""
    unknown = image(APP, dataclasses.replace(TOOL, mtime=None), LINK)
    assert compare(BASE, unknown, mtimes=True).equivalent


@pytest.mark.parametrize(
    ("field", "name", "right"),
    [
        ("cmd", "Cmd", ("sh", "-c", "serve")),
        ("entrypoint", "Entrypoint", ("/app/tool",)),
        ("env", "Env", ("PATH=/usr/bin",)),
        ("working_dir", "WorkingDir", "/app"),
        ("user", "User", "1000:1000"),
        ("exposed_ports", "ExposedPorts", ("8080/tcp",)),
        ("volumes", "Volumes", ("/data",)),
        ("labels", "Labels", (("version", "2"),)),
        ("stop_signal", "StopSignal", "SIGINT"),
        ("healthcheck", "Healthcheck", '{"Test": ["CMD", "true"]}'),
        ("shell", "Shell", ("/bin/bash", "-c")),
        ("on_build", "OnBuild", ("RUN true",)),
    ],
)
def test_config_fields(field: str, name: str, right: Any) -> None:
    """Each run-config field that differs is reported under Docker's name for it."""
    config = RunConfig(cmd=("sh",), env=("PATH=/bin",))
    changed = dataclasses.replace(config, **{field: right})
    difference = only(image(APP, config=config), image(APP, config=changed))
    assert (difference.subject, difference.field, difference.right) == (CONFIG, name, right)


def test_env_order_matters() -> None:
    """Env is an ordered list: the same variables in another order are a difference."""
    left = RunConfig(env=("A=1", "B=2"))
    right = RunConfig(env=("B=2", "A=1"))
    assert only(image(config=left), image(config=right)).field == "Env"


def test_label_order_does_not_matter() -> None:
    """Labels are a mapping: the same labels in another order are no difference."""
    left = RunConfig(labels=(("a", "1"), ("b", "2")))
    right = RunConfig(labels=(("b", "2"), ("a", "1")))
    assert compare(image(config=left), image(config=right)).equivalent


def test_absent_equals_empty() -> None:
    """None and an empty list or mapping are the same (Cmd null vs Cmd [])."""
    # RunConfig has no None for list-like fields; a value made some other way still compares.
    empty = RunConfig(cmd=())
    absent = dataclasses.replace(RunConfig(), cmd=None, labels=None)  # type: ignore[arg-type]
    assert compare(image(config=empty), image(config=absent)).equivalent


def test_differences_are_sorted() -> None:
    """Config first, then paths by their components (/a/b before /a-b), then a fixed field order."""
    left = image(
        Entry("/a", "dir"),
        Entry("/a/b", "file", size=1, sha256=HELLO),
        Entry("/a-b", "file"),
        config=RunConfig(cmd=("x",)),
    )
    right = image(
        Entry("/a", "dir", mode=0o700),
        Entry("/a/b", "file", uid=1, size=2, sha256=WORLD),
        config=RunConfig(cmd=("y",), user="nobody"),
    )
    order = [(d.subject, d.field) for d in compare(left, right).differences]
    assert order == [
        (CONFIG, "Cmd"),
        (CONFIG, "User"),
        ("/a", "mode"),
        ("/a/b", "uid"),
        ("/a/b", "size"),
        ("/a/b", "sha256"),
        ("/a-b", "presence"),
    ]
    assert compare(left, right).differences == compare(left, right).differences


def test_format_text() -> None:
    """The text report shows both images and one readable line per difference, modes in octal."""
    right = image(
        dataclasses.replace(APP, mode=0o2775),
        TOOL,
        config=RunConfig(cmd=("serve",), env=("PATH=/bin",)),
        ref="new:latest",
    )
    text = compare(BASE, right).format_text()
    assert text.splitlines() == [
        "left:  left (abababababab): 1,234 bytes, 2 layers",
        "right: new:latest (abababababab): 1,234 bytes, 2 layers",
        "3 differences:",
        '  config: Cmd ["sh"] != ["serve"]',
        "  /app: mode 0755 != 2775",
        "  /app/current: only in left (symlink)",
    ]


def test_format_text_equivalent() -> None:
    """An equivalent comparison says so after the two image lines."""
    assert compare(BASE, BASE).format_text().splitlines()[-1] == (
        "equivalent: no differences in files or run config"
    )


def test_format_text_folds_missing_trees() -> None:
    """A directory missing on one side is one line with a count, not one line per file."""
    extra = [Entry("/app/lib", "dir")] + [
        Entry(f"/app/lib/m{i}.so", "file", sha256=HELLO) for i in range(3)
    ]
    text = compare(BASE, image(APP, TOOL, LINK, *extra)).format_text()
    assert text.splitlines()[2:] == [
        "4 differences:",
        "  /app/lib: only in right (dir, 3 more below)",
    ]


def test_format_text_limit() -> None:
    """Past the limit, the report says how many lines it left out."""
    extra = [Entry(f"/f{i}", "file") for i in range(5)]
    lines = compare(BASE, image(APP, TOOL, LINK, *extra)).format_text(limit=2).splitlines()
    assert lines[3:] == [
        "  /f0: only in right (file)",
        "  /f1: only in right (file)",
        "  ... and 3 more",
    ]


def test_to_json() -> None:
    """to_json() is plain JSON: lists for sequences, a map for labels, modes as numbers."""
    config = RunConfig(cmd=("sh",), labels=(("a", "1"),))
    right = image(dataclasses.replace(APP, mode=0o700), config=config)
    data = compare(image(APP), right).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["equivalent"] is False
    assert data["left"] == {"ref": "left", "id": "sha256:" + "ab" * 32, "size": 1234, "layers": 2}
    assert data["differences"] == [
        {"subject": "config", "field": "Env", "left": ["PATH=/bin"], "right": []},
        {"subject": "config", "field": "Labels", "left": {}, "right": {"a": "1"}},
        {"subject": "/app", "field": "mode", "left": 0o755, "right": 0o700},
    ]
