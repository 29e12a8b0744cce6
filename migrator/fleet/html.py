"""The HTML report: one self-contained page (no network at view time) a reviewer opens.

A filterable list of the projects; per project a diagram of its stages and artifact edges
(which builder path lands where in which final image, drawn as inline SVG from the flow), the
diff, the warnings and errors with their lines, and the verification figures (sizes, layers,
build times, legacy against migrated). Built from the JSON report, so that a report can be
re-rendered from a saved `--report FILE.json`.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:12px 20px}
header h1{font-size:18px;margin:0 0 4px}
.bar{display:flex;gap:12px;align-items:center;padding:10px 20px;background:#fff;
border-bottom:1px solid #d0d7de;position:sticky;top:0}
.bar input{flex:1;padding:6px 8px;font-size:14px}
main{padding:10px 20px}
details.project{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:8px 0}
details.project>summary{padding:8px 12px;cursor:pointer;display:flex;gap:10px}
.path{font-family:ui-monospace,monospace;font-weight:600}
.badge{border-radius:10px;padding:0 8px;font-size:12px;color:#fff}
.migrated{background:#1a7f37}.unchanged{background:#6e7781}.refused{background:#9a6700}
.failed{background:#cf222e}.verified{background:#0969da}
.body{padding:0 12px 12px}
pre.diff{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;overflow:auto;font-size:12px}
.add{color:#1a7f37}.del{color:#cf222e}.hunk{color:#8250df}
table.figures{border-collapse:collapse}table.figures td,table.figures th{border:1px solid
#d0d7de;padding:2px 8px;text-align:right}
ul.problems li.error{color:#cf222e}ul.problems li.warning{color:#9a6700}
svg.flow text{font:12px ui-monospace,monospace}
"""

_JS = """
(function () {
  var input = document.getElementById('filter');
  var kind = document.getElementById('category');
  var shown = document.getElementById('shown');
  var projects = Array.prototype.slice.call(document.querySelectorAll('details.project'));
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var want = kind.value;
    var n = 0;
    projects.forEach(function (p) {
      var text = p.getAttribute('data-search');
      var ok = (!want || p.getAttribute('data-category') === want ||
                (want === 'verified' && p.getAttribute('data-verified') === 'yes')) &&
               words.every(function (w) { return text.indexOf(w) >= 0; });
      p.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + ' of ' + projects.length + ' projects';
  }
  input.addEventListener('input', apply);
  kind.addEventListener('change', apply);
  apply();
})();
"""

_KIND_FILL = {"builder": "#ddf4ff", "stock": "#fff8c5", "run": "#fbefff", "final": "#dafbe1"}


