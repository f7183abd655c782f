"""Subcommands of the `jygproj` command (see jygproj.cli)."""
