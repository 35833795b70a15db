"""Command line: `reelpress [build|serve|check|clean|deploy|new|init] [options]` (the
installed command), or `python build.py ...` (the shim in a site folder)."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import os
import shutil
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reelpress import __version__
from reelpress.core.diagnostics import Diagnostic
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.os_errors import os_error_text
from reelpress.core.project import ProjectPaths

EXAMPLES = """\
examples:
  {prog}                      build the site in this folder into site/
  {prog} init mysite          start a new site in the folder mysite/
  {prog} --drafts --future    include drafts and articles dated in the future
  {prog} --base-url https://user.github.io/news/
  {prog} --scheduler tcp://encoder1:8786   encode media on a Dask cluster
  {prog} serve                preview on http://127.0.0.1:8000/ with live reload
  {prog} check                check every internal link of the built site
  {prog} deploy /var/www/news copy only changed files (or host:/path, s3://bucket/)
  {prog} clean                remove site/ and the build cache
  {prog} new "Storm hits Lyon" start an article (a draft) in content/

exit codes: 0 ok, 1 build errors (or broken links), 2 usage errors
"""
COMMANDS = ("build", "serve", "check", "clean", "deploy", "new", "init")


def program_name(argv0: str | None = None) -> str:
    """'reelpress' for the installed command, 'python build.py' for the shim in a site."""
    name = Path(argv0 if argv0 is not None else sys.argv[0]).name
    return "reelpress" if name.startswith("reelpress") else "python build.py"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: expected 0 to 65535")
    return port


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of jobs {text!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"invalid number of jobs {jobs}: at least 1")
    return jobs


def _option_groups() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser,
                              argparse.ArgumentParser]:
    """(where the site is, how to build it, which base URL): each subcommand takes only
    the groups that apply to it, so its --help lists only its own options."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--root", type=Path, default=Path("."),
                       help="the site folder with site.toml and content/ (default: .)")
    where.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    where.add_argument("-v", "--verbose", action="store_true", help="print more detail")
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument("--base-url", metavar="URL", help="override base_url of site.toml")
    how = argparse.ArgumentParser(add_help=False)
    how.add_argument("--drafts", action="store_true", help="include draft: true articles")
    how.add_argument("--future", action="store_true", help="include future-dated articles")
    how.add_argument("--force", action="store_true", help="ignore caches, rebuild everything")
    how.add_argument("--strict", action="store_true", help="warnings fail the build")
    how.add_argument("-j", "--jobs", type=_jobs, metavar="N", help="worker processes")
    how.add_argument("--explain", action="store_true",
                     help="say, for each output written again, what changed in it")
    how.add_argument("--timings", action="store_true",
                     help="print the CPU seconds of each build stage (workers included)")
    how.add_argument("--scheduler", metavar="ADDRESS",
                     help="encode media on this Dask scheduler, e.g. tcp://host:8786 "
                          "(needs reelpress[dask])")
    return where, base, how


def _parser(prog: str = "python build.py") -> argparse.ArgumentParser:
    examples = EXAMPLES.format(prog=prog)
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog=prog, description="reelpress: build a multimedia news site from Markdown.",
        epilog=examples, formatter_class=raw)
    parser.add_argument("--version", action="store_true", help="show versions (reelpress, ffmpeg)")
    where, base, how = _option_groups()
    commands = parser.add_subparsers(dest="command", metavar="command")
    commands.add_parser("build", parents=[where, base, how], help="build the site (default)",
                        epilog=examples, formatter_class=raw)
    serve = commands.add_parser("serve", parents=[where, base, how],
                                help="preview with live reload")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument("--open", action="store_true", help="open a browser")
    check = commands.add_parser("check", parents=[where, base],
                                help="check links, structured data and page weight of the site")
    check.add_argument("--strict", action="store_true",
                       help="structured-data and page-weight warnings fail the check")
    commands.add_parser("clean", parents=[where], help="remove site/ and the cache")
    new = commands.add_parser("new", parents=[where], help="start a new article (a draft)")
    new.add_argument("title", help="the headline")
    new.add_argument("--slug", help="file name and URL (default: from the title)")
    deploy = commands.add_parser("deploy", parents=[where, base, how],
                                 help="build, check, and copy the site to DEST")
    deploy.add_argument("dest", help="a folder, [user@]host:/path or ssh://host/path (rsync), "
                        "or s3://bucket/prefix")
    deploy.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    deploy.add_argument("--no-check", action="store_true",
                        help="deploy even with broken links (not recommended)")
    deploy.add_argument("--overwrite", action="store_true",
                        help="replace files in DEST that reelpress did not deploy")
    deploy.add_argument("--force-deletes", action="store_true",
                        help="delete more files than [deploy] max_deletes allows")
    init = commands.add_parser("init", help="start a new site in DIR (a working skeleton)")
    init.add_argument("dir", type=Path, metavar="DIR", help="the folder to create")
    init.add_argument("--force", action="store_true",
                      help="write into DIR even when it is not empty (never overwrites files)")
    init.add_argument("--title", help="the site's title (default: from DIR's name)")
    init.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.set_defaults(command=None)
    return parser


