#!/usr/bin/env python3
"""migrator benchmark: start-up time, and (with --verify) build and verification speed.

    python benchmarks/bench.py                      # start-up only (no Docker needed)
    python benchmarks/bench.py --importtime         # + `python -X importtime` top modules
    python benchmarks/bench.py --verify             # + builds on the private test engine
    python benchmarks/bench.py --verify --json      # the same as JSON on stdout

See benchmarks/README.md for what each number means, the budgets and the goals.

Start-up: every command is a fresh process (a cold start: nothing of migrator is imported
yet), run with this interpreter (sys.executable), round-robin: one run of each command per
round, with the order rotated every round, so drift on the machine hits all of them alike.

Verify (--verify) only talks to the PRIVATE test engine (tests/engine/setup.sh,
DOCKER_HOST=unix:///run/migrator-test/docker.sock) and refuses any other. Before each cold
measurement it empties that engine's BuildKit build cache (`docker builder prune -af`, limited by
id to the records not shared with an image; see Engine.cold_reset for why), and after each run
it removes the images, tags and containers that run made, as named in its own build output.
Images that were on the engine before it started are never removed (unless --prune-stale is
given: it removes the *untagged* ones older than 10 minutes, leftovers of earlier classic-builder
runs, which would otherwise serve as classic build cache).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
HREF = SAMPLES / "href-counter"

TEST_SOCK = "/run/migrator-test/docker.sock"
TEST_HOST = "unix://" + TEST_SOCK
TEST_PIDFILE = "/run/migrator-test/docker.pid"
TEST_DATA_ROOT = "/var/lib/migrator-test/docker"
DOCKER = "/usr/bin/docker"  # docker.io 20.10: BuildKit built in (see tests/engine/README.md)
BUILDERS = {"buildkit": "1", "classic": "0"}

# Start-up budgets: median wall time as a multiple of `python -c pass`.
BUDGETS = {"check_noop": 4.0, "dry_run_href": 6.0, "hook_noop": 3.0}
# Verify goals.
GOAL_VERIFY_RATIO = 1.3  # verify wall / legacy cold build, for legacy builds >= 10 s
GOAL_VERIFY_MIN_LEGACY = 10.0
GOAL_MIGRATED_RATIO = 1.0  # migrated build / legacy build (strictly below)
GOAL_REBUILD_RATIO = 0.3  # no-change rebuild / legacy cold build

FIXED_COST_NOTE = (
    "The stand-in samples build in about a second (the stand-in go/npm tools do no real work), "
    "so every ratio below is dominated by fixed costs (docker client and container start-up, "
    "migrator's start-up, copying the project, snapshotting and comparing the images), not by "
    "build work. The verify/legacy goal (<= 1.3x) applies only to a legacy build of >= 10 s; "
    "for these samples it is shown for information (n/a)."
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ how migrate is run


def migrate_command(force_module: bool, name: str = "migrate",
                    module: str = "migrator") -> tuple[list[str], str]:
    """The `migrate` (or `name`) console script next to sys.executable if it runs this
    interpreter, else `sys.executable -m migrator` (or `module`)."""
    script = Path(sys.executable).parent / name
    if not force_module and script.is_file() and os.access(script, os.X_OK):
        with open(script, encoding="utf-8", errors="replace") as f:
            first = f.readline().strip()
        interp = first[2:].split()[0] if first.startswith("#!") and first[2:].split() else ""
        if interp and os.path.realpath(interp) == os.path.realpath(sys.executable):
            return [str(script)], f"console script {script} (#!{interp})"
    return [sys.executable, "-m", module], f"{sys.executable} -m {module}"


# ------------------------------------------------------------------ start-up


def make_noop_project(root: Path) -> Path:
    """A project with no legacy pattern: a Dockerfile and a build.sh with one docker build."""
    proj = root / "noop"
    proj.mkdir()
    (proj / "Dockerfile").write_text('FROM alpine:latest\nCMD ["echo", "hello"]\n')
    (proj / "build.sh").write_text("#!/bin/sh\ndocker build -t x .\n")
    (proj / "build.sh").chmod(0o755)
    return proj


# --check exits 0 when nothing would change; --dry-run exits 1 (EXIT_CHANGES) when it shows a diff.
OK_CODES = {"baseline": {0}, "check_noop": {0}, "dry_run_href": {0, 1}, "hook_noop": {0}}


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, env=env, cwd=REPO).returncode
    return time.perf_counter() - t0, rc


def bench_startup(migrate: list[str], noop: Path, runs: int,
                  hook: list[str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") or k in ("PYTHONPATH", "PYTHONHASHSEED")}
    cmds = {
        "baseline": [sys.executable, "-c", "pass"],
        "check_noop": [*migrate, "--check", str(noop)],
        "dry_run_href": [*migrate, "--dry-run", str(HREF)],
        # what pre-commit runs for a commit of a README and a Go file (were the `files:`
        # filter of .pre-commit-hooks.yaml not there)
        "hook_noop": [*hook, "README.md", "src/main.go", "docs/notes.txt"],
    }
    labels = {
        "baseline": "python -c pass",
        "check_noop": "migrate --check <no-legacy project>",
        "dry_run_href": "migrate --dry-run samples/href-counter",
        "hook_noop": "migrate-hook <commit with no Dockerfile/build script>",
    }
    # One untimed round: the commands must work, and the page cache / .pyc files are warm for
    # every timed run alike (each timed run is still a fresh, cold process).
    for name, argv in cmds.items():
        _, rc = _timed(argv, env)
        if rc not in OK_CODES[name]:
            raise SystemExit(f"bench: {' '.join(argv)} exited {rc}")
    times: dict[str, list[float]] = {n: [] for n in cmds}
    names = list(cmds)
    for r in range(runs):
        order = names[r % len(names):] + names[:r % len(names)]  # rotate: no fixed position
        for name in order:
            t, rc = _timed(cmds[name], env)
            if rc not in OK_CODES[name]:
                raise SystemExit(f"bench: {' '.join(cmds[name])} exited {rc}")
            times[name].append(t)
    base = statistics.median(times["baseline"])
    out: dict[str, Any] = {"runs": runs, "order": "round-robin, rotated each round",
                           "commands": {}}
    for name in names:
        med = statistics.median(times[name])
        entry: dict[str, Any] = {
            "label": labels[name], "argv": cmds[name], "median_s": med,
            "min_s": min(times[name]), "max_s": max(times[name]), "runs_s": times[name],
            "ratio": med / base,
        }
        if name in BUDGETS:
            entry["budget_ratio"] = BUDGETS[name]
            entry["pass"] = med / base <= BUDGETS[name]
        out["commands"][name] = entry
    out["budgets_pass"] = all(c.get("pass", True) for c in out["commands"].values())
    return out


def importtime(migrate: list[str], top: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    argv = [*migrate, "--dry-run", str(HREF)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        # "import time:      self |  cumulative |   <two spaces per nesting level>name"
        parts = line[len("import time:"):].split("|", 2)
        if len(parts) != 3:
            continue
        try:
            self_us, cum_us = int(parts[0]), int(parts[1])
        except ValueError:
            continue
        name = parts[2]
        level = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append({"module": name.strip(), "level": level, "self_us": self_us,
                     "cumulative_us": cum_us})
    toplevel = sorted((r for r in rows if r["level"] == 0), key=lambda r: -r["cumulative_us"])
    by_self = sorted(rows, key=lambda r: -r["self_us"])
    return {
        "argv": ["PYTHONPROFILEIMPORTTIME=1", *argv],
        "total_imports_us": sum(r["cumulative_us"] for r in toplevel),
        "modules_imported": len(rows),
        "top_cumulative": toplevel[:top],
        "top_self": by_self[:top],
    }


# ------------------------------------------------------------------ the private engine


class EngineRefused(Exception):
    pass


class EngineBusy(Exception):
    pass


IDLE_QUIET = 2.0  # seconds without another client's activity before a build-cache reset


# What a build prints, in either builder's plain output, that names what it made.
_CLASSIC_STEP = re.compile(r"^ ---> ([0-9a-f]{12})$")
_CLASSIC_BUILT = re.compile(r"^Successfully built ([0-9a-f]{12})$")
_CLASSIC_TAGGED = re.compile(r"^Successfully tagged (\S+)$")
_BK_IMAGE = re.compile(r"writing image sha256:([0-9a-f]{64})")
_BK_NAMED = re.compile(r"naming to (\S+)")
_BK_STEP = re.compile(r"^#(\d+) (.*)$")


def normalize_ref(ref: str) -> str:
    for prefix in ("docker.io/library/", "docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
    return ref if ":" in ref.rsplit("/", 1)[-1] else ref + ":latest"


def parse_build_output(text: str) -> tuple[set[str], set[str], int, int]:
    """(tags, image ids, cache hits, cache hits on what this same run built earlier) that
    docker build output names. Ids of classic steps are 12 hex digits, BuildKit's are 64. A
    BuildKit `FROM` step always says CACHED (the base image is local): not a hit. A hit counts
    as the run's own when it lands on an image the run printed before (classic), or on a step
    whose instruction an earlier build of the run had (BuildKit)."""
    refs: set[str] = set()
    ids: set[str] = set()
    hits = own = 0
    pending_cache = False
    bk_names: dict[str, str] = {}
    bk_earlier: set[str] = set()  # instructions of the run's earlier BuildKit builds
    bk_this: set[str] = set()
    for line in text.splitlines():
        line = line.rstrip()
        if m := _CLASSIC_STEP.match(line) or _CLASSIC_BUILT.match(line):
            if pending_cache and _CLASSIC_STEP.match(line):
                if m.group(1) in ids:
                    own += 1
                else:
                    hits += 1
                pending_cache = False
            ids.add(m.group(1))
        elif m := _CLASSIC_TAGGED.match(line):
            refs.add(normalize_ref(m.group(1)))
        elif line.strip() == "---> Using cache":
            pending_cache = True
        if m := _BK_IMAGE.search(line):
            ids.add(m.group(1))
        if m := _BK_NAMED.search(line):
            refs.add(normalize_ref(m.group(1)))
        if m := _BK_STEP.match(line):
            num, rest = m.groups()
            if num == "1" and rest.startswith("[internal] load build definition"):
                bk_earlier |= bk_this  # a new build starts
                bk_this = set()
                bk_names = {}
            if num not in bk_names:
                bk_names[num] = rest
                instr = re.sub(r"^\[[^\]]*\] ", "", rest)
                if rest.startswith("["):
                    bk_this.add(instr)
            if rest == "CACHED" and " FROM " not in " " + bk_names.get(num, ""):
                instr = re.sub(r"^\[[^\]]*\] ", "", bk_names.get(num, ""))
                if instr in bk_earlier:
                    own += 1
                else:
                    hits += 1
    return refs, ids, hits, own


WRAPPER = """#!/bin/bash
# migrator benchmark: {docker}, with the output of `build` also appended to the log below, so
# the benchmark knows which images a `migrate --verify` run made.
sub=
for a in "$@"; do
  case $a in -*) ;; image|builder|buildx) ;; *) sub=$a; break ;; esac
