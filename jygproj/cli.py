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
    "dashboard",
    "reserve",
    "ingest",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jygproj",
        description="嘉峪关市项目落地“大提速”分析与规划工作台 (嘉政办发〔2023〕39号) — "
        "analytics and planning workbench",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"jygproj.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"jygproj.commands.{name}":
                continue  # subcommand not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
