"""The HTML report (placeholder until the page lands)."""

from __future__ import annotations

import html
import json
from typing import Any


def render_page(doc: dict[str, Any]) -> str:
    return f"<!doctype html><pre>{html.escape(json.dumps(doc, indent=2))}</pre>\n"