done
if [ "$sub" = build ]; then
  {docker} "$@" > >(/usr/bin/tee -a {log}) 2> >(/usr/bin/tee -a {log} >&2)
  rc=$?
  wait
  exit $rc
fi
exec {docker} "$@"
"""


class Engine:
    """The private test engine, and the bookkeeping that keeps the benchmark to its own images.

    What is "ours" is read from the build output of our runs (the tags they name, the image ids
    they print), never guessed from what is new on the engine: other clients may be using the
    same engine at the same time."""

    def __init__(self) -> None:
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")}
        self.env["DOCKER_HOST"] = TEST_HOST
        self.base_ids: set[str] = set()
        self.base_tags: dict[str, str] = {}
        self.notes: list[str] = []
        self.kept_tags: dict[str, str] = {}  # our tags left on pre-existing images (see release)
        self.restored: set[str] = set()
        self.our_tokens: set[str] = set()  # migrate --verify's mv-<token> namespaces of our runs
        self.our_refs: set[str] = set()
        self.all_ids: set[str] = set()  # every image id our runs printed
        self.started = time.time()
        self.last_own = self.started
        self.idle_timeout = 180.0
        self.full_prune = False

    def d(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run([DOCKER, *args], capture_output=True, text=True, env=self.env,
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        finally:
            self.last_own = time.time()

    # -- nobody else building
    def others_busy(self, since: float) -> str | None:
        """What shows that another client is using the engine now, or None. Our own runs are
        over whenever this is asked, so anything running, and any event after `since`, is
        theirs."""
        running = self.d("ps", "-q").stdout.split()
        if running:
            return f"{len(running)} running containers"
        executor = TEST_DATA_ROOT + "/buildkit/executor"
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if executor.encode() in cmd:
                return "a BuildKit build step is running"
        now = time.time()
        ev = subprocess.run([DOCKER, "events", "--since", f"{since:.3f}", "--until", f"{now:.3f}",
                             "--format", "{{.Type}} {{.Action}}"], capture_output=True, text=True,
                            env=self.env, timeout=60, stdin=subprocess.DEVNULL).stdout.split("\n")
        ev = [e for e in ev if e.strip()]
        return f"{len(ev)} engine events from another client" if ev else None

    def wait_idle(self) -> None:
        """Wait until no other client has used the engine for IDLE_QUIET seconds.

        `docker builder prune` while another client's BuildKit build resolves its FROM image
        can crash dockerd 20.10 (nil pointer in the BuildKit cache manager's GetByBlob, as in
        moby/buildkit#2153: it happened here), so cache resets only happen on an idle engine."""
        deadline = time.time() + self.idle_timeout
        quiet_from = self.last_own  # our last call ended here: later events are someone else's
        waited = False
        while True:
            busy = self.others_busy(quiet_from)
            now = time.time()
            if busy:
                quiet_from = now
                if not waited:
                    log(f"  engine in use by another client ({busy}); waiting for it to be idle")
                waited = True
            elif now - quiet_from >= IDLE_QUIET:
                return
            if now > deadline:
                raise EngineBusy(
                    f"the test engine was not idle for {IDLE_QUIET:.0f} s within "
                    f"{self.idle_timeout:.0f} s ({busy or 'recent activity'}); a build-cache "
                    "reset while another client builds can crash dockerd 20.10, so the verify "
                    "benchmark needs the engine to itself (--idle-timeout to wait longer)")
            time.sleep(0.5)

    # -- the guard
    def check_private(self) -> None:
        host = os.environ.get("DOCKER_HOST", "")
        if host != TEST_HOST:
            raise EngineRefused(
                f"DOCKER_HOST is {host!r}, not the private test engine {TEST_HOST!r}; --verify "
                "clears the build cache and removes images, so it only runs there. Start it "
                "with `sudo bash tests/engine/setup.sh` and "
                f"`export DOCKER_HOST={TEST_HOST}`.")
        if os.environ.get("DOCKER_CONTEXT"):
            raise EngineRefused("DOCKER_CONTEXT is set; unset it (DOCKER_HOST must decide)")
        if not os.path.exists(DOCKER):
            raise EngineRefused(f"{DOCKER} (docker.io's client, BuildKit built in) is missing")
        try:
            pid = int(Path(TEST_PIDFILE).read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError) as exc:
            raise EngineRefused(f"the test engine is not running ({TEST_PIDFILE}: {exc}); "
                                "run `sudo bash tests/engine/setup.sh`") from exc
        if "dockerd" not in cmdline or TEST_SOCK not in cmdline:
            raise EngineRefused(f"pid {pid} from {TEST_PIDFILE} is not the test dockerd")
        info = self.d("info", "--format", "{{.DockerRootDir}}", timeout=60)
        if info.returncode != 0:
            raise EngineRefused(f"the test engine does not answer: {info.stderr.strip()}")
        if info.stdout.strip() != TEST_DATA_ROOT:
            raise EngineRefused(f"the engine at {TEST_HOST} has data root "
                                f"{info.stdout.strip()!r}, not {TEST_DATA_ROOT!r}")

    # -- what is on the engine
    def image_ids(self) -> set[str]:
        return set(self.d("images", "-aq", "--no-trunc").stdout.split())

    def dangling(self) -> set[str]:
        return set(self.d("images", "-q", "--no-trunc", "--filter", "dangling=true").stdout.split())

    def tags(self) -> dict[str, str]:
        out = self.d("images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").stdout
        tags = {}
        for line in out.splitlines():
            ref, _, iid = line.partition(" ")
            if "<none>" not in ref:
                tags[ref] = iid
        return tags

    def snapshot_base(self, prune_stale: bool) -> None:
        stale = self.dangling()
        if prune_stale and stale:
            old = []
            for iid in sorted(stale):
                created = self.d("image", "inspect", "-f", "{{.Created}}", iid).stdout.strip()
                ts = _parse_created(created)
                if ts is not None and ts < self.started - STALE_AGE:
                    old.append(iid)
            for iid in old:
                self.d("rmi", iid)
            self.notes.append(f"--prune-stale: removed {len(old)} untagged images older than "
                              f"{STALE_AGE // 60} minutes that were on the engine before this run")
            stale = self.dangling()
        self.base_ids = self.image_ids()
        self.base_tags = self.tags()
        if stale:
            self.notes.append(
                f"{len(stale)} untagged images were on the engine before this run (leftovers of "
                "earlier classic-builder runs); they are left alone, so a classic 'cold' build "
                "can still hit them (see the 'hits' column; --prune-stale removes the old ones)")

    def has_children(self, iid: str) -> bool:
        ids = sorted(self.image_ids())
        out = self.d("image", "inspect", "-f", "{{.Parent}}", *ids).stdout if ids else ""
        return iid in out.split()

    def foreign_images(self) -> list[str]:
        """Images made during the benchmark that none of our runs printed: other clients."""
        new = sorted(self.image_ids() - self.base_ids - self._resolve(self.all_ids))
        out = self.d("image", "inspect", "-f", "{{.Id}} {{.Created}}", *new).stdout if new else ""
        foreign = []
        for line in out.splitlines():
            iid, _, created = line.partition(" ")
            ts = _parse_created(created)
            if ts is not None and ts >= self.started - 1:
                foreign.append(iid)
        return foreign

    def _resolve(self, ids: set[str]) -> set[str]:
        """Full ids of the (short or full) ids that still exist."""
        now = self.image_ids()
        return {full for full in now for i in ids if full[len("sha256:"):].startswith(i)}

    def release(self, refs: set[str], ids: set[str], *, verify_run: bool = False) -> None:
        """Remove what one of our runs made: the containers of its images, its tags, and the
        untagged images it printed. Never an image that was there before the benchmark."""
        refs = {normalize_ref(r) for r in refs}
        self.all_ids |= ids
        mine = self._resolve(ids) - self.base_ids
        images = self.d("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Image}}").stdout
        for line in images.splitlines():
            cid, _, image = line.partition(" ")
            if (not verify_run and normalize_ref(image) in refs) or image in mine:
                self.d("rm", "-f", "-v", cid)
        current = self.tags()
        for ref in sorted(refs):
            if ref not in current:
                continue
            if verify_run and ref.split("/", 1)[0] not in self.our_tokens:
                continue
            if ref in self.base_tags:  # the tag was there before: point it back, keep it
                if current[ref] != self.base_tags[ref]:
                    self.d("tag", self.base_tags[ref], ref)
                    self.restored.add(ref)
                continue
            iid = current[ref]
            if (iid in self.base_ids and [r for r, i in current.items() if i == iid] == [ref]
                    and not self.has_children(iid)):
                # A cache hit tagged an untagged image that predates the benchmark: removing
                # the tag would delete that image, so the tag stays (reported at the end). (With
                # children, `docker rmi TAG` only untags.)
                self.kept_tags[ref] = iid
                continue
            self.d("rmi", ref)
        for _ in range(10):  # a removed leaf can leave its parent dangling
            left = self._resolve(ids) - self.base_ids
            todo = left & self.dangling()
            if not todo:
                break
            for iid in sorted(todo):
                self.d("rmi", iid)

    def final_sweep(self) -> list[str]:
        """Our images still on the engine at the end (after one more try): those another
        client built on (a child image of theirs keeps a parent of ours)."""
        self.release(set(), set(self.all_ids))
        left = self._resolve(self.all_ids) - self.base_ids
        tagged = set(self.tags().values())
        return sorted(i for i in left if i not in tagged or i in self.kept_tags.values())

    def cold_reset(self) -> None:
        """Empty the BuildKit build cache before a cold measurement.

        --full-prune: `docker builder prune -af`, after waiting for the engine to be idle.
        Default: the same prune restricted (by id) to the records not shared with an image and
        not in use. The records it keeps are the layers of images that exist (the base images'
        "from local" records, which a cold build re-creates in milliseconds anyway); the
        records a build would hit (RUN, COPY, context) all go. Why: an unrestricted prune
        while another client's BuildKit build resolves its FROM image crashed dockerd 20.10
        here (nil pointer in the cache manager's GetByBlob, the stack of moby/buildkit#2153),
        and those "from local" records are what GetByBlob looks up. The classic builder's
        cache is images: the runs' own images are removed after every run (`release`)."""
        if self.full_prune:
            self.wait_idle()
            r = self.d("builder", "prune", "-af")
            if r.returncode != 0:
                raise RuntimeError(f"docker builder prune -af failed: {r.stderr.strip()}")
            return
        for _ in range(3):  # a parent goes once its children have
            r = self.d("system", "df", "-v", "--format", "{{json .BuildCache}}")
            if r.returncode != 0:
                raise RuntimeError(f"docker system df -v failed: {r.stderr.strip()}")
            records = json.loads(r.stdout or "null") or []
            ids = [rec["ID"] for rec in records
                   if str(rec.get("Shared")).lower() != "true"
                   and str(rec.get("InUse")).lower() != "true"
                   and re.fullmatch(r"[0-9a-z]+", rec.get("ID", ""))]
            if not ids:
                return
            for i in range(0, len(ids), 100):
                chunk = ids[i:i + 100]
                r = self.d("builder", "prune", "-af", "--filter",
                           "id=^(" + "|".join(chunk) + ")$")
                if r.returncode != 0:
                    raise RuntimeError(f"docker builder prune failed: {r.stderr.strip()}")

    def foreign_activity(self) -> list[str]:
        """Tags made on the engine during the benchmark by other clients."""
        out = self.d("events", "--since", str(int(self.started)), "--until", str(int(time.time())),
                     "--filter", "type=image", "--filter", "event=tag",
                     "--format", '{{index .Actor.Attributes "name"}}', timeout=60).stdout
        foreign = set()
        for ref in out.split():
            ref = normalize_ref(ref)
            if (ref in self.our_refs or ref in self.restored
                    or ref.split("/", 1)[0] in self.our_tokens):
                continue
            foreign.add(ref)
        return sorted(foreign)


STALE_AGE = 600  # --prune-stale only removes untagged images at least this old (seconds)


def _parse_created(text: str) -> float | None:
    import datetime as dt

    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)", text)
    if not m:
        return None
    return dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=dt.timezone.utc).timestamp()


