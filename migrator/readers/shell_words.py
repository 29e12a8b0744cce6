"""What a shell word means: quote removal, parameter expansion and the few command substitutions
whose answer is fixed, over the source text of one word the parser found.

Unknown parts stay as text (`${TAG}`, `$(git ...)`) and mark the word unknown, so two words
naming the same unknown compare equal and a rewrite can quote them back verbatim. Nothing is run:
`$(dirname "$0")`, `$(pwd)`, `$(cd ... && pwd)`, `readlink -f`, `realpath`, `basename` are
computed from the paths the reader knows; `uname` gets a fixed answer that is reported.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Protocol

from migrator.readers import shell_subst
from migrator.readers.shell_frame import Sym, Value
from migrator.readers.words import matching

_SPECIAL = set("@*#?-$!0123456789")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-]")
# ops after the name in `${NAME<op>...}`, longest first
_OPS = (":-", ":=", ":+", ":?", "##", "%%", "//", "/#", "/%", "^^", ",,",
        "-", "=", "+", "?", "#", "%", "/", "^", ",", ":")


# The output of one of the script's functions called with these words (`$(image api)`).
Output = Callable[[list[str]], "str | None"]


class Scope(Protocol):
    cwd: str

    def lookup(self, name: str) -> Value: ...

    def array(self, name: str) -> tuple[str, ...] | None: ...

    def set(self, name: str, value: Value) -> None: ...


def glob_match(value: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


class _Eval:
    def __init__(self, scope: Scope, notes: list[str] | None, output: Output | None = None) -> None:
        self.scope = scope
        self.output = output
        self.known = True
        self.notes = notes
        self.fields: list[str] = []  # completed fields, when the word splits

    # ------------------------------------------------------------ fields

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

    def spread(self, out: list[str], items: tuple[str, ...], quoted: bool) -> None:
        """`"$@"`, `"${a[@]}"`: each element a field of its own (joined to the text around)."""
        for k, item in enumerate(items):
            if k:
                self.fields.append("".join(out))
                out.clear()
            if quoted:
                out.append(item)
            else:
                self.split(out, item)

    # ------------------------------------------------------------ parameters

    def value(self, name: str, index: str | None) -> Value:
        if index is None:
            return self.scope.lookup(name)
        if index in ("@", "*"):
            items = self.scope.array(name)
            return None if items is None else " ".join(items)
        items = self.scope.array(name)
        if items is None or not index.lstrip("-").isdigit():
            return None
        k = int(index)
        return items[k] if -len(items) <= k < len(items) else ""

    def unknown(self, expr: str) -> str:
        self.known = False
        return "${" + expr + "}"

    def param(self, expr: str) -> str | tuple[str, ...]:
        """Expand the inside of `${...}` (or a bare `$NAME`); a tuple for `${a[@]}`."""
        if expr.startswith("#") and len(expr) > 1:
            return self.length(expr)
        m = _NAME.match(expr)
        if m is None:
            return self.unknown(expr)  # `${!ref}` and other indirections
        name, rest = m.group(), expr[m.end():]
        index = None
        if rest.startswith("["):
            end = rest.find("]")
            index, rest = rest[1:end], rest[end + 1:]
        value = self.value(name, index)
        if not rest:
            if index == "@" or (name in ("@", "*") and index is None):
                items = self.scope.array(name)
                if items is not None:
                    if any(isinstance(i, Sym) for i in items):
                        self.known = False
                    return items
            if value is None:
                return self.unknown(expr)
            if isinstance(value, Sym):
                self.known = False
            return value
        op = next((o for o in _OPS if rest.startswith(o)), None)
        if op is None:
            return self.unknown(expr)
        return self.operate(expr, name, value, op, rest[len(op):])

    def length(self, expr: str) -> str:
        name = expr[1:]
        if name.endswith("[@]") or name.endswith("[*]"):
            items = self.scope.array(name[:-3])
            return str(len(items)) if items is not None else self.unknown(expr)
        value = self.scope.lookup(name) if _NAME.fullmatch(name) else None
        if value is None or isinstance(value, Sym):
            return self.unknown(expr)
        return str(len(value))

    def operate(self, expr: str, name: str, value: Value, op: str, arg: str) -> str:
        if op in (":-", "-", ":=", "=", ":?", "?"):
            empty = value is None or (op.startswith(":") and value == "")
            if not empty:
                if isinstance(value, Sym):
                    self.known = False
                return value or ""
            if op in (":?", "?"):
                return self.unknown(expr)  # the script stops here when it is not given
            default = self.word(arg, quoted=True)
            if op in (":=", "=") and _NAME.fullmatch(name) and not name[0].isdigit():
                self.scope.set(name, default if self.known else Sym(default))
            return default
        if value is None or isinstance(value, Sym):
            return self.unknown(expr)
        if op in (":+", "+"):
            return self.word(arg, quoted=True) if (value or op == "+") else ""
        if op == ":":
            return self.substring(expr, value, arg)
        pattern = self.word(arg.split("/", 1)[0] if op.startswith("/") else arg)
        return self.trim(value, op, pattern, arg)

    def substring(self, expr: str, value: str, arg: str) -> str:
        parts = arg.split(":", 1)
        try:
            start = int(parts[0].strip() or "0")
            length = int(parts[1]) if len(parts) > 1 else None
        except ValueError:
            return self.unknown(expr)
        tail = value[start:] if start >= 0 else value[len(value) + start:]
        return tail if length is None else tail[:length]

    def trim(self, value: str, op: str, pattern: str, arg: str) -> str:
        n = len(value)
        if op in ("#", "##"):
            order = range(n + 1) if op == "#" else range(n, -1, -1)
            return next((value[k:] for k in order if glob_match(value[:k], pattern)), value)
        if op in ("%", "%%"):
            order = range(n, -1, -1) if op == "%" else range(n + 1)
            return next((value[:k] for k in order if glob_match(value[k:], pattern)), value)
        if op in ("^^", "^"):
            return value.upper() if op == "^^" else value[:1].upper() + value[1:]
        if op in (",,", ","):
            return value.lower() if op == ",," else value[:1].lower() + value[1:]
        repl = self.word(arg.split("/", 1)[1], quoted=True) if "/" in arg else ""
        return _replace(value, op, pattern, repl)

    # ------------------------------------------------------------ command substitution

    def subst(self, inner: str, raw: str) -> str:
        """A command substitution: the ones about paths or the machine are answered; one
        that makes a container is that container (the reader records its command)."""
        container = shell_subst.inline_container(inner)
        if container is not None:
            self.known = False
            return "${" + container + "}"
        answer = self.answer(inner)
        if answer is None:
            self.known = False
            if self.notes is not None and inner.split()[:1] not in (["docker"], ["sudo"]):
                self.notes.append(f"`{raw}` is not run: kept as it is, an unknown value")
            return raw
        return answer

    def answer(self, body: str) -> str | None:
        tokens = shell_subst.tokenize(body)
        if not tokens:
            return None
        tokens = shell_subst.drop_redirects(tokens)
        if tokens[0] == "cd" and ("&&" in tokens or ";" in tokens):
            return self.cd_pwd(tokens)
        if not tokens or any(t in ("|", "||", "&&", ";", "&") for t in tokens):
            return None
        args = [self.sub_word(t) for t in tokens]
        if any(a is None for a in args):
            return None
        found = self.output([a for a in args if a is not None]) if self.output else None
        if found is not None:
            return found
        return shell_subst.answer([a for a in args if a is not None], self.scope.cwd, self.notes)

    def cd_pwd(self, tokens: list[str]) -> str | None:
        """`cd "$(dirname "$0")/.." && pwd`: the directory itself."""
        ops = [i for i, t in enumerate(tokens) if t in ("&&", ";")]
        if len(ops) != 1 or tokens[0] != "cd" or tokens[ops[0] + 1:] not in (["pwd"],
                                                                              ["pwd", "-P"]):
            return None
        target = [t for t in tokens[1:ops[0]] if t not in ("-P", "-L", "--")]
        if len(target) != 1:
            return None
        path = self.sub_word(target[0])
        return None if path is None else shell_subst.abspath(path, self.scope.cwd)

    def sub_word(self, text: str) -> str | None:
        sub = _Eval(self.scope, self.notes, self.output)
        value = sub.word(text)
        return value if sub.known and not sub.fields else None

    # ------------------------------------------------------------ the word

    def dollar(self, text: str, i: int, out: list[str], in_dq: bool) -> int:
        """Expand the `$...` at text[i]; returns the index after it."""
        nxt = text[i + 1]
        if text.startswith("$((", i):
            j = matching(text, i + 1, "(", ")")
            out.append(text[i:j])
            self.known = False
            return j
        if nxt == "'":  # $'...': ANSI-C quoting, where \' does not end it
            j = i + 2
            while j < len(text) and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            j = min(j, len(text))
            out.append(_ansi_c(text[i + 2 : j]))
            return j + 1
        if nxt == "(":
            j = matching(text, i + 1, "(", ")")
            out.append(self.subst(text[i + 2 : j - 1], text[i:j]))
            return j
        if nxt == "{":
            j = matching(text, i + 1, "{", "}")
            value = self.param(text[i + 2 : j - 1])
        elif nxt in _SPECIAL:
            j = i + 2
            value = self.param(nxt)
        elif nxt.isalpha() or nxt == "_":
            j = i + 1
            while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                j += 1
            value = self.param(text[i + 1 : j])
        else:
            out.append("$")
            return i + 1
        if isinstance(value, tuple):
            self.spread(out, value, in_dq)
        elif in_dq:
            out.append(value)
        else:
            self.split(out, value)
        return j

    def word(self, text: str, quoted: bool = False) -> str:
        """One word's value; `quoted`: no field splitting (a default inside `${X:-...}`)."""
        out: list[str] = []
        i = 0
        n = len(text)
        in_dq = False
        while i < n:
            c = text[i]
            if c == "'" and not in_dq:
                j = text.find("'", i + 1)
                j = n if j < 0 else j
                out.append(text[i + 1 : j])
                i = j + 1
            elif c == '"':
                in_dq = not in_dq
                i += 1
            elif c == "\\":
                i = _backslash(text, i, in_dq, out)
            elif c == "$" and i + 1 < n:
                i = self.dollar(text, i, out, in_dq or quoted)
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
            elif c == "~" and i == 0 and not in_dq and text[1:2] in ("", "/"):
                out.append(self.home())
                i += 1
            else:
                out.append(c)
                i += 1
        return "".join(out)

    def home(self) -> str:
        home = self.scope.lookup("HOME")
        if home is None or isinstance(home, Sym):
            self.known = False
            return "${HOME}"
        return home


