"""GNU make's built-in functions, over text, as make evaluates them (nothing is run).

Each function takes the evaluator and its arguments as written (unexpanded); the ones make
expands lazily (`if`, `or`, `and`, `foreach`, `call`, `value`) expand what they need. Unknown
values (`${NAME}`, `$(shell ...)`) are plain words here: a function over them gives text that
still names them.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING

from migrator.readers.makeparse import top_level

if TYPE_CHECKING:
    from migrator.readers.makeeval import Evaluator

Func = Callable[["Evaluator", list[str]], str]
FUNCTIONS: dict[str, Func] = {}
# How many arguments a function takes: the last one keeps any further commas.
ARITY: dict[str, int] = {}


def _fn(name: str, arity: int) -> Callable[[Func], Func]:
    def register(f: Func) -> Func:
        FUNCTIONS[name] = f
        ARITY[name] = arity
        return f
    return register


def _all(ev: Evaluator, args: list[str]) -> list[str]:
    return [ev.expand(a) for a in args]


def pattern_match(pattern: str, word: str) -> str | None:
    """The stem `%` matches in `word`, or None (no `%`: the whole word must be equal)."""
    head, pct, tail = pattern.partition("%")
    if not pct:
        return "" if word == pattern else None
    if len(word) >= len(head) + len(tail) and word.startswith(head) and word.endswith(tail):
        return word[len(head) : len(word) - len(tail)]
    return None


def patsubst_word(pattern: str, replacement: str, word: str) -> str:
    stem = pattern_match(pattern, word)
    if stem is None:
        return word
    return replacement.replace("%", stem, 1) if "%" in pattern else replacement


# ---------------------------------------------------------------- text


@_fn("subst", 3)
def _subst(ev: Evaluator, args: list[str]) -> str:
    frm, to, text = _all(ev, args)
    return text.replace(frm, to) if frm else text


@_fn("patsubst", 3)
def _patsubst(ev: Evaluator, args: list[str]) -> str:
    pat, rep, text = _all(ev, args)
    return " ".join(patsubst_word(pat.strip(), rep.strip(), w) for w in text.split())


@_fn("strip", 1)
def _strip(ev: Evaluator, args: list[str]) -> str:
    return " ".join(ev.expand(args[0]).split())


@_fn("findstring", 2)
def _findstring(ev: Evaluator, args: list[str]) -> str:
    find, text = _all(ev, args)
    return find if find in text else ""


def _filter(ev: Evaluator, args: list[str], keep: bool) -> str:
    pats, text = _all(ev, args)
    patterns = pats.split()
    return " ".join(w for w in text.split()
                    if any(pattern_match(p, w) is not None for p in patterns) == keep)


@_fn("filter", 2)
def _filter_in(ev: Evaluator, args: list[str]) -> str:
    return _filter(ev, args, True)


@_fn("filter-out", 2)
def _filter_out(ev: Evaluator, args: list[str]) -> str:
    return _filter(ev, args, False)


@_fn("sort", 1)
def _sort(ev: Evaluator, args: list[str]) -> str:
    return " ".join(sorted(set(ev.expand(args[0]).split())))


def _index(ev: Evaluator, raw: str, what: str) -> int:
    text = ev.expand(raw).strip()
    if not text.isdigit():
        raise ev.fail(f"non-numeric argument to `{what}`: {text!r}")
    return int(text)


@_fn("word", 2)
def _word(ev: Evaluator, args: list[str]) -> str:
    n = _index(ev, args[0], "word")
    words = ev.expand(args[1]).split()
    return words[n - 1] if 0 < n <= len(words) else ""


@_fn("wordlist", 3)
def _wordlist(ev: Evaluator, args: list[str]) -> str:
    s, e = _index(ev, args[0], "wordlist"), _index(ev, args[1], "wordlist")
    return " ".join(ev.expand(args[2]).split()[max(s, 1) - 1 : e])


@_fn("words", 1)
def _words(ev: Evaluator, args: list[str]) -> str:
    return str(len(ev.expand(args[0]).split()))


@_fn("firstword", 1)
def _firstword(ev: Evaluator, args: list[str]) -> str:
    words = ev.expand(args[0]).split()
    return words[0] if words else ""


@_fn("lastword", 1)
def _lastword(ev: Evaluator, args: list[str]) -> str:
    words = ev.expand(args[0]).split()
    return words[-1] if words else ""


# ---------------------------------------------------------------- file names


def _each(ev: Evaluator, raw: str, f: Callable[[str], str]) -> str:
    return " ".join(f(w) for w in ev.expand(raw).split())


@_fn("dir", 1)
def _dir(ev: Evaluator, args: list[str]) -> str:
    return _each(ev, args[0], lambda w: w[: w.rfind("/") + 1] if "/" in w else "./")


@_fn("notdir", 1)
def _notdir(ev: Evaluator, args: list[str]) -> str:
    return _each(ev, args[0], lambda w: w.rsplit("/", 1)[-1])


def _split_suffix(w: str) -> tuple[str, str]:
    dot = w.rfind(".")
    if dot > w.rfind("/"):
        return w[:dot], w[dot:]
    return w, ""


@_fn("suffix", 1)
def _suffix(ev: Evaluator, args: list[str]) -> str:
    return " ".join(s for s in (_split_suffix(w)[1] for w in ev.expand(args[0]).split()) if s)


@_fn("basename", 1)
def _basename(ev: Evaluator, args: list[str]) -> str:
    return _each(ev, args[0], lambda w: _split_suffix(w)[0])


@_fn("addsuffix", 2)
def _addsuffix(ev: Evaluator, args: list[str]) -> str:
    suffix = ev.expand(args[0])
    return _each(ev, args[1], lambda w: w + suffix)


@_fn("addprefix", 2)
def _addprefix(ev: Evaluator, args: list[str]) -> str:
    prefix = ev.expand(args[0])
    return _each(ev, args[1], lambda w: prefix + w)


@_fn("join", 2)
def _join(ev: Evaluator, args: list[str]) -> str:
    a, b = (ev.expand(x).split() for x in args)
    n = max(len(a), len(b))
    return " ".join((a[i] if i < len(a) else "") + (b[i] if i < len(b) else "") for i in range(n))


@_fn("wildcard", 1)
def _wildcard(ev: Evaluator, args: list[str]) -> str:
    found: list[str] = []
    for pattern in ev.expand(args[0]).split():
        rel = ev.relative(pattern)
        hits = sorted(f for f in ev.files if fnmatch.fnmatchcase(f, rel))
        if not hits and rel in ev.dirs:
            hits = [rel]
        found.extend(pattern if h == rel else ev.unrelative(h, pattern) for h in hits)
    return " ".join(found)


@_fn("abspath", 1)
def _abspath(ev: Evaluator, args: list[str]) -> str:
    return _each(ev, args[0], lambda w: posixpath.normpath(posixpath.join(ev.curdir, w)))


@_fn("realpath", 1)
def _realpath(ev: Evaluator, args: list[str]) -> str:
    return _abspath(ev, args)


# ---------------------------------------------------------------- control and variables


@_fn("if", 3)
def _if(ev: Evaluator, args: list[str]) -> str:
    if ev.decide(args[0]).strip():
        return ev.expand(args[1]) if len(args) > 1 else ""
    return ev.expand(args[2]) if len(args) > 2 else ""


@_fn("or", 0)
def _or(ev: Evaluator, args: list[str]) -> str:
    for a in args:
        value = ev.decide(a).strip()
        if value:
            return value
    return ""


@_fn("and", 0)
def _and(ev: Evaluator, args: list[str]) -> str:
    value = ""
    for a in args:
        value = ev.decide(a).strip()
        if not value:
            return ""
    return value


@_fn("foreach", 3)
def _foreach(ev: Evaluator, args: list[str]) -> str:
    name = ev.expand(args[0]).strip()
    out = []
    for w in ev.expand(args[1]).split():
        with ev.scope({name: w}):
            out.append(ev.expand(args[2]))
    return " ".join(out)


@_fn("call", 0)
def _call(ev: Evaluator, args: list[str]) -> str:
    name = ev.expand(args[0]).strip()
    values = {str(i): ev.expand(a) for i, a in enumerate(args)}
    values["0"] = name
    for i in range(len(args), 10):
        values[str(i)] = ""  # a missing argument is empty, not one of an outer call's
    with ev.scope(values):
        return ev.expand(ev.raw_value(name) or "")


@_fn("value", 1)
def _value(ev: Evaluator, args: list[str]) -> str:
    return ev.raw_value(ev.expand(args[0]).strip()) or ""


@_fn("origin", 1)
def _origin(ev: Evaluator, args: list[str]) -> str:
    return ev.origin(ev.expand(args[0]).strip())


@_fn("flavor", 1)
def _flavor(ev: Evaluator, args: list[str]) -> str:
    return ev.flavor(ev.expand(args[0]).strip())


@_fn("eval", 1)
def _eval(ev: Evaluator, args: list[str]) -> str:
    ev.eval_text(ev.expand(args[0]))
    return ""


@_fn("error", 1)
def _error(ev: Evaluator, args: list[str]) -> str:
    raise ev.fail(f"the Makefile stops here: {ev.expand(args[0]).strip()}")


@_fn("warning", 1)
def _warning(ev: Evaluator, args: list[str]) -> str:
    ev.expand(args[0])
    return ""


FUNCTIONS["info"] = _warning
ARITY["info"] = 1


@_fn("shell", 1)
def _shell(ev: Evaluator, args: list[str]) -> str:
    return ev.shell(ev.expand(args[0]))


def split_args(text: str, arity: int) -> list[str]:
    """A function's arguments: split at top-level commas, the last one keeping further commas."""
    args: list[str] = []
    start = 0
    while arity <= 0 or len(args) < arity - 1:
        comma = top_level(text, ",", start)
        if comma < 0:
            break
        args.append(text[start:comma])
        start = comma + 1
    args.append(text[start:])
    return args
