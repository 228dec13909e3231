"""The ``calcinosis-kg`` command line: a thin skin over the Python API.

Commands live in one module each under ``calcinosis_kg.cli``, imported when the command is named
(``calcinosis-kg --help`` imports them all, for their one-line help). So a command module
imports at its top only what its options and ``--help`` need (click, ``cli.options``, light
``core`` modules); the modules that do the work (rdflib, polars, the layers) are imported inside
the command, with a ``# lazy:`` comment, and ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import signal
import sys

import click

from calcinosis_kg.core.errors import CalcinosisKGError
from calcinosis_kg.core.text import terminal_safe
from calcinosis_kg.core.version import __version__

# command name -> "module:function" (module under calcinosis_kg.cli)
COMMANDS: dict[str, str] = {
    "build": "build_cmd:build",
    "check": "check_cmd:check",
    "reason": "reason_cmd:reason",
    "validate": "validate_cmd:validate",
    "query": "query_cmd:query",
    "queries": "query_cmd:queries",
    "search": "info_cmd:search",
    "show": "show_cmd:show",
    "info": "info_cmd:info",
    "export": "export_cmd:export",
    "report": "report_cmd:report",
    "release": "release_cmd:release",
    "diff": "diff_cmd:diff",
    "docs": "docs_cmd:docs",
    "serve": "serve_cmd:serve",
    "push": "push_cmd:push",
    "cases": "cases_cmd:cases",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands ``--help`` lists, read from ``COMMANDS`` without importing any of them."""
        return sorted(name for name, target in COMMANDS.items() if _available(target))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """An unknown command name suggests the closest ones (``chek`` → ``check``)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            # lazy: `--help` does not load difflib
            import difflib

            near = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            hint = (
                f" Did you mean: {', '.join(near)}?"
                if near
                else " Run 'calcinosis-kg --help' for the list."
            )
            raise click.UsageError(f"no such command '{name}'.{hint}", ctx)
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Import the command's module now (``--help`` stays fast: no layer is loaded before)."""
        target = COMMANDS.get(name)
        if target is None or not _available(target):
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"calcinosis_kg.cli.{module_name}")
        return getattr(module, attr)


def _available(target: str) -> bool:
    module_name = target.split(":")[0]
    return importlib.util.find_spec(f"calcinosis_kg.cli.{module_name}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calcinosis-kg")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """calcinosis-kg: the calcinosis cutis ontology and knowledge graph.

    \b
    Example:
      calcinosis-kg check            # reason, validate, QC and competency queries
      calcinosis-kg query cq03-metastatic-most-frequent-cause
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM raises ``SystemExit(143)``, so ``finally`` blocks run: temp files are removed and a
    running Java process group is killed, as on Ctrl-C."""

    def terminate(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: cleanup must not be interrupted
        raise SystemExit(128 + signum)

    # not the main thread (embedded use): ValueError, and the handler is left alone
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, terminate)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every error prints one line and exits 2 (``--debug`` shows tracebacks).

    Project errors derive from ``core.errors.CalcinosisKGError``; anything else reaching here is a
    bug, reported as one ``internal error`` line rather than a traceback.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:  # accepted anywhere (``check --debug`` as well as ``--debug check``)
        args = ["--debug", *(a for a in args if a != "--debug")]
    _exit_cleanly_on_sigterm()
    try:
        # without standalone mode click hands ctx.exit(code) back as a return value
        code = cli.main(args=args, prog_name="calcinosis-kg", standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except CalcinosisKGError as exc:
        if debug:
            raise
        click.echo(f"calcinosis-kg: error: {terminal_safe(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        if debug:
            raise
        name = getattr(exc, "filename", None)
        reason = exc.strerror or str(exc)
        click.echo(
            terminal_safe(
                f"calcinosis-kg: error: {name}: {reason}"
                if name
                else f"calcinosis-kg: error: {reason}"
            ),
            err=True,
        )
        sys.exit(2)
    except Exception as exc:  # a bug, not bad input: still one line (``--debug`` shows where)
        if debug:
            raise
        text = " ".join(str(exc).split()) or "no message"
        click.echo(
            terminal_safe(
                f"calcinosis-kg: internal error: {type(exc).__name__}: {text} "
                "(rerun with --debug for the traceback)"
            ),
            err=True,
        )
        sys.exit(2)
