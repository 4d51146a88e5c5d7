"""The `policy-kit` command line. Every command is documented in README.md.

Exit codes: 0 success; 1 findings (a required requirement missing, a school failed in a bulk
run); 2 usage or input error; 3 internal error (a bug: please report it); 130 interrupted."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import EXIT_FINDINGS, PolicyKitError

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our errors into a message and an exit code; never show a traceback to users."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _sigterm_interrupts():
                return func(*args, **kwargs)
        except PolicyKitError as exc:
            click.echo(f"error: {exc}", err=True)
            if exc.ja and exc.ja != exc.message:  # the same in Japanese, for school and board staff
                click.echo(f"エラー: {Path(exc.path).name + ': ' if exc.path else ''}{exc.ja}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            sys.stdout = open(os.devnull, "w")
            sys.exit(0)
        except KeyboardInterrupt as exc:
            click.echo("interrupted: finished files are complete, unfinished ones were not written", err=True)
            sys.exit(getattr(exc, "exit_code", EXIT_INTERRUPTED))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly
            if os.environ.get("POLICY_KIT_DEBUG"):
                raise
            click.echo(f"internal error: {exc.__class__.__name__}: {exc}", err=True)
            click.echo("this is a bug in policy-kit; rerun with POLICY_KIT_DEBUG=1 for details", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper


class _sigterm_interrupts:
    """SIGTERM stops a command as Ctrl-C does (cleanup runs, unfinished output is removed),
    with exit code 143."""

    def __enter__(self) -> None:
        import signal

        from .parallel import Interrupted

        def interrupt(signum: int, frame: object) -> None:
            raise Interrupted(signum)

        try:
            self.saved = signal.signal(signal.SIGTERM, interrupt)
        except ValueError:  # not the main thread
            self.saved = None

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            import signal

            signal.signal(signal.SIGTERM, self.saved)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policy-kit")
def main() -> None:
    """Generate and check school bullying-prevention policies (学校いじめ防止基本方針).

    \b
    Exit codes: 0 ok, 1 findings or a failed school in a bulk run,
    2 usage or input error, 3 internal error, 130 interrupted.
    """


# --------------------------------------------------------------------------- generate


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="school.yaml")
@click.option("--board", default="asahikawa", show_default=True,
              help="The school's board: a bundled profile (asahikawa, kitakyushu, …) or a profile YAML file.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handle_errors
def init(path: Path, board: str, force: bool) -> None:
    """Write a commented starter input file for a new school of a board (default: school.yaml)."""
    from . import atomic
    from .generate.school import starter_text

    if path.exists() and not force:
        raise PolicyKitError("file exists; pass --force to overwrite it", path)
    atomic.write_text(path, starter_text(board))
    click.echo(f"wrote {path} for {board}: fill it in, then run `policy-kit generate {path} -o out`")


_FORMATS = click.Choice(["pdf", "html", "both"])
_DOCS = click.Choice(["policy", "leaflet", "program", "pupils"])


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True, help="Output directory; each school gets OUT/<school-id>/.")
@click.option("--format", "fmt", type=_FORMATS, default="both", show_default=True, help="Write PDF, HTML or both.")
@click.option("--only", "only", type=_DOCS, multiple=True, help="Only this document (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite this school's existing documents.")
@click.option("--check-only", is_flag=True, help="Validate the inputs and write nothing.")
@handle_errors
def generate(inputs: tuple[Path, ...], out: Path, fmt: str, only: tuple[str, ...], force: bool, check_only: bool) -> None:
    """Generate each school's policy, parent leaflet, annual programme and pupils' version (PDF + HTML).

    Every input is validated first; if any is invalid nothing is written (exit 2).
    """
    from .generate.documents import check_output_folders, generate_school
    from .generate.school import load_profile, load_school

    schools = [(path, load_school(path)) for path in inputs]
    for path, data in schools:
        load_profile(data.profile, relative_to=path)
    check_output_folders([(str(path), data) for path, data in schools], out, force=force)
    if check_only:
        click.echo(f"{len(schools)} input(s) valid")
        return
    formats = ("pdf", "html") if fmt == "both" else (fmt,)
    for path, data in schools:
        result = generate_school(data, out, input_path=path, formats=formats, documents=list(only) or None, force=force)
        click.echo(f"{data.school.name}: {result.out_dir}/ ({len(result.files)} files)")
        for warning in result.warnings:
            click.echo(f"warning: {path}: {warning}", err=True)


@main.command()
@click.argument("roster_path", metavar="ROSTER", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--format", "fmt", type=_FORMATS, default="both", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite existing documents of the same school.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal).")
@handle_errors
def roster(roster_path: Path, out: Path, jobs: int | None, fmt: str, force: bool, progress: bool | None) -> None:
    """Generate every school of a roster (CSV or XLSX, one row per school).

    A bad row is reported with its row number and the other schools are still produced;
    exit 1 when any school failed.
    """
    from .generate.bulk import run_roster

    formats = ("pdf", "html") if fmt == "both" else (fmt,)
    summary = run_roster(roster_path, out, jobs=jobs or os.cpu_count() or 1, formats=formats, force=force,
                         progress=sys.stderr.isatty() if progress is None else progress)
    for line in summary.lines():
        click.echo(line)
    if summary.failed:
        sys.exit(EXIT_FINDINGS)


# --------------------------------------------------------------------------- check

_CHECK_FORMATS = ("text", "json", "sarif", "junit", "github")


def _report_targets(formats: tuple[str, ...], output: Path | None) -> list[tuple[str, Path | None]]:
    """`--format text --format sarif=policy.sarif`: each format with its file (None = stdout)."""
    targets: list[tuple[str, Path | None]] = []
    for spec in formats or ("text",):
        name, _, path = spec.partition("=")
        if name not in _CHECK_FORMATS:
            raise click.BadParameter(f"{name!r} is not one of {', '.join(_CHECK_FORMATS)}", param_hint="--format")
        targets.append((name, Path(path) if path else None))
    to_stdout = [t for t in targets if t[1] is None]
    if len(to_stdout) > 1:
        raise click.BadParameter("only one format can go to standard output; give the others a file: sarif=FILE", param_hint="--format")
    if output is not None and to_stdout:
        targets[targets.index(to_stdout[0])] = (to_stdout[0][0], output)
    return targets


def _checker(checklist_name: str | None, config_path: Path | None, ignore: tuple[str, ...] = (),
             max_pages: int = 500, max_file_mb: int = 50):
    from .check.checker import Checker
    from .check.checklist import load_checklist
    from .check.config import load_config
    from .check.extract import Limits

    config = load_config(config_path)
    return Checker(load_checklist(checklist_name or config.checklist), config,
                   Limits(max_file_bytes=max_file_mb * 1024 * 1024, max_pages=max_pages), tuple(ignore))


_checklist_option = click.option("--checklist", "checklist_name", default=None,
                                 help="Bundled checklist name or a YAML path [default: asahikawa, or the config file's].")
_config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                              help="policy-kit.toml or pyproject.toml to read [default: found from the current directory].")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@_checklist_option
@click.option("--format", "formats", multiple=True, metavar="FORMAT[=FILE]",
              help="Report format: text, json, sarif, junit or github (default text). Repeatable; FORMAT=FILE writes that report to FILE.")
@click.option("--ignore", multiple=True, metavar="ID", help="Leave a requirement out (repeatable).")
@click.option("--fail-on", type=click.Choice(["required", "recommended", "partial"]), default=None,
              help="What makes exit code 1: a missing required item (default), any missing item, or any missing/partial item.")
@click.option("--per-file", is_flag=True, help="Check every file as a package of its own.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True), default=None,
              help="Write the report to a file (atomically) instead of stdout.")
@_config_option
@click.option("--max-pages", type=click.IntRange(1), default=500, show_default=True, help="Refuse PDFs/DOCX with more pages.")
@click.option("--max-file-mb", type=click.IntRange(1), default=50, show_default=True, help="Refuse larger files.")
@click.option("-v", "--verbose", is_flag=True, help="Show up to three evidence sentences for every requirement.")
@handle_errors
def check(files: tuple[Path, ...], checklist_name: str | None, formats: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None,
          per_file: bool, output: Path | None, config_path: Path | None, max_pages: int, max_file_mb: int, verbose: bool) -> None:
    """Check a school's policy package against a checklist.

    Files given together are one package; each directory is a package of its own (a school
    folder); `-` reads one document from standard input. Exit 0: nothing that fails (see
    --fail-on); 1: a required requirement is missing; 2: usage or input error.
    """
    from . import atomic
    from .check.checker import packages
    from .check.report import is_failure, render_many

    targets = _report_targets(formats, None if output is not None and str(output) == "-" else output)
    checker = _checker(checklist_name, config_path, ignore, max_pages, max_file_mb)
    fail_on = fail_on or checker.config.fail_on
    results = []
    if any(str(f) == "-" for f in files):
        if len(files) > 1:
            raise click.BadParameter("'-' (standard input) cannot be combined with other files", param_hint="FILES")
        result = checker.check_bytes(click.get_binary_stream("stdin").read(checker.limits.max_file_bytes + 1), "stdin")
        result.name = "stdin"
        results.append(result)
    else:
        for name, paths in packages(list(files), per_file):
            result = checker.check(paths)
            result.name = name
            results.append(result)
    for fmt, path in targets:
        text = render_many(results, fmt, fail_on, verbose)
        if path is None:
            click.echo(text, nl=False)
        else:
            atomic.write_report(path, text)
    if any(is_failure(f, fail_on) for r in results for f in r.findings):
        sys.exit(EXIT_FINDINGS)


@main.group()
def checklist() -> None:
    """List and explain checklist requirements."""


@checklist.command("list")
@click.option("--checklist", "checklist_name", default=None,
              help="List this checklist's requirements (a bundled name or a YAML path) instead of the bundled checklists.")
@handle_errors
def checklist_list(checklist_name: str | None) -> None:
    """List the bundled checklists (id, version, source), or one checklist's requirements."""
    from .check.checklist import load_checklist

    if checklist_name is None:
        from .check.checklist import bundled_checklists

        for cl in bundled_checklists():
            click.echo(f"{cl.id:12} {cl.version:8} {cl.title}（{len(cl.requirements)} requirements）")
            click.echo(f"{'':12} 出典: {cl.source}")
        return
    cl = load_checklist(checklist_name)
    drafts = sum(r.draft for r in cl.requirements)
    click.echo(f"{cl.title}（{cl.id} {cl.version}）— {len(cl.requirements)} requirements"
               + (f", {drafts} drafted (draft: true) to review" if drafts else ""))
    for r in cl.requirements:
        click.echo(f"{r.id:32} {r.severity:11} {r.title}（{r.source}）" + (" [draft]" if r.draft else ""))


