"""Tasks for `invoke`: `invoke image` builds the release image."""
from invoke import task

VERSION = "1.4.2"


@task
def clean(c):
    """Remove build leftovers."""
    c.run("rm -f tool.txt")


@task
def image(c, tag="tool:latest"):
    c.run(f"docker build --build-arg VERSION={VERSION} -t {tag} .")
