// Package version holds the tool's version string.
package version

// Version is overridden at link time in release builds.
var Version = "dev"