@checklist.command("derive")
@click.argument("policy", metavar="CITY_POLICY", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The draft checklist to write (YAML).")
@click.option("--id", "checklist_id", default=None, help="The draft's checklist id [default: draft-<file name>].")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--max-pages", type=click.IntRange(1), default=500, show_default=True, help="Refuse PDFs/DOCX with more pages.")
@click.option("--max-file-mb", type=click.IntRange(1), default=50, show_default=True, help="Refuse larger files.")
@handle_errors
def checklist_derive(policy: Path, output: Path, checklist_id: str | None, force: bool, max_pages: int, max_file_mb: int) -> None:
    """Draft a checklist from a board's own basic policy (PDF, DOCX, text, HTML).

    Finds the part that says what schools must do, drafts one requirement per obligation with
    its section number and proposed terms, every one marked `draft: true` for a person to review.
    """
    import re as _re

    from . import atomic, safeyaml
    from .check.checklist import parse_checklist
    from .check.derive import derive, draft_yaml
    from .check.extract import Limits

    if output.exists() and not force:
        raise PolicyKitError("file exists; pass --force to overwrite it", output)
    if checklist_id is not None and not _re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", checklist_id):
        raise click.BadParameter("lower-case letters, digits, - and _", param_hint="--id")
    draft = derive(policy, Limits(max_file_bytes=max_file_mb * 1024 * 1024, max_pages=max_pages))
    text = draft_yaml(draft, checklist_id)
    parse_checklist(safeyaml.load_text(text, output), output)  # the draft must load as it is written
    atomic.write_text(output, text)
    click.echo(f"drafted {len(draft.obligations)} requirements from {policy} into {output}")
    for section in draft.sections[:8]:
        click.echo(f"  read as the school's part: {section}")
    click.echo(f"review every item (draft: true), then: policy-kit checklist list --checklist {output}")


@checklist.command("show")
@click.argument("requirement_id")
@click.option("--checklist", "checklist_name", default="asahikawa", show_default=True)
@handle_errors
def checklist_show(requirement_id: str, checklist_name: str) -> None:
    """Explain one requirement: why it is required, how to fix it, an example, the rules."""
    from .check.checklist import load_checklist

    cl = load_checklist(checklist_name)
    r = cl.get(requirement_id)
    click.echo(f"{r.id} — {r.title}\n")
    click.echo(f"重要度: {'必須 (required)' if r.severity == 'required' else '推奨 (recommended)'}")
    click.echo(f"出典:   {r.source}")
    click.echo(f"理由:   {r.why}")
    click.echo(f"対応:   {r.fix}")
    if r.example:
        click.echo(f"記載例: {r.example}")
    click.echo("\n検出ルール（present のいずれか）:")
    for clause in r.present:
        groups = " + ".join("(" + " & ".join(g) + ")" for g in clause.groups)
        extra = f" 前後{clause.window}文以内" if clause.window else " 同じ文"
        if clause.context:
            extra += f"; 見出しも可: {', '.join(clause.context)}"
        if clause.distinct:
            extra += "; " + ", ".join(f"{k} が{v}種類以上" for k, v in clause.distinct.items())
        click.echo(f"  - {groups}{extra}")
    if r.partial:
        click.echo("部分的（partial）:")
        for clause in r.partial:
            click.echo("  - " + " + ".join("(" + " & ".join(g) + ")" for g in clause.groups))


@checklist.command("test")
@click.argument("checklist_name", metavar="[CHECKLIST]", default="asahikawa")
@click.option("--id", "only", multiple=True, metavar="ID", help="Test only this requirement (repeatable).")
@click.option("--no-parse", is_flag=True, help="Judge negation by the checklist's cues instead of GiNZA's parse (ablation).")
@click.option("-v", "--verbose", is_flag=True, help="List every example, not only the failing ones.")
@handle_errors
def checklist_test(checklist_name: str, only: tuple[str, ...], no_parse: bool, verbose: bool) -> None:
    """Check every requirement's examples (present ones must be found, absent ones must not).

    Exit 0 when all pass, 1 when an example fails, 2 for an invalid checklist.
    """
    from .check.checker import Checker
    from .check.checklist import load_checklist
    from .check.selftest import run_examples

    cl = load_checklist(checklist_name)
    for rid in only:
        cl.get(rid)
    results = run_examples(Checker(cl, parse=not no_parse), only)
    by_req: dict[str, list] = {}
    for r in results:
        by_req.setdefault(r.requirement, []).append(r)
    for rid, items in by_req.items():
        failed = [r for r in items if not r.passed]
        click.echo(f"{'✓' if not failed else '✗'} {rid:32} {len(items) - len(failed)}/{len(items)}")
        for r in items if verbose else failed:
            expect = "あり" if r.kind != "absent" else "あり以外"
            first = r.passage.replace("\n", " / ")
            click.echo(f"    {'ok  ' if r.passed else 'FAIL'} {r.kind} #{r.number}: 期待 {expect}、結果 {r.status} 「{first[:70]}{'…' if len(first) > 70 else ''}」")
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed}/{len(results)} examples pass ({cl.id} {cl.version})")
    if failed:
        sys.exit(EXIT_FINDINGS)


