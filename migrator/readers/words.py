"""What a shell word means: quote removal and parameter expansion over a word the parser found.

The shell parser gives words and spans but does not expand; this module evaluates one word's source
text against the variables the reader knows. Unknown parts stay as text (`${TAG}`, `$(git ...)`),
so two words naming the same unknown compare equal and a rewrite can quote them back verbatim.
Make variables are expanded first when the word comes from a Makefile recipe.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping

# Returns the value of a shell parameter, or None if the script does not make it known.
Lookup = Callable[[str], "str | None"]

_SPECIAL = set("@*#?-$!0123456789")
# `$(dirname "$0")` and friends: the directory the script lives in.
_SCRIPT_DIR_FORMS = {
    f"dirname {dashes}{arg}"
    for dashes in ("", "-- ")
    for arg in ('"$0"', "$0", '"${BASH_SOURCE[0]}"', "${BASH_SOURCE[0]}", '"$BASH_SOURCE"')
}


def matching(text: str, i: int, open_: str, close: str) -> int:
    """Index just past the `close` that balances the `open_` at text[i]."""
    depth = 0
    quote: str | None = None
    j = i
    while j < len(text):
        c = text[j]
        if quote:
            if c == "\\" and quote == '"':
                j += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "\\":
            j += 2
            continue
        elif c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return len(text)


class _Eval:
    def __init__(self, lookup: Lookup, cwd: str, script_dir: str) -> None:
        self.lookup = lookup
        self.cwd = cwd
        self.script_dir = script_dir
        self.known = True
        self.fields: list[str] = []  # completed fields, when the word splits

    def split(self, out: list[str], value: str) -> None:
        """Append an unquoted expansion's value: whitespace in it separates fields."""
        pieces = value.split()
        if not pieces:
            return
        if value[:1].isspace() and out:
            self.fields.append("".join(out))
            out.clear()
        for k, piece in enumerate(pieces):
            if k:
                self.fields.append("".join(out))
                out.clear()
            out.append(piece)
        if value[-1:].isspace():
            self.fields.append("".join(out))
            out.clear()

    def param(self, expr: str) -> str:
        """Expand the inside of `${...}` (or a bare `$NAME`)."""
        name = expr
        op = ""
        arg = ""
        for candidate in (":-", ":=", ":+", ":?", "-", "=", "+", "?"):
            k = expr.find(candidate)
            if k > 0 and (expr[:k].isidentifier() or expr[:k] in _SPECIAL):
                name, op, arg = expr[:k], candidate, expr[k + len(candidate) :]
                break
        if name == "PWD":
            value: str | None = self.cwd
        else:
            value = self.lookup(name)
        if op in (":-", "-", ":=", "="):
            if value is None or (op.startswith(":") and value == ""):
                # A default the environment may override: the script means the default.
                return self.word(arg, quoted=True)
            return value
        if op in (":+", "+"):
            if value is None:
                self.known = False
                return "${" + expr + "}"
            return self.word(arg, quoted=True) if value else ""
        if value is None:
            self.known = False
            return "${" + expr + "}"
        return value

    def subst(self, inner: str, raw: str) -> str:
        """A command substitution: only the ones that name the working directory are known."""
        body = inner.strip()
        if body in ("pwd", "pwd -P"):
            return self.cwd
        if body in _SCRIPT_DIR_FORMS:
            return self.script_dir
        if body.startswith("cd ") and body.endswith("&& pwd") and "dirname" in body:
            return self.script_dir
        self.known = False
        return raw

    def word(self, text: str, quoted: bool = False) -> str:
        out: list[str] = []
        i = 0
        n = len(text)
        in_dq = quoted
        while i < n:
            c = text[i]
            if c == "'" and not in_dq:
                j = text.find("'", i + 1)
                j = n if j < 0 else j
                out.append(text[i + 1 : j])
                i = j + 1
            elif c == '"':
                in_dq = not in_dq if not quoted else in_dq
                if quoted:
                    out.append(c)
                i += 1
            elif c == "\\":
                nxt = text[i + 1 : i + 2]
                if nxt == "\n":
                    i += 2
                elif in_dq and nxt not in ('"', "\\", "$", "`"):
                    out.append(c)
                    i += 1
                else:
                    out.append(nxt)
                    i += 2
            elif c == "$" and i + 1 < n:
                nxt = text[i + 1]
                if text.startswith("$((", i):
                    j = matching(text, i + 1, "(", ")")
                    out.append(text[i:j])
                    self.known = False
                    i = j
                elif nxt == "(":
                    j = matching(text, i + 1, "(", ")")
                    out.append(self.subst(text[i + 2 : j - 1], text[i:j]))
                    i = j
                else:
                    if nxt == "{":
                        j = matching(text, i + 1, "{", "}")
                        value = self.param(text[i + 2 : j - 1])
                    elif nxt in _SPECIAL:
                        j = i + 2
                        value = self.param(nxt)
                    elif nxt.isalpha() or nxt == "_":
                        j = i + 1
                        while j < n and (text[j].isalnum() or text[j] == "_"):
                            j += 1
                        value = self.param(text[i + 1 : j])
                    else:
                        out.append(c)
                        i += 1
                        continue
                    if in_dq or quoted:
                        out.append(value)
                    else:
                        self.split(out, value)
                    i = j
            elif c == "`":
                j = text.find("`", i + 1)
                j = n if j < 0 else j
                out.append(self.subst(text[i + 1 : j], text[i : j + 1]))
                i = j + 1
            elif c in " \t\n" and not in_dq and not quoted:
                # Only make-expanded text has unquoted blanks inside one word: a field break.
                if out:
                    self.fields.append("".join(out))
                    out.clear()
                i += 1
            elif c == "~" and i == 0 and not in_dq:
                home = self.lookup("HOME")
                if home is None:
                    self.known = False
                    home = "${HOME}"
                out.append(home)
                i += 1
            else:
                out.append(c)
                i += 1
        return "".join(out)


