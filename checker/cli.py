"""The `modelcheck` command line.

Stage: cli, the outermost layer.  Parses arguments (argparse), reads the
spec, asks the front end for its configurations, hands them to
`checker/run.py`, prints a report from `checker/report/`, and returns the
exit code of DESIGN.md §5 (docs/OUTPUT.md):

    0 every result as expected, nothing incomplete    1 a result differs from its expectation
    2 bad spec or usage                               3 incomplete/unknown, nothing else wrong
    70 internal error or engine disagreement

Nothing escapes as a traceback: spec and usage errors are rendered on
stderr (exit 2); any other exception is an internal error (exit 70), with
the traceback only under `--debug`.  `modelcheck FILE` means `modelcheck
check FILE`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import enum
import importlib
import os
import re
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from checker.report import dot, json_report, junit, mermaid, sarif, text
from checker.report.grid import visible
from checker.report.swimlane import DEFAULT_WIDTH, TraceStyle
from checker.run import (
    DEFAULT_ENGINES,
    Command,
    EngineChoice,
    Engines,
    ExitCode,
    InternalError,
    RunOptions,
    RunResult,
    UserError,
    load_models,
    run,
    select,
    state_graph,
)
from model.ir import Model

VERSION = "0.1.0"
COMMANDS = ("check", "prove", "ir")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Format(enum.Enum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"
    DOT = "dot"
    SVG = "svg"
    MERMAID = "mermaid"


# --------------------------------------------------------------------------
# Argument types (argparse turns a ValueError/ArgumentTypeError into exit 2)


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not _NAME.fullmatch(name) or not value:
        raise argparse.ArgumentTypeError(f"'{text}': expected NAME=VALUE (for example PAGES=3)")
    return name, value


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return n


def _natural(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must not be negative")
    return n


MAX_TIMEOUT = 1_000_000


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' must be a positive number of seconds")
    if x > MAX_TIMEOUT:  # z3 takes its timeout as 32-bit milliseconds
        raise argparse.ArgumentTypeError(f"'{text}' is more than {MAX_TIMEOUT:,} seconds (11 days)")
    return x


def _width(text: str) -> int:
    n = _positive_int(text)
    if n < 40:
        raise argparse.ArgumentTypeError(f"'{text}' is too narrow (at least 40 columns)")
    return n


# --------------------------------------------------------------------------
# The parser


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    spec = common.add_argument_group("spec")
    spec.add_argument("file", metavar="FILE", help="the .mig spec")
    spec.add_argument(
        "-D",
        dest="defines",
        metavar="NAME=VALUE",
        type=_assignment,
        action="append",
        default=[],
        help="override a const, or fix a param to one value (repeatable)",
    )
    sel = common.add_argument_group("selection")
    sel.add_argument(
        "--property",
        dest="properties",
        metavar="NAME",
        action="append",
        default=[],
        help="check only this property (repeatable)",
    )
    sel.add_argument(
        "--config",
        dest="configs",
        metavar="PARAM=VALUE",
        type=_assignment,
        action="append",
        default=[],
        help="check only the configurations where PARAM has VALUE (repeatable: values of one "
        "param are alternatives, different params must all match)",
    )
    eng = common.add_argument_group("engines and limits")
    eng.add_argument(
        "--engine",
        choices=[e.value for e in EngineChoice],
        default=None,
        help="explicit: exhaustive search, shortest traces, state counts (the default for check); "
        "symbolic: z3 (BMC, k-induction, Spacer); both: run both and cross-check",
    )
    eng.add_argument("--max-states", type=_positive_int, metavar="N", help="stop after N distinct states")
    eng.add_argument("--max-depth", type=_natural, metavar="N", help="explore at most N steps deep")
    eng.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="time limit: explicit engine per configuration (default none), z3 per property (default 60)",
    )
    eng.add_argument(
        "--memory-mb",
        type=_positive_int,
        metavar="MB",
        help="memory guard of the explicit engine (default 60%% of physical memory)",
    )
    eng.add_argument(
        "--bmc-depth",
        type=_natural,
        metavar="N",
        help="deepest bounded model checking step for z3 (default 60)",
    )
    eng.add_argument("--no-symmetry", action="store_true", help="turn symmetry reduction off")
    out = common.add_argument_group("output")
    out.add_argument(
        "--format", choices=[f.value for f in Format], default="text", help="output format (default: text)"
    )
    out.add_argument(
        "--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout"
    )
    out.add_argument("--ascii", action="store_true", help="plain ASCII, fit for a mailing list")
    out.add_argument(
        "--trace-style",
        choices=[s.value for s in TraceStyle],
        default="swimlane",
        help="traces as swimlanes (one column per process) or as a step list",
    )
    out.add_argument(
        "--width",
        type=_width,
        default=DEFAULT_WIDTH,
        metavar="COLS",
        help="swimlane width limit (default %(default)s)",
    )
    out.add_argument(
        "--witnesses", action="store_true", help="also print the witness trace of every reached target"
    )
    out.add_argument("--show-invariant", action="store_true", help="print each proof's inductive invariant")
    out.add_argument("--state-graph", action="store_true", help="with --format dot/svg: draw the state graph")
    out.add_argument("--no-timing", action="store_true", help="omit times: deterministic output for diffs")
    out.add_argument("--quiet", action="store_true", help="no progress; traces only for unexpected results")
    out.add_argument("--debug", action="store_true", help="show the traceback of an internal error")

    parser = argparse.ArgumentParser(
        prog="modelcheck",
        description="Model checker for kernel memory-management concurrency protocols. "
        "`modelcheck FILE` is `modelcheck check FILE`.",
        epilog="exit codes: 0 every result as expected; 1 a result differs from its expectation; "
        "2 bad spec or usage; 3 incomplete or unknown, nothing else wrong; "
        "70 internal error or engine disagreement.  See docs/OUTPUT.md.",
    )
    parser.add_argument("--version", action="version", version=f"modelcheck {VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "check",
        parents=[common],
        help="check every property of every configuration (the default command)",
        description="Check every property of every configuration and print a verdict table.",
    )
    sub.add_parser(
        "prove",
        parents=[common],
        help="prove every safety property, and liveness expected to hold, with z3",
        description="Prove every safety property (invariants, assertions, deadlock) and every liveness "
        "property not declared violated, in every configuration, for all depths with z3 "
        "(liveness by k-liveness); --show-invariant prints each proof's invariant.",
    )
    sub.add_parser(
        "ir",
        parents=[common],
        help="print the IR the engines check, per configuration",
        description="Print the lowered IR of every configuration.",
    )
    return parser


def normalize_argv(argv: Sequence[str]) -> list[str]:
    """`modelcheck [OPTIONS] FILE` -> `modelcheck check [OPTIONS] FILE`."""
    args = list(argv)
    if args and (args[0] in COMMANDS or args[0] in ("-h", "--help", "--version")):
        return args
    return ["check", *args] if args else args


# --------------------------------------------------------------------------
# Input and output


def check_output_path(output: str, spec: str) -> None:
    """Refuse, before any work, an `--output` that cannot be written or would replace the spec."""
    target = os.path.realpath(output)  # a symlink is followed: its target is written, the link kept
    if os.path.isdir(target):
        raise UserError(f"--output {output}: is a directory")
    if os.path.exists(target) and os.path.exists(spec) and os.path.samefile(target, spec):
        raise UserError(f"--output {output}: refusing to overwrite the input spec")
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise UserError(f"--output {output}: no such directory {parent}")
    writable = os.access(target, os.W_OK) if os.path.exists(target) else os.access(parent, os.W_OK)
    if not writable:
        raise UserError(f"--output {output}: permission denied")


def write_output(path: str, content: str) -> None:
    """Write the report to `path`; `UserError` when that fails.

    NOTE(output-file): a regular file (or a new one) is written atomically
    (a temporary file beside it, then a rename) and keeps its permissions;
    anything else that exists (`/dev/null`, `/dev/stdout`, a FIFO) is opened
    and written in place, never replaced: renaming over a device node would
    destroy it.  A symlink is followed.
    """
    target = os.path.realpath(path)
    try:
        if os.path.exists(target) and not os.path.isfile(target):
            with open(target, "w", encoding="utf-8") as f:
                f.write(content)
        else:
            write_atomically(target, content)
    except OSError as e:
        raise UserError(f"--output {path}: cannot write: {e.strerror or e}") from None


def _file_mode(path: str) -> int:
    """The permissions a rewritten `path` keeps (a new file: 0o666 less the umask)."""
    with contextlib.suppress(OSError):
        return os.stat(path).st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: str, content: str) -> None:
    """Write `content` to a temporary file beside `path`, then rename it over `path`."""
    parent = os.path.dirname(os.path.abspath(path))
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=".modelcheck-", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = ""
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _stream_takes_unicode(stream: TextIO) -> bool:
    try:
        "┌─│✗".encode(getattr(stream, "encoding", None) or "utf-8")  # in-memory streams take str
    except (UnicodeEncodeError, LookupError):
        return False
    return True


# --------------------------------------------------------------------------
# Commands


def _options(args: argparse.Namespace, command: Command) -> RunOptions:
    if command is Command.PROVE and args.engine not in (None, EngineChoice.SYMBOLIC.value):
        raise UserError("prove always uses z3; --engine applies to `modelcheck check`")
    return RunOptions(
        command=command,
        engine=(
            EngineChoice(args.engine)
            if args.engine
            else (EngineChoice.SYMBOLIC if command is Command.PROVE else EngineChoice.EXPLICIT)
        ),
        max_states=args.max_states,
        max_depth=args.max_depth,
        timeout=args.timeout,
        memory_mb=args.memory_mb,
        bmc_depth=args.bmc_depth,
        symmetry=not args.no_symmetry,
        progress=not args.quiet and sys.stderr.isatty(),
        properties=tuple(args.properties),
        configs=tuple(args.configs),
    )


def _defines(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        if name in out and out[name] != value:
            raise UserError(f"-D {name}: given twice ({out[name]} and {value})")
        out[name] = value
    return out


def format_ir(models: Sequence[Model]) -> str:
    ir_text = importlib.import_module("model.ir_text")
    parts: list[str] = [ir_text.format_model(m).rstrip("\n") + "\n" for m in models]  # each names its config
    return "\n".join(parts)


def render(result: RunResult, args: argparse.Namespace, ascii_only: bool) -> str:
    timing = not args.no_timing
    fmt = Format(args.format)
    match fmt:
        case Format.TEXT:
            opts = text.TextOptions(
                ascii_only=ascii_only,
                timing=timing,
                trace_style=TraceStyle(args.trace_style),
                witnesses=args.witnesses,
                show_invariant=args.show_invariant,
                quiet=args.quiet,
                width=args.width,
            )
            return text.render(result, opts)
        case Format.JSON:
            return json_report.render(result, timing=timing)
        case Format.JUNIT:
            return junit.render(result, timing=timing)
        case Format.SARIF:
            return sarif.render(result)
        case Format.MERMAID:
            return mermaid.render(result)
        case Format.DOT | Format.SVG:
            graph = dot.traces_dot(result)
            return svg_of(graph, args.timeout) if fmt is Format.SVG else graph
        case _:
            raise AssertionError(fmt)


STATE_GRAPH_LIMIT = 10_000  # states drawn by --state-graph unless --max-states says otherwise


def state_graphs(models: Sequence[Model], options: RunOptions, svg: bool) -> tuple[str, bool]:
    """The DOT (or SVG) of every configuration's state graph, and whether every graph is complete."""
    if options.max_states is None:
        options = dataclasses.replace(options, max_states=STATE_GRAPH_LIMIT)
    pieces = []
    complete = True
    for m in models:
        graph = state_graph(m, options)
        complete = complete and bool(graph.graph.get("complete", True))
        pieces.append(dot.state_graph_dot(m, graph, f"{m.path} [{m.config_label()}]"))
    body = "".join(pieces)
    return (svg_of(body, options.timeout) if svg else body), complete


