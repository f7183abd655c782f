"""The `jygproj` command. One module per subcommand in jygproj/commands/; each defines
``add_parser(subparsers)`` which registers its parser and sets ``func(args) -> int``.

Exit status: 0 success, 1 the job found errors in its input or failed, 2 usage problems.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Subcommand modules, in the order `jygproj --help` lists them.
COMMANDS = (
    "targets",
    "check",
    "sample",
    "template",
    "quarterly",
    "scenario",
    "backtest",
    "dashboard",
    "reserve",
    "ingest",
)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``command``'s alone when it names one: only that
    subcommand's module is then imported (importing them all costs ~0.6 s, most of it libraries
    the other subcommands need, issue 18)."""
    parser = argparse.ArgumentParser(
        prog="jygproj",
        description="嘉峪关市项目落地“大提速”分析与规划工作台 (嘉政办发〔2023〕39号) — "
        "analytics and planning workbench",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (command,) if command in COMMANDS else COMMANDS:
        try:
            module = importlib.import_module(f"jygproj.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"jygproj.commands.{name}":
                continue  # subcommand not built yet
            raise
        module.add_parser(sub)
    return parser


def named_command(argv: list[str]) -> str | None:
    """The subcommand on a command line: its first word that is not an option (the top level has
    no option that takes a value, so the first such word is the subcommand)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(named_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