# ------------------------------------------------------------------ build flows


def entry_argv(project: Path) -> list[str]:
    """How the project builds: build.sh (by its #! line, as migrate --verify runs it) or
    `make build`."""
    script = project / "build.sh"
    if script.is_file():
        first = script.read_text(errors="replace").splitlines()[0].strip()
        if first.startswith("#!"):
            return [*first[2:].split(), "build.sh"]
        return ["sh", "build.sh"]
    if (project / "Makefile").is_file():
        return ["make", "build"]
    raise SystemExit(f"bench: no build.sh or Makefile in {project}")


class FlowRunner:
    """Runs an entry point for real (no shim), with /usr/bin/docker first on PATH as `docker`,
    in an environment like the one migrate --verify gives it."""

    def __init__(self, work: Path) -> None:
        self.bin = work / "bin"
        self.bin.mkdir()
        (self.bin / "docker").symlink_to(DOCKER)
        self.home = work / "home"
        (self.home / ".docker").mkdir(parents=True)  # empty config: no credentials, no context

    def run(self, project: Path, builder: str, engine: Engine) -> dict[str, Any]:
        keep = ("LANG", "LC_ALL", "TERM", "TMPDIR", "USER", "LOGNAME", "SHELL")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
                   HOME=str(self.home), DOCKER_CONFIG=str(self.home / ".docker"),
                   DOCKER_HOST=TEST_HOST, DOCKER_BUILDKIT=BUILDERS[builder])
        argv = entry_argv(project)
        # The run uses real names (no shim): a container name it gives must not be taken, or
        # its `docker rm` would remove someone else's container.
        for name in container_names(project):
            taken = engine.d("ps", "-aq", "--filter", f"name=^/{name}$").stdout.split()
            if taken:
                raise EngineBusy(f"a container named {name!r} exists on the engine (another "
                                 f"client?); {project.name}'s entry point would use that name")
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=project, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
        seconds = time.perf_counter() - t0
        engine.last_own = time.time()
        out = proc.stdout.decode("utf-8", "replace")
        refs, ids, hits, own = parse_build_output(out)
        engine.our_refs |= refs
        res = {"seconds": seconds, "ok": proc.returncode == 0, "argv": argv, "cache_hits": hits,
               "own_cache_hits": own, "_refs": refs, "_ids": ids}
        if proc.returncode != 0:
            res["log_tail"] = "\n".join(out.rstrip().splitlines()[-15:])
        return res


