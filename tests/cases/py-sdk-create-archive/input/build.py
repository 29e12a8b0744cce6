"""Build the greeter image with the Docker SDK."""
import io
import os
import tarfile

import docker

BUILDER = "greeter-build:latest"
IMAGE = os.environ.get("IMAGE", "greeter:latest")


def extract(client, path, dest):
    """Copy `path` out of a container of the builder image into `dest`."""
    container = client.containers.create(BUILDER)
    try:
        stream, _stat = container.get_archive(path)
        data = io.BytesIO(b"".join(stream))
        with tarfile.open(fileobj=data) as tar:
            tar.extractall(dest)
    finally:
        container.remove(force=True)


def main():
    client = docker.from_env()
    client.images.build(path=".", dockerfile="Dockerfile.build", tag=BUILDER, rm=True)
    os.makedirs("dist", exist_ok=True)
    extract(client, "/build/out/greet", "dist")
    image, _logs = client.images.build(path=".", tag=IMAGE, rm=True)
    print("built", image.tags)


if __name__ == "__main__":
    main()