SVG_TIMEOUT = 60.0  # seconds graphviz may take to lay a drawing out, unless --timeout says otherwise


def svg_of(dot_text: str, timeout: float | None) -> str:
    """`dot -Tsvg` within a time limit; a drawing too large to lay out is the user's to shrink."""
    limit = timeout or SVG_TIMEOUT
    try:
        return dot.to_svg(dot_text, timeout=limit)
    except subprocess.TimeoutExpired:
        raise UserError(
            f"graphviz did not lay the drawing out within {limit:g} s: use --format dot, "
            "or draw fewer states (--max-states)"
        ) from None


def _spec_error_type() -> type[BaseException]:
    try:
        diagnostics: Any = importlib.import_module("model.diagnostics")
    except ImportError:
        return _NoSpecError
    error_type: type[BaseException] = diagnostics.SpecError
    return error_type


class _NoSpecError(Exception):
    """Stands in for model.diagnostics.SpecError while the front end is absent."""


def _render_spec_error(error: BaseException) -> str:
    """The diagnostics' text, with excerpts from the sources the error carries (the front end's text)."""
    diagnostics: Any = importlib.import_module("model.diagnostics")
    sources = getattr(error, "sources", None) or {}
    rendered: str = diagnostics.render(getattr(error, "diagnostics", ()), sources)
    return rendered.rstrip("\n") + "\n"