def _split_default_command(argv: list[str]) -> list[str]:
    """`python build.py --drafts` means `python build.py build --drafts`."""
    if not any(arg in COMMANDS for arg in argv) and not {"-h", "--help", "--version"} & set(argv):
        return ["build", *argv]
    return argv


def options_from(args: argparse.Namespace) -> BuildOptions:
    """Options of the subcommands that build; the others leave them at their defaults."""
    def given(name: str, default: object = False) -> Any:
        return getattr(args, name, default)

    return BuildOptions(root=args.root, drafts=given("drafts"), future=given("future"),
                        base_url=given("base_url", None), force=given("force"),
                        strict=given("strict"), quiet=args.quiet, verbose=args.verbose,
                        jobs=given("jobs", None), scheduler=given("scheduler", None))


def print_diagnostics(diagnostics: Sequence[Diagnostic], *, quiet: bool) -> None:
    for diagnostic in diagnostics:
        if diagnostic.is_error or not quiet:
            print(diagnostic.format(), file=sys.stderr)


def report(result: BuildResult, *, quiet: bool, verbose: bool = False) -> int:
    if not quiet:
        for note in result.notes:
            print(f"note: {note}")
    print_diagnostics(result.diagnostics, quiet=quiet)
    if verbose:
        laps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items())
        print(f"{result.pages_rendered} pages rendered; stages: {laps}")
    if not result.ok or not quiet:
        print(result.summary(), file=sys.stderr if not result.ok else sys.stdout)
    return 0 if result.ok else 1


def version_text() -> str:
    from reelpress.media.video.ffmpeg import find_ffmpeg
    try:
        ffmpeg = find_ffmpeg(None).describe()
    except Exception as exc:  # a broken ffmpeg must not hide the version
        ffmpeg = f"not available ({exc})"
    return f"reelpress {__version__}\nPython {sys.version.split()[0]}\nffmpeg: {ffmpeg}"


