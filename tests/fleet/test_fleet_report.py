"""The --report files: JSON with every project's flow, warnings, diff and verification; one
self-contained HTML page, opened in a real headless chromium: no console errors, no request
leaves the page, the filter works, each migrated project's diagram is drawn."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, artefacts_dir, chromium

from migrator.cli import run

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "samples"
PLAIN = ROOT / "tests" / "cases" / "noop-multistage" / "input"
SEED = ROOT / "tests" / "cases" / "seed-literal" / "input"


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three legacy samples, one refused project and a clean one, in a folder of clones."""
    monkeypatch.chdir(tmp_path)
    for name in ("href-counter", "volume-cp", "make-cat-chmod"):
        shutil.copytree(SAMPLES / name, tmp_path / "repos" / name, symlinks=True)
    bad = shutil.copytree(SEED, tmp_path / "repos" / "bad", symlinks=True)
    (bad / "build.sh").write_text((bad / "build.sh").read_text().replace("cp extract:", "cp x:"))
    shutil.copytree(PLAIN, tmp_path / "repos" / "clean", symlinks=True)
    return tmp_path


def test_json_report_has_each_projects_flow_diff_and_problems(fleet: Path) -> None:
    """--report FILE.json holds, per project, its category, diagram, diff and located problems."""
    assert run(["--check", "-q", "-r", "repos", "--report", "r.json"]) == 3
    doc = json.loads((fleet / "r.json").read_text())
    by = {p["path"]: p for p in doc["projects"]}
    assert sorted(by) == ["repos/bad", "repos/href-counter", "repos/make-cat-chmod",
                          "repos/volume-cp"]
    href = by["repos/href-counter"]
    assert href["category"] == "migrated" and href["diff"].startswith("--- a/repos/href-counter")
    assert {s["kind"] for s in href["diagram"]["stages"]} >= {"builder", "final"}
    assert href["diagram"]["edges"][0]["provenance"].startswith("build.sh:")
    assert by["repos/bad"]["category"] == "refused"
    assert by["repos/bad"]["problems"][0]["line"] == 8


def test_a_bad_report_name_is_a_usage_error(fleet: Path) -> None:
    """A report that is neither .json nor .html is refused before anything runs."""
    assert run(["--check", "-r", "repos", "--report", "r.txt"]) == 2
    assert not (fleet / "r.txt").exists()


@pytest.fixture
def browser() -> Iterator[Browser]:
    binary = chromium()
    if binary is None:
        message = "chromium is not installed (scripts/test.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    b = Browser(binary)
    try:
        yield b
    finally:
        b.close()


def test_html_report_in_a_headless_browser(fleet: Path, browser: Browser) -> None:
    """The page loads with no console error and no network request, the filter narrows the
    list, and each migrated project's diagram has a box per stage and an arrow per artifact."""
    assert run(["--check", "-q", "-r", "repos", "--report", "r.html"]) == 3
    url = (fleet / "r.html").as_uri()
    browser.open(url)
    assert browser.errors() == []
    assert [u for u in browser.requests() if u != url] == []
    assert browser.evaluate("document.getElementById('shown').textContent") == "4 of 4 projects"
    count = "document.querySelectorAll('details.project:not([hidden])').length"
    browser.evaluate("var f = document.getElementById('filter'); f.value = 'volume';"
                     "f.dispatchEvent(new Event('input'))")
    assert browser.evaluate(count) == 1
    assert browser.evaluate("document.querySelector('details.project:not([hidden]) .path')"
                            ".textContent") == "repos/volume-cp"
    browser.evaluate("document.getElementById('filter').value = '';"
                     "var c = document.getElementById('category'); c.value = 'refused';"
                     "c.dispatchEvent(new Event('change'))")
    assert browser.evaluate(count) == 1
    browser.evaluate("var c = document.getElementById('category'); c.value = '';"
                     "c.dispatchEvent(new Event('change'));"
                     "document.querySelectorAll('details.project').forEach("
                     "function (d) { d.open = true; })")
    drawn = browser.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('svg.flow'), function (s) {"
        " var box = s.getBoundingClientRect();"
        " return [s.querySelectorAll('g.stage rect').length, s.querySelectorAll('path.edge')"
        ".length, Math.round(box.width), Math.round(box.height)]; })")
    assert len(drawn) == 3
    for stages, edges, width, height in drawn:
        assert stages >= 2 and edges >= 1 and width > 0 and height > 0
    browser.screenshot(artefacts_dir() / "report.png")
    assert browser.errors() == []
