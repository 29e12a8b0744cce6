"""Many projects at once: finding them, running them in parallel, reports, git, engines."""
