# Shared settings for every image of the project.
NAME := agent
IMAGE ?= registry.example.com/$(NAME)
VERSION ?= $(shell git describe --tags --always --dirty)
