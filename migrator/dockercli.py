"""The docker CLI's option grammar: which options take a value, per subcommand.

Shared by the reader of build scripts (`interpret`) and the verification shim, which both need
to find images, names and paths among a docker command's arguments.
"""

from __future__ import annotations

GLOBAL_WITH_ARG = {"-H", "--host", "--context", "-c", "--config", "-l", "--log-level",
                    "--tlscacert", "--tlscert", "--tlskey"}

BUILD_WITH_ARG = {
    "-f", "--file", "-t", "--tag", "--build-arg", "--target", "--platform", "--label",
    "--network", "--cache-from", "--cache-to", "--iidfile", "--secret", "--ssh", "--progress",
    "--add-host", "--shm-size", "-m", "--memory", "--memory-swap", "--cpuset-cpus",
    "--cpuset-mems", "--cpu-shares", "-c", "--cpu-quota", "--cpu-period", "--isolation",
    "-o", "--output", "--build-context", "--ulimit", "--security-opt", "--cgroup-parent",
    "--builder", "--metadata-file", "--allow", "--attest", "--sbom", "--provenance",
}

RUN_WITH_ARG = {
    "-v", "--volume", "--mount", "-e", "--env", "--env-file", "-w", "--workdir", "--entrypoint",
    "-u", "--user", "--name", "-p", "--publish", "--network", "--net", "-l", "--label",
    "--platform", "-h", "--hostname", "--add-host", "--cap-add", "--cap-drop", "--device",
    "--dns", "--dns-search", "--dns-option", "-m", "--memory", "--cpus", "--tmpfs", "--ulimit",
    "--security-opt", "--group-add", "--log-driver", "--log-opt", "--restart", "--pid", "--ipc",
    "--shm-size", "--stop-signal", "--stop-timeout", "--volumes-from", "--link", "-a",
    "--attach", "--cidfile", "--gpus", "--runtime", "--pull", "--expose", "--label-file",
    "--health-cmd", "--memory-swap", "--cpu-shares", "--cpuset-cpus", "--uts", "--userns",
    "--cgroupns", "--storage-opt", "--sysctl", "--mac-address", "--ip", "--ip6",
    "--network-alias", "--detach-keys", "-c",
}
RUN_BOOL_LETTERS = set("dit" "P" "q")

CP_FLAGS = {"-a", "--archive", "-L", "--follow-link", "-q", "--quiet"}


def split_command(args: list[str]) -> tuple[list[str], str, list[str]]:
    """(global options, subcommand, the rest) of docker's arguments, `container cp` -> `cp`."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in GLOBAL_WITH_ARG else 1
    if i >= len(args):
        return args[:i], "", []
    sub, rest = args[i], args[i + 1 :]
    if sub in ("container", "image", "builder", "buildx", "volume", "network") and rest and \
            not rest[0].startswith("-"):
        group, sub, rest = sub, rest[0], rest[1:]
        if group == "image" and sub == "rm":
            sub = "rmi"
        elif group in ("volume", "network"):
            sub = f"{group} {sub}"
        elif group == "image" and sub in ("ls", "list"):
            sub = "images"
        elif group == "container" and sub in ("ls", "list"):
            sub = "ps"
    return args[:i], sub, rest
