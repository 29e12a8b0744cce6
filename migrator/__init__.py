"""migrator: builder pattern to multi-stage Dockerfiles."""

__version__ = "0.1.0"
