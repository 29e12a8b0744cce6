"""What every reader of one project shares: its files, their texts, the run's `--set` overrides,
and the stack of files being read (a build that runs itself is refused, not followed forever).

Readers never open files themselves: `ReaderContext.text` reads each project file at most once.
When a command runs another project file (`./build.sh`, `bash hack/build.sh`, `make -C dir
target VAR=value`, `$(MAKE) target`), a reader hands the command to `ReaderContext.run`, which
reads that file with the right reader in the command's directory and returns its commands, each
with its own `file:line`. Nothing here executes anything.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace

from migrator.discover import shell_shebang
from migrator.model import PROJECT, Command, Loc, Problem, Unsupported
from migrator.readers import words
from migrator.readers.shell_frame import Sym

MAKEFILE_NAMES = ("GNUmakefile", "makefile", "Makefile")
_SHELLS = {"sh", "bash", "dash", "ksh", "zsh", "/bin/sh", "/bin/bash", "/usr/bin/env"}
_MAKES = {"make", "gmake", "/usr/bin/make"}
# make options that take the next word as their value.
_MAKE_OPTS_WITH_ARG = {"-C", "-f", "-j", "-l", "-o", "-W", "-I", "--file", "--directory",
                       "--makefile", "--include-dir", "--jobs", "--load-average"}


@dataclass(frozen=True)
class Call:
    """A command that runs a project file: which file, how, with what."""

    kind: str  # "shell" | "make"
    path: str  # project-relative file
    cwd: str  # directory it runs in, absolute under PROJECT
    args: tuple[str, ...] = ()  # shell: positional parameters
    targets: tuple[str, ...] = ()  # make: goals (empty: the default goal)
    variables: tuple[tuple[str, str], ...] = ()  # make: `VAR=value` on the command line


@dataclass(frozen=True)
class Read:
    """The commands (and warnings) of a followed file, in execution order."""

    commands: tuple[Command, ...]
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()  # what reading assumed (said in --explain)


class ReaderContext:
    """One project's files as the readers see them (texts cached, nothing executed)."""

    def __init__(self, root: str, files: frozenset[str], load: Callable[[str], str],
                 overrides: tuple[tuple[str, str], ...] = (),
                 texts: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.files = files
        self.overrides = dict(overrides)
        self._load = load
        self._texts: dict[str, str] = dict(texts or {})
        self.stack: list[tuple[str, Loc | None]] = []  # (file being read, where it was run)
        self._running: list[tuple[str, tuple[str, ...]]] = []  # (file, its arguments or goals)
        self.read_files: list[str] = []  # every file a reader followed, in order

    # ------------------------------------------------------------ files

    def text(self, path: str, loc: Loc | None = None) -> str:
        """A project file's text, read once. A missing file is an error at `loc`."""
        if path not in self._texts:
            if path not in self.files:
                raise Unsupported(loc, f"{path}: no such file in the project")
            try:
                self._texts[path] = self._load(path)
            except Unsupported as exc:
                raise Unsupported(exc.problem.loc or loc, exc.problem.message) from None
        return self._texts[path]

    def is_file(self, path: str) -> bool:
        return path in self.files

    @contextmanager
    def entering(self, path: str, loc: Loc | None, how: tuple[str, ...] = ()) -> Iterator[None]:
        """Read `path` (run with arguments or make goals `how`) on behalf of the command at
        `loc`. The same file run the same way while it is being read is a cycle: it would never
        end. (A Makefile that runs `$(MAKE) other-goal` is not one.)"""
        chain = [p for p, _ in self.stack]
        if (path, how) in self._running:
            cycle = " -> ".join([*chain[self._running.index((path, how)):], path])
            raise Unsupported(loc, f"{path} runs itself ({cycle}); cannot follow the build")
        self.stack.append((path, loc))
        self._running.append((path, how))
        if path not in self.read_files:
            self.read_files.append(path)
        try:
            yield
        finally:
            self.stack.pop()
            self._running.pop()

    def clear(self) -> None:
        """Forget the stack (after a read that failed part-way)."""
        self.stack.clear()
        self._running.clear()

    # ------------------------------------------------------------ following

    def call(self, cmd: Command) -> Call | None:
        """What project file `cmd` runs, if it runs one."""
        # An unknown word stays unknown for the file it is passed to (`./build.sh "$TAG"`).
        argv = tuple(w.value if w.known else Sym(w.value) for w in cmd.argv)
        if not argv:
            return None
        name = argv[0]
        if posixpath.basename(name) in _MAKES or name in _MAKES:
            return self._make_call(cmd, list(argv[1:]))
        if name in _SHELLS:
            rest = list(argv[1:])
            if name == "/usr/bin/env" and rest and rest[0] in _SHELLS:
                rest = rest[1:]
            while rest and rest[0].startswith("-") and rest[0] not in ("-c", "--"):
                rest = rest[1:]
            if not rest or rest[0] == "-c":
                return None
            rest = rest[1:] if rest[0] == "--" else rest
            path = self._rel(rest[0], cmd.cwd) if rest else None
            return Call("shell", path, cmd.cwd, tuple(rest[1:])) if path else None
        if "/" not in name:
            return None  # a bare name is looked up on PATH, not in the project
        path = self._rel(name, cmd.cwd)
        if path is None:
            return None
        if posixpath.basename(path) in MAKEFILE_NAMES or not self._is_shell(path):
            return None
        return Call("shell", path, cmd.cwd, tuple(argv[1:]))

    def _is_shell(self, path: str) -> bool:
        """A file run by path is read as shell unless its `#!` names another interpreter (a
        Python helper) or it is not text (a binary)."""
        try:
            first = self.text(path).split("\n", 1)[0]
        except Unsupported:
            return False
        return not first.startswith("#!") or shell_shebang(first)

    def _make_call(self, cmd: Command, rest: list[str]) -> Call | None:
        cwd, makefile = cmd.cwd, None
        targets: list[str] = []
        variables: list[tuple[str, str]] = []
        i = 0
        while i < len(rest):
            a = rest[i]
            opt, eq, val = a.partition("=")
            if a in _MAKE_OPTS_WITH_ARG or (a[:2] in ("-C", "-f", "-j") and len(a) > 2):
                value = rest[i + 1] if a in _MAKE_OPTS_WITH_ARG and i + 1 < len(rest) else a[2:]
                i += 2 if a in _MAKE_OPTS_WITH_ARG else 1
                if a in ("-C", "--directory") or (a.startswith("-C") and a != "-C"):
                    cwd = words.host_path(value, cwd)
                elif a in ("-f", "--file", "--makefile") or a.startswith("-f"):
                    makefile = value
                continue
            if a.startswith("--") and eq and opt in _MAKE_OPTS_WITH_ARG:
                if opt == "--directory":
                    cwd = words.host_path(val, cwd)
                elif opt in ("--file", "--makefile"):
                    makefile = val
            elif a in ("--dry-run", "--just-print", "--question", "--print-data-base") or (
                    a.startswith("-") and not a.startswith("--") and set(a[1:]) & set("npq")):
                return None  # make -n/-q/-p prints or tests; it runs no recipe
            elif a.startswith("-"):
                pass
            elif eq and opt and opt.replace("_", "").isalnum():
                variables.append((opt, val))
            else:
                targets.append(a)
            i += 1
        cwd = cwd.rstrip("/").removesuffix("/.")
        names = (makefile,) if makefile else MAKEFILE_NAMES
        for n in names:
            path = self._rel(n, cwd)
            if path is not None:
                return Call("make", path, cwd, (), tuple(targets), tuple(variables))
        return None

    def _rel(self, value: str, cwd: str) -> str | None:
        """The project file `value` names from `cwd`, if it is one."""
        if "$" in value or "`" in value:
            return None
        full = words.host_path(value, cwd)
        if not full.startswith(PROJECT + "/"):
            return None
        rel = full[len(PROJECT) + 1 :]
        return rel if rel in self.files else None

    def run(self, cmd: Command, env: Mapping[str, str | None] | None = None) -> Read | None:
        """Read the project file `cmd` runs (None if it runs none). `env` is what the caller
        passes on (exported variables); the command's own `K=V` assignments are added."""
        call = self.call(cmd)
        if call is None:
            return None
        passed: dict[str, str | None] = dict(env or {})
        passed.update(cmd.env)
        how = call.targets + tuple(f"{k}={v}" for k, v in call.variables) + call.args
        with self.entering(call.path, cmd.loc, how):
            text = self.text(call.path, cmd.loc)
            got = _read_make(self, call, text, passed, cmd.loc) if call.kind == "make" else \
                _read_shell(self, call, text, passed)
        via = (*cmd.calls, cmd)
        return Read(tuple(replace(c, via=(*via, *c.via)) for c in got.commands), got.problems,
                    got.notes)


def _read_shell(ctx: ReaderContext, call: Call, text: str,
                env: dict[str, str | None]) -> Read:
    from migrator.readers.shell import ShellReader, _Frag, initial_frame

    script_dir = posixpath.join(PROJECT, posixpath.dirname(call.path)).rstrip("/")
    reader = ShellReader(call.path, text, script_dir=script_dir, ctx=ctx)
    given = {**env, **ctx.overrides}
    frame = initial_frame(given, call.cwd, call.args)
    frame.exported |= set(given)  # what the caller exported stays exported
    reader.read(_Frag(text), frame)
    return Read(tuple(reader.shared.commands), tuple(reader.shared.problems),
                tuple(reader.shared.notes))


def _read_make(ctx: ReaderContext, call: Call, text: str,
               env: dict[str, str | None], loc: Loc) -> Read:
    from migrator.readers.make import parse_makefile, read_make

    # The caller's exported variables are make's environment (the Makefile's own assignments
    # beat them); `make VAR=x` and --set are command-line variables (they beat the Makefile).
    known_env = {k: v for k, v in env.items() if v is not None}
    mk = parse_makefile(call.path, text,
                        overrides=tuple({**dict(call.variables), **ctx.overrides}.items()),
                        curdir=call.cwd, ctx=ctx, environment=known_env)
    goals = call.targets or ((mk.default_goal,) if mk.default_goal else ())
    commands: list[Command] = []
    problems: list[Problem] = []
    for goal in goals:
        if mk.rule(goal) is None:
            raise Unsupported(loc, f"no target {goal!r} in {call.path}")
        script = read_make(mk, goal, ctx)
        commands.extend(script.commands)
        problems.extend(script.problems)
    return Read(tuple(commands), tuple(problems))