def _ansi_c(body: str) -> str:
    """The value of `$'...'` (`\\n`, `\\t`, `\\'` and the like)."""
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return body


def _backslash(text: str, i: int, in_dq: bool, out: list[str]) -> int:
    nxt = text[i + 1 : i + 2]
    if nxt == "\n":
        return i + 2
    if in_dq and nxt not in ('"', "\\", "$", "`"):
        out.append("\\")
        return i + 1
    out.append(nxt)
    return i + 2


def _replace(value: str, op: str, pattern: str, repl: str) -> str:
    """`${v/pat/rep}` and friends, with glob patterns."""
    if not pattern:
        return value
    rx = fnmatch.translate(pattern).removeprefix("(?s:").removesuffix(")\\Z")
    if op == "/#":
        return re.sub(f"^(?:{rx})", repl.replace("\\", "\\\\"), value, count=1)
    if op == "/%":
        return re.sub(f"(?:{rx})$", repl.replace("\\", "\\\\"), value, count=1)
    return re.sub(f"(?:{rx})", repl.replace("\\", "\\\\"), value, count=0 if op == "//" else 1)


def evaluate(raw: str, scope: Scope, notes: list[str] | None = None,
             output: Output | None = None) -> tuple[list[str], bool]:
    """The fields one shell word expands to, and whether every part of it was known.

    Usually one field; an unquoted expansion holding blanks gives several (field splitting), and
    one that is empty gives none.
    """
    ev = _Eval(scope, notes, output)
    last = ev.word(raw)
    fields = [*ev.fields, last] if (last or not ev.fields) else ev.fields
    if fields == [""] and raw and not any(q in raw for q in "'\""):
        fields = []
    return fields, ev.known