def execute(argv: Sequence[str], stdout: TextIO, stderr: TextIO, engines: Engines = DEFAULT_ENGINES) -> int:
    """Run one command line; every failure becomes an exit code (see the module docstring)."""
    try:
        return _execute(argv, stdout, stderr, engines)
    except Exception as e:  # last resort: a failure while reporting a failure
        stderr.write(f"modelcheck: internal error ({type(e).__name__}): {e}\n")
        return int(ExitCode.INTERNAL)


def _command_typo(argv: Sequence[str]) -> str | None:
    """`modelcheck chek FILE`, `modelcheck verify FILE`: a first word that is no command and no file."""
    if not argv or argv[0] in COMMANDS or argv[0].startswith("-") or os.path.exists(argv[0]):
        return None
    close = difflib.get_close_matches(argv[0], COMMANDS, n=1, cutoff=0.6)
    if close:
        return f"unknown command '{argv[0]}'; did you mean '{close[0]}'? (no file of that name either)"
    if "." not in argv[0] and "/" not in argv[0] and any(a.endswith(".mig") for a in argv[1:]):
        return f"unknown command '{argv[0]}': the commands are {', '.join(COMMANDS)}"
    return None


def _option_strings(parser: argparse.ArgumentParser, valued: bool = False) -> set[str]:
    """Every option of `parser` and of its commands (argparse lists them only privately).

    With `valued`, only those that take a value (`-D`, `--format`, ...); else every `--option`.
    """
    out: set[str] = set()
    for action in parser._actions:
        if valued:
            out.update(action.option_strings if action.nargs != 0 else ())
        else:
            out.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out |= _option_strings(sub, valued)
    return out