# --------------------------------------------------------------------------- audit


@main.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Report directory.")
@_checklist_option
@_config_option
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSV with columns path,id,name,kind naming each school.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--previous", type=click.Path(file_okay=False, path_type=Path), default=None, help="An earlier report directory: adds what improved and regressed.")
@click.option("--board", default=None, help="Sender of the letters [default: the checklist's board, e.g. 旭川市教育委員会].")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Cache of analysed schools [default: ~/.cache/policy-kit/audit].")
@click.option("--no-cache", is_flag=True, help="Analyse every school again and keep no cache.")
@click.option("--no-pdf", is_flag=True, help="Write the per-school letters as HTML only.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--max-pages", type=click.IntRange(1), default=500, show_default=True)
@click.option("--max-file-mb", type=click.IntRange(1), default=50, show_default=True)
@handle_errors
def audit(folder: Path, out: Path, checklist_name: str | None, config_path: Path | None, roster: Path | None, jobs: int | None,
          previous: Path | None, board: str | None, cache_dir: Path | None, no_cache: bool, no_pdf: bool, progress: bool | None,
          max_pages: int, max_file_mb: int) -> None:
    """Audit every school in DIR (one file or folder per school) and write the board's reports.

    Uses the same checker, configuration, waivers and inline suppressions as `check`.
    Exit 0 when every school passes, 1 when a school misses a required item or could not be
    read, 2 on usage errors. Unreadable files get their own status and never count as "all missing".
    """
    from .audit.cache import default_cache_dir
    from .audit.compare import load_previous
    from .audit.discover import discover_schools
    from .audit.reports import REPORT, AuditReport, write_reports
    from .audit.run import run_audit
    from .outputs import OutputLock

    checker = _checker(checklist_name, config_path, (), max_pages, max_file_mb)
    entries = discover_schools(folder, roster)
    before = load_previous(previous) if previous else None
    workers = jobs or os.cpu_count() or 1
    with OutputLock(out, REPORT, f"the report folder {out}", out):  # a second run on the same -o is refused at once
        results = run_audit(entries, checker, jobs=workers, cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
                            progress=sys.stderr.isatty() if progress is None else progress)
        report = AuditReport(checker.checklist, results, board or checker.checklist.board or "教育委員会", before)
        write_reports(report, out, letters_pdf=not no_pdf, jobs=workers)
    failing = [r for r in results if not r.passes]
    cached = sum(r.cached for r in results)
    click.echo(f"{len(results)} schools ({cached} from cache): {len(results) - len(failing)} pass, "
               f"{sum(r.status == 'ok' and not r.passes for r in results)} miss a required item, "
               f"{sum(r.status == 'unreadable' for r in results)} unreadable")
    for r in failing:
        click.echo(f"  {r.entry.name}: " + (f"読み取れません: {r.reason_ja}" if r.status == "unreadable" else f"必須項目の不足 {r.required_missing} 件"))
    click.echo(f"report: {out / 'index.html'}")
    if failing:
        sys.exit(EXIT_FINDINGS)