def _svg(diagram: dict[str, Any]) -> str:
    """Stages on the left, the final image on the right, one labelled arrow per artifact."""
    stages = [s for s in diagram.get("stages", []) if s["kind"] != "final"]
    finals = [s for s in diagram.get("stages", []) if s["kind"] == "final"]
    edges = diagram.get("edges", [])
    row, box_w, gap = 54, 300, 360
    height = max(len(stages), len(finals), 1) * row + 24 + 16 * len(edges)
    ys = {s["name"]: 12 + i * row for i, s in enumerate(stages)}
    fy = {s["name"]: 12 + i * row for i, s in enumerate(finals)}
    parts = [f'<svg class="flow" xmlns="http://www.w3.org/2000/svg" width="{box_w * 2 + gap + 8}" '
             f'height="{height}" role="img" aria-label="stages and artifact edges">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8"'
             ' markerHeight="8" orient="auto"><path d="M0,0L10,5L0,10z" fill="#57606a"/>'
             '</marker></defs>']
    for s, x, y in [*((s, 4, ys[s["name"]]) for s in stages),
                    *((s, 4 + box_w + gap, fy[s["name"]]) for s in finals)]:
        parts.append(f'<g class="stage {escape(s["kind"])}"><rect x="{x}" y="{y}" '
                     f'width="{box_w}" height="40" rx="6" fill="{_KIND_FILL.get(s["kind"])}" '
                     f'stroke="#57606a"/><text x="{x + 8}" y="{y + 17}">{escape(s["name"])}'
                     f'</text><text x="{x + 8}" y="{y + 33}" fill="#57606a">{escape(s["kind"])}'
                     f' · {escape(s["where"])}</text></g>')
    for i, e in enumerate(edges):
        y1 = ys.get(e["from"], 12) + 20
        y2 = fy.get(e["to"], 12) + 20
        x1, x2 = 4 + box_w, 4 + box_w + gap
        parts.append(f'<path class="edge" d="M{x1},{y1} C{x1 + gap / 2},{y1} {x2 - gap / 2},'
                     f'{y2} {x2},{y2}" fill="none" stroke="#57606a" marker-end="url(#arrow)"/>')
        label = f'{e["source"]} → {e["host"]} ({e["how"]}, {e["provenance"]})'
        parts.append(f'<text x="{x1 + 8}" y="{max(y1, y2) + 34 + 14 * i}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _diff(text: str) -> str:
    out = []
    for line in text.splitlines():
        cls = ("hunk" if line.startswith("@@") else "add" if line.startswith("+") else
               "del" if line.startswith("-") else "")
        out.append(f'<span class="{cls}">{escape(line)}</span>' if cls else escape(line))
    return '<pre class="diff">' + "\n".join(out) + "</pre>"


def _problems(project: dict[str, Any]) -> str:
    items = []
    for p in project.get("problems", []):
        where = f'{p["file"]}:{p["line"]}: ' if p.get("file") else ""
        items.append(f'<li class="{escape(p["severity"])}">{escape(where)}'
                     f'{escape(p["severity"])}: {escape(p["message"])}</li>')
    return f'<ul class="problems">{"".join(items)}</ul>' if items else ""


def _figures(v: dict[str, Any]) -> str:
    comparison = v.get("comparison") or {}
    left, right = comparison.get("left") or {}, comparison.get("right") or {}
    legacy, migrated = v.get("legacy") or {}, v.get("migrated") or {}

    def cell(x: Any) -> str:
        return escape("-" if x is None else str(x))

    rows = [("image size (bytes)", left.get("size"), right.get("size")),
            ("layers", left.get("layers"), right.get("layers")),
            ("build time (s)", legacy.get("seconds"), migrated.get("seconds"))]
    body = "".join(f"<tr><th>{n}</th><td>{cell(a)}</td><td>{cell(b)}</td></tr>"
                   for n, a, b in rows)
    engine = f' on {escape(v["engine"])}' if v.get("engine") else ""
    return (f'<p class="verification">verification ({cell(v.get("builder"))}{engine}): '
            f'<b>{cell(v.get("status"))}</b>: {cell(v.get("message"))}</p>'
            f'<table class="figures"><tr><th></th><th>legacy</th><th>migrated</th></tr>'
            f"{body}</table>")


def _project(p: dict[str, Any]) -> str:
    search = " ".join([p["path"], p["status"], p.get("category", ""), p.get("script") or "",
                       p.get("reason", ""), *(x["message"] for x in p.get("problems", []))])
    verified = (p.get("verification") or {}).get("status") == "equivalent"
    cat = p.get("category", p["status"])
    parts = [f'<details class="project" data-category="{escape(cat)}" '
             f'data-verified="{"yes" if verified else "no"}" '
             f'data-search="{escape(search.lower())}"><summary>'
             f'<span class="badge {escape(cat)}">{escape(cat)}</span>'
             + ('<span class="badge verified">verified</span>' if verified else "")
             + f'<span class="path">{escape(p["path"])}</span>'
             f'<span>{escape(p.get("script") or p.get("reason", ""))}</span></summary>'
             '<div class="body">']
    if p.get("diagram"):
        parts.append(_svg(p["diagram"]))
    parts.append(_problems(p))
    if p.get("verification"):
        parts.append(_figures(p["verification"]))
    if p.get("diff"):
        parts.append(_diff(p["diff"]))
    parts.append("</div></details>")
    return "".join(parts)


def render_page(doc: dict[str, Any]) -> str:
    cats = sorted({p.get("category", p["status"]) for p in doc["projects"]} | {"verified"})
    options = "".join(f'<option value="{escape(c)}">{escape(c)}</option>' for c in cats)
    data = json.dumps(doc).replace("</", "<\\/")  # the whole report, for tools and scripts
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>migrator report: {escape(doc['summary'])}</title><style>{_CSS}</style></head>"
        f'<body><header><h1>migrator report</h1><div id="summary">{escape(doc["summary"])} '
        f'(mode {escape(doc["mode"])}, exit {doc["exit_code"]})</div></header>'
        '<div class="bar"><input id="filter" type="search" placeholder="filter: path, status, '
        'message ..." aria-label="filter projects"><select id="category" aria-label="outcome">'
        f'<option value="">all outcomes</option>{options}</select><span id="shown"></span>'
        f'</div><main>{"".join(_project(p) for p in doc["projects"])}</main>'
        f'<script type="application/json" id="report-data">{data}</script>'
        f"<script>{_JS}</script></body></html>\n")
