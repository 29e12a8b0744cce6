"""Verification: build the legacy flow and the migrated Dockerfile and compare the images."""