def evaluate(raw: str, lookup: Lookup, cwd: str, script_dir: str) -> tuple[list[str], bool]:
    """The fields one shell word expands to, and whether every part of it was known.

    Usually one field; an unquoted expansion holding blanks gives several (field splitting), and
    one that is empty gives none.
    """
    ev = _Eval(lookup, cwd, script_dir)
    last = ev.word(raw)
    fields = [*ev.fields, last] if (last or not ev.fields) else ev.fields
    if fields == [""] and raw and not any(q in raw for q in "'\""):
        fields = []
    return fields, ev.known


def expand_make(raw: str, variables: Mapping[str, str], curdir: str, depth: int = 0) -> str:
    """Expand make variable references in `raw`, as make does before handing a line to the shell.

    `variables` holds unexpanded values (recursive `=` variables expand at use). Functions
    (`$(shell ...)`, `$(patsubst ...)`) are kept verbatim: the shell evaluator treats them as
    unknown command substitutions.
    """
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt in "({":
            close = ")" if nxt == "(" else "}"
            j = matching(raw, i + 1, nxt, close)
            inner = raw[i + 2 : j - 1]
            if inner == "CURDIR":
                out.append(curdir)
            elif inner in variables and depth < 20:
                out.append(expand_make(variables[inner], variables, curdir, depth + 1))
            elif " " in inner or "," in inner or ":" in inner:
                # A function call or substitution reference: unknown, kept as text.
                out.append("$(" + expand_make(inner, variables, curdir, depth + 1) + ")")
            else:
                # An undefined variable, or one from the environment or command line.
                out.append("${" + inner + "}")
            i = j
        else:
            if nxt.isalnum() or nxt in "_@<^+*?%|":
                out.append(expand_make(variables.get(nxt, "${" + nxt + "}"), variables, curdir,
                                       depth + 1))
            i += 2
    return "".join(out)


def expand_make_mapped(raw: str, variables: Mapping[str, str],
                       curdir: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """Expand a recipe line as make does before the shell sees it, keeping for each character
    of the result the range of `raw` it came from (so the shell's spans map back to the file)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        if raw[i] == "$" and i + 1 < n:
            nxt = raw[i + 1]
            if nxt in "({":
                j = matching(raw, i + 1, nxt, ")" if nxt == "(" else "}")
            elif nxt == "$" or nxt.isalnum() or nxt in "_@<^+*?%|":
                j = i + 2
            else:
                j = i + 1
            piece = expand_make(raw[i:j], variables, curdir) if j > i + 1 else raw[i]
            out.append(piece)
            starts.extend([i] * len(piece))
            ends.extend([j] * len(piece))
            i = j
            continue
        out.append(raw[i])
        starts.append(i)
        ends.append(i + 1)
        i += 1
    return "".join(out), tuple(starts), tuple(ends)


def host_path(value: str, cwd: str) -> str:
    """An absolute, normalised host path for `value` used in directory `cwd`.

    A path that starts with an unknown variable (`${HOME}/.m2`, `${TMP}/ctx`) names an unknown
    place, not one under `cwd`: it is kept as it is.
    """
    if value.startswith("${"):
        return posixpath.normpath(value)
    path = value if value.startswith("/") else posixpath.join(cwd, value)
    norm = posixpath.normpath(path)
    if value.endswith("/.") or value == ".":
        return norm + "/."
    if value.endswith("/") and norm != "/":
        return norm + "/"
    return norm
