"""``python -m evcore ...`` and the ``evcore`` command (a stable interface; see DESIGN.md).

With ``--json`` the result is one JSON object on stdout; progress and logs go to stderr.
Bad input exits 2 with one line on stderr starting ``error:``, never a traceback. Settings are
read from the environment here, once (``evcore.config``), and passed to each command as
``args.settings``.
"""

from __future__ import annotations

import argparse
import sys

from evcore.cli import capacity, cluster, forecast, growth, place, serve, users, validate
from evcore.cli.common import Parser
from evcore.config import Settings
from evcore.errors import InputError


# The library's parameter names (evcore.checks.ParameterError) as the commands' flags.
FLAGS = {"k": "--k", "eps_km": "--eps-km", "min_samples": "--min-samples", "min_cluster_size": "--min-samples",
         "horizon": "--horizon", "folds": "--folds", "radius": "--radius-km"}


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Each option's help ends with its default, where it has one (not for flags or options
    whose absence means something the help says)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m evcore", description="EV charging analytics from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    validate.add_parser(sub)
    forecast.add_parsers(sub, _HelpFormatter)
    cluster.add_parser(sub, _HelpFormatter)
    place.add_parser(sub, _HelpFormatter)
    capacity.add_parser(sub, _HelpFormatter)
    growth.add_parser(sub, _HelpFormatter)
    serve.add_parser(sub, _HelpFormatter)
    users.add_parser(sub, _HelpFormatter)
    return parser


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        args.settings = Settings.from_env()
        return args.func(args)
    except InputError as exc:
        flag = FLAGS.get(getattr(exc, "parameter", None))
        print(f"error: {exc.for_flag(flag) if flag else exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, but the user still gets one line, not a traceback
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


def main_exit() -> None:
    """The ``evcore`` console script: ``main()``'s return value is the exit status."""
    raise SystemExit(main())
