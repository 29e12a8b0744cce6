"""Build the greeter image with the Docker SDK."""
import os

import docker

IMAGE = os.environ.get("IMAGE", "greeter:latest")


def main():
    client = docker.from_env()
    image, _logs = client.images.build(path=".", tag=IMAGE, rm=True)
    print("built", image.tags)


if __name__ == "__main__":
    main()