# --------------------------------------------------------------------------- diff


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@_checklist_option
@_config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def diff(old: Path, new: Path, checklist_name: str | None, config_path: Path | None, fmt: str) -> None:
    """Compare two versions of one school's policy (files or directories).

    Shows each requirement's status before → after (improved / regressed) and which sections'
    text changed. Exit 1 when a required requirement regressed.
    """
    import json as _json

    from .check import diff as policy_diff

    checker = _checker(checklist_name, config_path)
    before = checker.check([old])
    after = checker.check([new])
    result = policy_diff.compare(before, after, before.sentences, after.sentences)
    if fmt == "json":
        click.echo(_json.dumps(policy_diff.to_dict(result), ensure_ascii=False, indent=2))
    else:
        click.echo(policy_diff.to_text(result), nl=False)
    if result.required_regressions:
        sys.exit(EXIT_FINDINGS)


# --------------------------------------------------------------------------- serve


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on. Anything but a loopback address needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for past audits and the cache [default: ~/.local/share/policy-kit/web].")
@click.option("--token", envvar="POLICY_KIT_TOKEN", default=None, show_envvar=True,
              help="Every page then requires this token (at least 16 characters).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes for an audit (default: all cores).")
@click.option("--max-upload-mb", type=click.IntRange(1), default=200, show_default=True, help="Largest upload (all files of one request).")
@handle_errors
def serve(host: str, port: int, data: Path | None, token: str | None, jobs: int | None, max_upload_mb: int) -> None:
    """Start the web app: write a school's policy, check a policy, audit all schools.

    Listens on 127.0.0.1:8000 by default; open http://127.0.0.1:8000/ in a browser.
    """
    from .web.server import build_settings, check_token
    from .web.server import serve as run_server

    settings = build_settings(data, check_token(host, token), jobs, max_upload_mb)
    click.echo(f"policy-kit web app: http://{host if ':' not in host else f'[{host}]'}:{port}/ (data: {settings.data_dir})"
               + ("; a token is required" if settings.token else ""), err=True)
    run_server(host, port, settings)