def container_names(project: Path) -> set[str]:
    """Container names the project's scripts give (`--name NAME`)."""
    names: set[str] = set()
    for f in project.rglob("*"):
        if f.is_file() and f.stat().st_size < 1 << 20:
            text = f.read_text(errors="replace")
            names |= {m[1] for m in re.findall(r"--name[= ]+([\"']?)([A-Za-z0-9][\w.-]*)\1",
                                                text)}
    return names


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _flow_pair(runner: FlowRunner, project: Path, builder: str, engine: Engine,
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A cold run right after a cache reset, then the same entry point again (no change)."""
    engine.cold_reset()
    cold = runner.run(project, builder, engine)
    warm = runner.run(project, builder, engine)
    engine.release(cold.pop("_refs") | warm.pop("_refs"), cold.pop("_ids") | warm.pop("_ids"))
    return cold, warm


def bench_sample(sample: Path, builder: str, engine: Engine, migrate: list[str],
                 root: Path) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"{sample.name}-{builder}-", dir=root))
    legacy = work / "legacy"
    migrated = work / "migrated"
    shutil.copytree(sample, legacy, symlinks=True)
    shutil.copytree(sample, migrated, symlinks=True)
    w = subprocess.run([*migrate, str(migrated)], capture_output=True, text=True, cwd=REPO)
    if w.returncode != 0:
        raise SystemExit(f"bench: migrate {migrated} exited {w.returncode}: {w.stderr}")
    if _tree(migrated) == _tree(legacy):
        raise SystemExit(f"bench: migrate changed nothing in {migrated}: {w.stderr}")
    runner = FlowRunner(work)
    res: dict[str, Any] = {"sample": sample.name, "builder": builder}

    # (i) + (iv): the legacy entry point, cold, then again with the cache warm
    res["legacy_cold"], res["legacy_warm"] = _flow_pair(runner, legacy, builder, engine)
    # the migrated entry point, the same way
    res["migrated_cold"], res["migrated_warm"] = _flow_pair(runner, migrated, builder, engine)

    # (ii) + (iii): migrate --verify --dry-run, right after the same cold reset. The client is
    # /usr/bin/docker behind a wrapper that logs build output (to know what the run made).
    buildlog = work / "verify-builds.log"
    wrapper = work / "docker-logged"
    wrapper.write_text(WRAPPER.format(docker=DOCKER, log=shlex.quote(str(buildlog))))
    wrapper.chmod(0o755)
    engine.cold_reset()
    argv = [*migrate, "--verify", "--docker", str(wrapper), "--builder", builder, "--dry-run",
            "--json", str(sample)]
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=engine.env, cwd=REPO,
                          stdin=subprocess.DEVNULL, timeout=3600)
    wall = time.perf_counter() - t0
    engine.last_own = time.time()
    verify: dict[str, Any] = {"argv": argv, "exit_code": proc.returncode, "wall_s": wall}
    try:
        v = json.loads(proc.stdout)["projects"][0]["verification"]
        verify.update(status=v["status"], message=v["message"],
                      legacy_s=(v["legacy"] or {}).get("seconds"),
                      migrated_s=(v["migrated"] or {}).get("seconds"))
        for flow in ("legacy", "migrated"):
            ref = (v[flow] or {}).get("final_image") or ""
            if ref.startswith("mv-"):
                engine.our_tokens.add(ref.split("/", 1)[0])
    except (ValueError, KeyError, IndexError, TypeError):
        verify.update(status="no report", message=proc.stderr.strip()[-500:])
    text = buildlog.read_text(errors="replace") if buildlog.exists() else ""
    refs, ids, hits, own = parse_build_output(text)
    verify["cache_hits"] = hits
    verify["own_cache_hits"] = own
    # what migrate --verify itself left on the engine (the benchmark then removes it)
    left_ids = engine._resolve(ids) - engine.base_ids
    left_tags = {r for r, i in engine.tags().items() if i in left_ids}
    verify["left_images"] = len(left_ids)
    verify["left_untagged"] = len([i for i in left_ids
                                   if not any(v == i for v in engine.tags().values())])
    verify["left_tags"] = sorted(left_tags)
    engine.release(refs, ids, verify_run=True)
    res["verify"] = verify
    shutil.rmtree(work, ignore_errors=True)
    return res


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold repeated measurements of one sample/builder into medians."""
    if len(runs) == 1:
        return runs[0]
    out = dict(runs[0])
    for key in ("legacy_cold", "legacy_warm", "migrated_cold", "migrated_warm"):
        out[key] = dict(runs[0][key], seconds=statistics.median(r[key]["seconds"] for r in runs),
                        ok=all(r[key]["ok"] for r in runs),
                        cache_hits=max(r[key]["cache_hits"] for r in runs),
                        runs_s=[r[key]["seconds"] for r in runs])
        failed = [r[key].get("log_tail", "") for r in runs if not r[key]["ok"]]
        if failed:
            out[key]["log_tail"] = failed[0]
            out[key]["failed_runs"] = len(failed)
    v = dict(runs[0]["verify"])
    for key in ("wall_s", "legacy_s", "migrated_s"):
        vals = [r["verify"].get(key) for r in runs]
        v[key] = statistics.median(vals) if all(x is not None for x in vals) else None
        v[key.replace("_s", "_runs_s")] = vals
    v["status"] = ",".join(sorted({r["verify"]["status"] for r in runs}))
    v["left_images"] = max(r["verify"]["left_images"] for r in runs)
    v["left_untagged"] = max(r["verify"]["left_untagged"] for r in runs)
    out["verify"] = v
    out["repeats"] = len(runs)
    return out


def ratios(r: dict[str, Any]) -> dict[str, Any]:
    lc = r["legacy_cold"]["seconds"]
    v = r["verify"]
    out: dict[str, Any] = {}
    out["verify_over_legacy"] = v["wall_s"] / lc
    applies = lc >= GOAL_VERIFY_MIN_LEGACY
    out["verify_goal"] = ("PASS" if out["verify_over_legacy"] <= GOAL_VERIFY_RATIO else "FAIL") \
        if applies else "n/a"
    if v.get("legacy_s") and v.get("migrated_s") is not None:
        out["migrated_over_legacy"] = v["migrated_s"] / v["legacy_s"]
        out["migrated_goal"] = "PASS" if out["migrated_over_legacy"] < GOAL_MIGRATED_RATIO \
            else "FAIL"
        out["verify_overhead_s"] = v["wall_s"] - v["legacy_s"] - v["migrated_s"]
    else:
        out["migrated_over_legacy"] = None
        out["migrated_goal"] = "no report"
    out["standalone_migrated_over_legacy"] = r["migrated_cold"]["seconds"] / lc
    out["legacy_rebuild_over_cold"] = r["legacy_warm"]["seconds"] / lc
    out["migrated_rebuild_over_cold"] = r["migrated_warm"]["seconds"] / lc
    for k in ("legacy", "migrated"):
        out[f"{k}_rebuild_goal"] = "PASS" if out[f"{k}_rebuild_over_cold"] <= GOAL_REBUILD_RATIO \
            else "FAIL"
    return out


def bench_verify(samples: list[Path], builders: list[str], migrate: list[str], repeat: int,
                 prune_stale: bool, idle_timeout: float, full_prune: bool) -> dict[str, Any]:
    engine = Engine()
    engine.idle_timeout = idle_timeout
    engine.full_prune = full_prune
    engine.check_private()
    engine.snapshot_base(prune_stale)
    load_before = os.getloadavg()
    results = []
    error = None
    root = Path(tempfile.mkdtemp(prefix="migrator-bench-"))
    started = time.perf_counter()
    try:
        for sample in samples:
            for builder in builders:
                runs = []
                for i in range(repeat):
                    log(f"verify: {sample.name} / {builder}"
                        + (f" ({i + 1}/{repeat})" if repeat > 1 else ""))
                    runs.append(bench_sample(sample, builder, engine, migrate, root))
                r = _median_run(runs)
                r["ratios"] = ratios(r)
                results.append(r)
    except (EngineBusy, RuntimeError, subprocess.TimeoutExpired) as exc:
        error = str(exc)
        log(f"bench: verify part stopped: {error}")
    finally:
        try:
            engine.cold_reset()  # leave no build cache of ours behind
        except (EngineBusy, RuntimeError) as exc:
            engine.notes.append(f"the final build-cache reset was skipped: {exc}")
        shutil.rmtree(root, ignore_errors=True)
    notes = list(engine.notes)
    if error:
        notes.insert(0, f"STOPPED EARLY: {error}")
    hits = [f"{r['sample']}/{r['builder']}: {r['legacy_cold']['cache_hits']}" for r in results
            if r["legacy_cold"]["cache_hits"]]
    if hits:
        notes.append("cold legacy builds that hit cache they did not make themselves (not fully "
                     "cold: images or image layers of other clients, or left from before): "
                     + ", ".join(hits))
    left = [f"{r['sample']}/{r['builder']}: {r['verify']['left_untagged']}" for r in results
            if r["verify"]["left_untagged"]]
    if left:
        notes.append("migrate --verify left untagged images on the engine (removed by the "
                     "benchmark): " + ", ".join(left))
    if engine.restored:
        notes.append(f"tags that existed before and were re-pointed by a run were restored: "
                     f"{sorted(engine.restored)}")
    if engine.kept_tags:
        notes.append(
            "these tags of ours stayed, because removing them would delete an untagged image "
            "that was on the engine before the benchmark (a classic cache hit tagged it): "
            + ", ".join(f"{r} -> {i[7:19]}" for r, i in sorted(engine.kept_tags.items()))
            + "; remove them with `docker rmi` if that image can go")
    not_removed = [i for i in engine.final_sweep() if i not in engine.kept_tags.values()]
    if not_removed:
        notes.append("images made by our runs that are still there, because an image of another "
                     "client was built on top of them (a cache hit on ours): "
                     f"{sorted(i[7:19] for i in not_removed)}")
    foreign = engine.foreign_activity()
    foreign_images = engine.foreign_images()
    if foreign or foreign_images:
        notes.append(
            f"other clients used the engine during the benchmark (at least {len(foreign)} tags "
            f"and {len(foreign_images)} images made by others"
            + (f", e.g. {', '.join(foreign[:2])}" if foreign else "")
            + "): the timings may be perturbed, and a build-cache reset also dropped their cache")
    load_after = os.getloadavg()
    notes.append(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
                 f"on {os.cpu_count()} CPUs")
    return {"engine": TEST_HOST, "client": DOCKER, "repeat": repeat, "error": error,
            "cache_reset": "docker builder prune -af (on an idle engine)" if full_prune else
            "docker builder prune -af --filter id=^(...)$: every record not shared with an image",
            "seconds": time.perf_counter() - started, "results": results,
            "fixed_cost_note": FIXED_COST_NOTE, "notes": notes,
            "foreign_tags": foreign, "foreign_images": len(foreign_images),
            "kept_tags": engine.kept_tags, "load_average_1m": [load_before[0], load_after[0]]}


# ------------------------------------------------------------------ output


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    fmt = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows)])


