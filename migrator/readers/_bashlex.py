"""Import bashlex with its LALR tables cached on disk.

bashlex 0.18 rebuilds its parser tables from the grammar at every import (about 60 ms, 3.5 times
a bare `python -c pass` here), and its own table-file support never reads the file back. The
tables depend only on bashlex's grammar, so we build them once, keep them in the user's cache
directory keyed by bashlex's version and the Python version, and hand them to bashlex's own
`LRTable` on later imports (about 9 ms). Any problem with the cache falls back to building.
See docs/decisions/0002-bashlex-import-cost.md.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import sys
import tempfile
from types import ModuleType
from typing import Any


def _cache_file(pkg_dir: str) -> str | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        stat = os.stat(os.path.join(pkg_dir, "parser.py"))
    except OSError:
        return None
    key = f"{sys.version_info[0]}{sys.version_info[1]}-{stat.st_size}-{int(stat.st_mtime)}"
    return os.path.join(base, "migrator", f"bashlex-lalr-{key}.pickle")


def load() -> ModuleType:
    if "bashlex" in sys.modules and hasattr(sys.modules["bashlex"], "parse"):
        return sys.modules["bashlex"]
    spec = importlib.util.find_spec("bashlex")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        raise ImportError("bashlex is not installed")
    pkg_dir = next(iter(spec.submodule_search_locations))
    cache = _cache_file(pkg_dir)
    # Make the package known without running its __init__ (which builds the parser), so its
    # yacc module can be patched first.
    pkg = importlib.util.module_from_spec(spec)
    sys.modules["bashlex"] = pkg
    try:
        yacc: Any = importlib.import_module("bashlex.yacc")
        base = yacc.LRTable

        class CachedLRTable(base):  # type: ignore[misc, valid-type]
            def __init__(self, grammar: Any, log: Any = None) -> None:
                if cache is not None:
                    try:
                        with open(cache, "rb") as f:
                            action, goto, nprods = pickle.load(f)
                        if nprods == len(grammar.Productions):
                            self.grammar = grammar
                            self.lr_action, self.lr_goto = action, goto
                            self.lr_productions = grammar.Productions
                            self.sr_conflicts: list[Any] = []
                            self.rr_conflicts: list[Any] = []
                            return
                    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
                        pass
                super().__init__(grammar, log)
                if cache is not None:
                    _store(cache, (self.lr_action, self.lr_goto, len(grammar.Productions)))

        yacc.LRTable = CachedLRTable
        spec.loader.exec_module(pkg)
        yacc.LRTable = base
    except BaseException:
        for name in [m for m in sys.modules if m == "bashlex" or m.startswith("bashlex.")]:
            del sys.modules[name]
        raise
    return pkg


def _store(path: str, value: object) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs speed