def _option_typo(argv: Sequence[str], parser: argparse.ArgumentParser) -> str | None:
    """`--formt json`: an unknown option close to a known one (argparse says only "unrecognized")."""
    known = _option_strings(parser)
    for arg in argv:
        if arg == "--":
            break
        word = arg.split("=", 1)[0]
        if not word.startswith("--") or word in known or any(k.startswith(word) for k in known):
            continue  # a known option, or an abbreviation of one (argparse resolves those)
        close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.7)
        if close:
            return f"unknown option '{word}'; did you mean '{close[0]}'?"
    return None


def _several_specs(argv: Sequence[str], parser: argparse.ArgumentParser) -> str | None:
    """`modelcheck a.mig b.mig`: one spec per run (argparse says only "unrecognized arguments")."""
    valued = _option_strings(parser, valued=True)
    specs: list[str] = []
    for k, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.endswith(".mig") and not arg.startswith("-") and (k == 0 or argv[k - 1] not in valued):
            specs.append(arg)
    if len(specs) < 2:
        return None
    return f"one spec FILE per run, got {len(specs)} ({', '.join(specs[:3])}{', ...' if len(specs) > 3 else ''}): run modelcheck once for each"


def _execute(argv: Sequence[str], stdout: TextIO, stderr: TextIO, engines: Engines) -> int:
    parser = build_parser()
    typo = _command_typo(argv) or _option_typo(argv, parser) or _several_specs(argv, parser)
    if typo is not None:
        parser.print_usage(stderr)
        stderr.write(f"modelcheck: error: {visible(typo)}\n")
        return int(ExitCode.USAGE)
    try:
        args = parser.parse_args(normalize_argv(argv))
    except SystemExit as e:  # argparse: --help/--version (0) or a usage error (2), already printed
        return e.code if isinstance(e.code, int) else int(ExitCode.USAGE)
    if args.command is None:
        parser.print_usage(stderr)
        stderr.write("modelcheck: error: a spec FILE is required\n")
        return int(ExitCode.USAGE)
    spec_error = _spec_error_type()
    try:
        command = Command.CHECK if args.command == "ir" else Command(args.command)
        options = _options(args, command)
        defines = _defines(args.defines)
        if not args.file:
            raise UserError("the spec FILE is an empty string")
        if args.file == "-" and not os.path.exists("-"):
            raise UserError(
                "FILE '-': standard input is read as /dev/stdin (modelcheck /dev/stdin < spec.mig)"
            )
        if args.command == "ir" and args.format != Format.TEXT.value:
            raise UserError("ir prints the IR as text; --format applies to check and prove")
        if args.output:
            check_output_path(args.output, args.file)
        if args.state_graph and args.format not in (Format.DOT.value, Format.SVG.value):
            raise UserError("--state-graph needs --format dot or --format svg")
        if args.format == Format.SVG.value and not dot.have_graphviz():
            raise UserError("--format svg needs graphviz `dot`, which is not installed: use --format dot")
        models = load_models(args.file, defines)  # the front end reads the file, once
        # A file is written as UTF-8; a terminal that cannot show box drawing gets ASCII.
        ascii_only = args.ascii or (not args.output and not _stream_takes_unicode(stdout))
        if args.command == "ir":
            report = format_ir(select(models, options) if (args.configs or args.properties) else models)
            code = ExitCode.OK
        else:
            chosen = select(models, options)
            if args.state_graph:
                report, complete = state_graphs(chosen, options, args.format == Format.SVG.value)
                code = ExitCode.OK if complete else ExitCode.INCOMPLETE
                if not complete:
                    stderr.write("modelcheck: the state graph is incomplete: a limit cut it (--max-states)\n")
            else:
                result = run(args.file, chosen, options, engines)
                report = render(result, args, ascii_only)
                code = result.exit_code
        if args.output:
            write_output(args.output, report)
            if not args.quiet:
                stderr.write(f"modelcheck: wrote {args.output} (exit {int(code)})\n")
        else:
            stdout.write(report)
        return int(code)
    except UserError as e:
        message = str(e)
        stderr.write(message if ": error: " in message else f"modelcheck: error: {message}")
        stderr.write("\n")
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        stderr.write("modelcheck: interrupted before any result\n")
        return int(ExitCode.INCOMPLETE)
    except Exception as e:
        if isinstance(e, spec_error):
            stderr.write(visible(_render_spec_error(e)))  # NOTE(untrusted-text)
            return int(ExitCode.USAGE)
        kind = "internal error" if isinstance(e, InternalError) else f"internal error ({type(e).__name__})"
        stderr.write(f"modelcheck: {kind}: {e}\n")
        if args.debug:
            traceback.print_exc(file=stderr)
        else:
            stderr.write("modelcheck: this is a bug in modelcheck; --debug shows the traceback\n")
        return int(ExitCode.INTERNAL)


@contextlib.contextmanager
def _broken_pipe_guard() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        # `modelcheck spec.mig | head`: the reader left; nothing more to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point (`modelcheck`)."""
    with _broken_pipe_guard():
        return execute(sys.argv[1:] if argv is None else argv, sys.stdout, sys.stderr)
    return int(ExitCode.INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