def entry() -> None:
    """The `reelpress` command and `build.py`: `main()`, then, once nothing else runs (no
    other thread, no worker process, no tracer or profiler waiting to write its data at
    exit) and the output is flushed, an exit that skips the interpreter's teardown of
    every module and record it holds (30 ms of a one-article build; the site and the index
    were closed by then). Otherwise a normal exit."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: the normal exit reports nothing more either
        sys.exit(code)
    pools = sys.modules.get("multiprocessing")
    watched = sys.gettrace() is not None or sys.getprofile() is not None  # coverage, cProfile
    if threading.active_count() == 1 and not watched and \
            (pools is None or not pools.active_children()):
        os._exit(code)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    argv = _split_default_command(given)
    parser = _parser(program_name())
    try:
        if given and not given[0].startswith("-") and given[0] not in COMMANDS:
            close = difflib.get_close_matches(given[0], COMMANDS, n=1, cutoff=0.6)
            parser.error(f"unknown command {given[0]!r} "
                         + (f"(did you mean {close[0]!r}?)" if close else
                            f"(choose from {', '.join(COMMANDS)})"))
        args, extra = parser.parse_known_args(argv)
        if extra:  # name the subcommand's own usage, not the top-level one
            subparsers = next(a for a in parser._actions
                              if isinstance(a, argparse._SubParsersAction))
            subparsers.choices[args.command or "build"].error(
                f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.version:
        print(version_text())
        return 0
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("interrupted; site/ left as it was", file=sys.stderr)
        return 130
    except OSError as exc:  # a full disk, a read-only site/: the machine's problem, not a bug
        print(os_error_text(exc, args.root), file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "init":
        from reelpress.commands.init import init_site
        return init_site(args.dir, force=args.force, title=args.title, quiet=args.quiet,
                         prog=program_name())
    if args.command == "clean":
        paths = ProjectPaths.at(args.root)
        for folder in (paths.site_dir, paths.cache_dir):
            if folder.exists():
                shutil.rmtree(folder)
                if not args.quiet:
                    print(f"removed {paths.relative(folder)}")
        return 0
    if args.command == "new":
        from reelpress.commands.new import new_article
        return new_article(args.root, args.title, args.slug, program_name())
    options = options_from(args)
    if args.command == "serve":
        from reelpress.serve import serve
        # unfingerprinted CSS lets the preview swap a stylesheet without reloading the page
        options = dataclasses.replace(options, fingerprint_assets=False)
        return serve(options, host=args.host, port=args.port, open_browser=args.open)
    if args.command == "check":
        return _check(options)
    result = build(options)
    if getattr(args, "explain", False):
        for line in result.explanations or ("nothing was rendered again",):
            print(f"explain: {line}")
    if getattr(args, "timings", False) and result.stage_cpu.cpu:
        print(result.stage_cpu.table())
    code = report(result, quiet=args.quiet, verbose=args.verbose)
    if code == 0 and options.strict:
        code = _strict_publishing(options)
    if args.command == "deploy" and code == 0:
        return _deploy(options, args)
    return code


def build(options: BuildOptions) -> BuildResult:
    """A build; the no-op check runs first, before the engine is even imported."""
    from reelpress.build.graph import inspect_last_build, up_to_date
    last = inspect_last_build(options)
    previous = up_to_date(options, last)
    if previous is not None:
        return previous
    from reelpress.pipeline import build_site
    return build_site(options, checked=True, last=last)


def _check(options: BuildOptions) -> int:
    from reelpress.commands.check import check_site
    from reelpress.core.config import load_config
    paths = ProjectPaths.at(options.root)
    config, problems = load_config(paths)
    if config is None:
        print_diagnostics(problems, quiet=False)
        return 1
    if not paths.site_dir.is_dir():
        print(f"site/ does not exist: run {program_name()} build first", file=sys.stderr)
        return 1
    base_url = options.base_url or config.base_url
    check_report = check_site(paths.site_dir, base_url=base_url)
    print(check_report.format())
    before_publishing = publishing_problems(paths, config, base_url)
    print_diagnostics(before_publishing, quiet=options.quiet)
    if before_publishing and options.strict:
        print(f"{len(before_publishing)} publishing warning(s) with --strict", file=sys.stderr)
        return 1
    return 0 if check_report.ok else 1


def _strict_publishing(options: BuildOptions) -> int:
    """`build --strict`: the checks before publishing are fatal too (site/ is written,
    but the exit code stops a deploy or CI step)."""
    from reelpress.core.config import load_config
    paths = ProjectPaths.at(options.root)
    config, _ = load_config(paths)
    if config is None or not paths.site_dir.is_dir():
        return 0
    problems = publishing_problems(paths, config, options.base_url or config.base_url)
    print_diagnostics(problems, quiet=False)
    if problems:
        print(f"{len(problems)} publishing warning(s) with --strict: fix them before"
              " deploying", file=sys.stderr)
        return 1
    return 0


def publishing_problems(paths: ProjectPaths, config, base_url: str) -> list[Diagnostic]:  # noqa: ANN001
    """Structured data and page weight of the built site (warnings; --strict: fatal)."""
    from reelpress.commands.check_publish import check_publishing, probe_seconds, sources_by_page
    return check_publishing(paths.site_dir, base_url=base_url, settings=config.check,
                            sources=sources_by_page(paths.content_dir, config),
                            site_label=paths.relative(paths.site_dir),
                            probe_duration=probe_seconds)


def _deploy(options: BuildOptions, args: argparse.Namespace) -> int:
    from reelpress.commands.deploy import deploy_result, deploy_settings
    from reelpress.commands.deploy.ledger import RECORDS_FOLDER
    from reelpress.commands.deploy.progress import ProgressLine
    from reelpress.core.config import load_config
    paths = ProjectPaths.at(options.root)
    config, problems = load_config(paths)
    if config is None:
        print_diagnostics(problems, quiet=False)
        return 1
    settings, settings_problems = deploy_settings(paths, config)  # the build skips [deploy]
    print_diagnostics(settings_problems, quiet=args.quiet)
    if settings is None:
        return 1
    progress = ProgressLine(sys.stderr, quiet=args.quiet)
    result = deploy_result(paths.site_dir, args.dest, settings=settings, dry_run=args.dry_run,
                           check=not args.no_check, overwrite=args.overwrite,
                           force_deletes=args.force_deletes,
                           base_url=options.base_url or config.base_url, progress=progress,
                           records=paths.root / RECORDS_FOLDER)
    progress.finish()
    if args.dry_run:
        print("\n".join(result.plan_lines()) or "nothing to change")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not result.ok:
        print_diagnostics(result.diagnostics(), quiet=False)
        return 1
    print(result.summary())
    return 0