def print_report(rep: dict[str, Any]) -> None:
    m = rep["machine"]
    print(f"machine: {m['cpus']} CPUs, {m['platform']}, Python {m['python']}")
    print(f"interpreter: {m['executable']}")
    print(f"migrate runs as: {m['migrate']}")
    s = rep["startup"]
    print(f"\n== Start-up: median of {s['runs']} cold runs each ({s['order']})\n")
    rows = []
    for c in s["commands"].values():
        budget = f"<= {c['budget_ratio']:.0f}x" if "budget_ratio" in c else "baseline"
        status = ("PASS" if c["pass"] else "FAIL") if "pass" in c else ""
        rows.append([c["label"], f"{c['median_s'] * 1000:.1f}",
                     f"{c['min_s'] * 1000:.1f}-{c['max_s'] * 1000:.1f}", f"{c['ratio']:.2f}x",
                     budget, status])
    print(table(rows, ["command", "median ms", "range ms", "ratio", "budget", "result"]))
    if "discovery" in rep:
        import discovery

        discovery.print_discovery(rep["discovery"])
    if "throughput" in rep:
        import throughput

        throughput.print_throughput(rep["throughput"])
    if "python" in rep:
        import python_reader

        python_reader.print_python(rep["python"])
    if "inference" in rep:
        import inference

        inference.print_inference(rep["inference"])
    if "importtime" in rep:
        it = rep["importtime"]
        print(f"\n== python -X importtime: migrate --dry-run samples/href-counter "
              f"({it['modules_imported']} modules, {it['total_imports_us'] / 1000:.1f} ms "
              "of imports)\n")
        print(table([[r["module"], f"{r['cumulative_us'] / 1000:.1f}", f"{r['self_us'] / 1000:.1f}"]
                     for r in it["top_cumulative"]],
                    ["top-level import", "cumulative ms", "self ms"]))
        print()
        print(table([[r["module"], f"{r['self_us'] / 1000:.1f}", f"{r['cumulative_us'] / 1000:.1f}"]
                     for r in it["top_self"]], ["module (by self time)", "self ms",
                                                "cumulative ms"]))
    if "verify" not in rep:
        return
    v = rep["verify"]
    print(f"\n== Verify speed on the private test engine ({v['engine']}, client {v['client']}, "
          f"{v['repeat']} run(s) each{', medians' if v['repeat'] > 1 else ''})")
    print(f"cache reset before each cold run: {v.get('cache_reset', '?')}\n")
    rows = []
    for r in v["results"]:
        vv = r["verify"]
        fmt = lambda x: "-" if x is None else f"{x:.2f}"  # noqa: E731
        ok = all(r[k]["ok"] for k in ("legacy_cold", "legacy_warm", "migrated_cold",
                                      "migrated_warm"))
        rows.append([r["sample"], r["builder"], fmt(r["legacy_cold"]["seconds"]),
                     str(r["legacy_cold"]["cache_hits"]), fmt(r["legacy_warm"]["seconds"]),
                     fmt(r["migrated_cold"]["seconds"]), fmt(r["migrated_warm"]["seconds"]),
                     fmt(vv["wall_s"]), fmt(vv.get("legacy_s")), fmt(vv.get("migrated_s")),
                     fmt(r["ratios"].get("verify_overhead_s")),
                     vv["status"] + ("" if ok else " (a build FAILED)")])
    print("seconds (wall):")
    print(table(rows, ["sample", "builder", "legacy cold", "hits", "legacy again",
                       "migrated cold", "migrated again", "verify", "verify:legacy",
                       "verify:migrated", "verify:rest", "verify result"]))
    rows = []
    for r in v["results"]:
        q = r["ratios"]
        mo = q["migrated_over_legacy"]
        rows.append([r["sample"], r["builder"],
                     f"{q['verify_over_legacy']:.2f}x {q['verify_goal']}",
                     "-" if mo is None else f"{mo:.2f}x {q['migrated_goal']}",
                     f"{q['standalone_migrated_over_legacy']:.2f}x",
                     f"{q['legacy_rebuild_over_cold']:.2f}x {q['legacy_rebuild_goal']}",
                     f"{q['migrated_rebuild_over_cold']:.2f}x {q['migrated_rebuild_goal']}"])
    print("\nratios (goal):")
    print(table(rows, ["sample", "builder", "(ii) verify/legacy (<=1.3x if legacy>=10s)",
                       "(iii) migrated/legacy (<1.0)", "both cold",
                       "(iv) legacy again/cold (<=0.3)", "(iv) migrated again/legacy cold"]))
    failures = [(r["sample"], r["builder"], k, r[k]) for r in v["results"]
                for k in ("legacy_cold", "legacy_warm", "migrated_cold", "migrated_warm")
                if not r[k]["ok"]]
    for sample, builder, k, run in failures:
        print(f"\nFAILED: {sample} / {builder} / {k} ({' '.join(run['argv'])}), "
              f"{run.get('failed_runs', 1)} run(s):")
        print("  | " + "\n  | ".join(run.get("log_tail", "").splitlines()))
    print("\nnotes:")
    for n in [v["fixed_cost_note"],
              "(ii) verify = wall time of `migrate --verify --dry-run` after a build-cache reset; "
              "legacy = the legacy entry point run alone after the same reset ('legacy cold').",
              "(iii) from the verify report's seconds (verify:migrated / verify:legacy). The "
              "migrated flow runs right after the legacy one, so it finds the legacy flow's "
              "cache warm (a builder stage identical to the old Dockerfile.build is a cache hit); "
              "'both cold' is migrated cold / legacy cold, each run alone after a reset.",
              "(iv) 'again' = the same entry point run a second time, nothing changed, cache "
              "warm; goal <= 0.3x the cold legacy build, for the legacy and the migrated flow.",
              "verify:rest = verify wall minus both builds: migrate's start-up, copying the "
              "project, the engine check, snapshotting (docker export) and comparing the two "
              "images, cleanup.",
              "hits: cache hits in the cold legacy build on cache it did not make itself "
              "('Using cache' lines, or BuildKit CACHED steps other than FROM, not counting a "
              "hit on an earlier build of the same run); 0 means it really was cold.",
              *v["notes"]]:
        print(f"  - {n}")
    print(f"\nverify part took {v['seconds']:.0f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15,
                    help="cold runs per start-up command (>= 10; default 15)")
    ap.add_argument("--importtime", action="store_true",
                    help="also show `python -X importtime` top modules of migrate --dry-run")
    ap.add_argument("--top", type=int, default=12, help="rows of --importtime (default 12)")
    ap.add_argument("--verify", action="store_true",
                    help="also benchmark builds and migrate --verify on the private test engine")
    ap.add_argument("--samples", nargs="*", metavar="NAME",
                    help="samples for --verify (default: all under samples/)")
    ap.add_argument("--builders", nargs="*", choices=sorted(BUILDERS),
                    default=["buildkit", "classic"])
    ap.add_argument("--repeat", type=int, default=1,
                    help="repeat each --verify measurement N times, report medians (default 1)")
    ap.add_argument("--prune-stale", action="store_true",
                    help="--verify: first remove untagged images that were on the test engine "
                         f"more than {STALE_AGE // 60} minutes before the run (old classic "
                         "build cache); by default they are left alone")
    ap.add_argument("--full-prune", action="store_true",
                    help="--verify: reset the build cache with a plain `docker builder prune "
                         "-af`, each time after waiting for other clients of the engine to be "
                         "idle (default: prune, by id, every record not shared with an image)")
    ap.add_argument("--idle-timeout", type=float, default=180.0, metavar="SECONDS",
                    help="--full-prune: how long to wait for the engine to be idle "
                         f"({IDLE_QUIET:.0f} s without another client's activity) before each "
                         "prune (default 180)")
    ap.add_argument("--module", action="store_true",
                    help="run `python -m migrator` instead of the console script")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--no-throughput", action="store_true",
                    help="skip the static throughput run (1,000 generated projects)")
    ap.add_argument("--projects", type=int, default=1000, help="projects for the throughput run")
    ap.add_argument("--throughput-rounds", type=int, default=7,
                    help="runs of each --jobs value (default 7; medians and the median of the "
                         "pair ratios are quoted)")
    ap.add_argument("--no-inference", action="store_true",
                    help="skip timing infer() alone on the golden cases (budget < 5 ms)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 if a start-up budget fails (default: exit 0)")
    ap.add_argument("--from-json", metavar="FILE",
                    help="print the tables of a saved --json result and exit (runs nothing)")
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as f:
            print_report(json.load(f))
        return 0
    if args.runs < 10:
        ap.error("--runs must be at least 10")

    if args.verify:  # refuse before spending time on anything else
        try:
            Engine().check_private()
        except EngineRefused as exc:
            log(f"bench: refusing --verify: {exc}")
            return 2
    migrate, how = migrate_command(args.module)
    rep: dict[str, Any] = {"machine": {
        "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "executable": sys.executable, "migrate": how}}
    with tempfile.TemporaryDirectory(prefix="migrator-bench-startup-") as tmp:
        noop = make_noop_project(Path(tmp))
        log(f"start-up: {args.runs} rounds of 3 commands ...")
        hook, _ = migrate_command(args.module, "migrate-hook", "migrator.hook")
        rep["startup"] = bench_startup(migrate, noop, args.runs, hook)
    import discovery

    log(f"discovery: a tree of {discovery.FILES:,} files with no builder pattern ...")
    rep["discovery"] = discovery.bench(migrate)
    if not args.no_throughput:
        import throughput

        with tempfile.TemporaryDirectory(prefix="migrator-bench-fleet-") as tmp:
            log(f"throughput: generating {args.projects} projects ...")
            throughput.generate(Path(tmp), args.projects)
            rep["throughput"] = throughput.bench(migrate, Path(tmp), args.projects,
                                                 args.throughput_rounds)
    if not args.no_inference:
        import inference

        rep["inference"] = inference.bench()
    import python_reader

    log(f"python: reading a {python_reader.LINES}-line build.py; libcst off the shell path ...")
    rep["python"] = python_reader.bench(migrate)
    if args.importtime:
        rep["importtime"] = importtime(migrate, args.top)
    if args.verify:
        names = args.samples or sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())
        samples = [SAMPLES / n for n in names]
        for s in samples:
            if not s.is_dir():
                ap.error(f"no sample {s}")
        try:
            rep["verify"] = bench_verify(samples, args.builders, migrate, args.repeat,
                                         args.prune_stale, args.idle_timeout,
                                         args.full_prune)
        except EngineRefused as exc:
            log(f"bench: refusing --verify: {exc}")
            return 2
    if args.json:
        print(json.dumps(rep, indent=2))
    else:
        print_report(rep)
    if rep.get("verify", {}).get("error"):
        return 3
    passed = rep["startup"]["budgets_pass"] and rep.get("throughput", {}).get("pass", True) \
        and rep.get("inference", {}).get("pass", True) and rep.get("python", {}).get("pass", True)
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
