"""Tasks for `invoke`: `invoke image` builds the release image."""
from invoke import task

VERSION = "1.4.2"
BUILDER = "tool-builder"


@task
def clean(c):
    """Remove build leftovers."""
    c.run("rm -f tool.txt")


@task
def builder(c):
    c.run(f"docker build --build-arg VERSION={VERSION} -t {BUILDER} -f Dockerfile.build .")


@task(pre=[builder])
def artifacts(c):
    c.run(f"docker create --name tool-extract {BUILDER}")
    c.run("docker cp tool-extract:/dist/tool.txt tool.txt")
    c.run("docker rm tool-extract")


@task(artifacts)
def image(c, tag="tool:latest"):
    c.run(f"docker build -t {tag} .")
