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
from .clitext import COMMAND_HELP_JA, DEFAULT_JA, HEADINGS_JA, OPTION_HELP_JA, REQUIRED_JA
from .errors import EXIT_FINDINGS, PolicyKitError

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
LANGS = ("ja", "en")
_LANG_KEY = "policy_kit.lang"


# --------------------------------------------------------------------------- language


def resolve_lang(option: str | None = None, environ: Any = None) -> str:
    """The language of messages: ``--lang``, else the locale (LC_ALL, LC_MESSAGES, LANG — the first
    that is set; English when it starts with ``en``), else Japanese."""
    if option in LANGS:
        return option
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "en" if value.lower().startswith("en") else "ja"
    return "ja"


def _lang_in_args(args: list[str]) -> str | None:
    """The value of ``--lang`` anywhere on the command line (before ``--``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def current_lang() -> str:
    ctx = click.get_current_context(silent=True)
    if ctx is not None and _LANG_KEY in ctx.meta:
        return ctx.meta[_LANG_KEY]
    return resolve_lang()


def say(en: str, ja: str, *, err: bool = False) -> None:
    """Print a message in the user's language."""
    click.echo(ja if current_lang() == "ja" else en, err=err)


def _lang_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--lang ja|en`` on every command (read from the command line before parsing, so it also
    applies to --help and to usage errors)."""
    return click.option("--lang", type=click.Choice(LANGS), expose_value=False, is_eager=True,
                        help="Language of messages: ja (default) or en; LANG/LC_ALL starting with 'en' also selects English.")(func)


class _LocalisedMixin:
    """Help in Japanese (clitext.py) unless the language is English; usage errors likewise."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if _LANG_KEY not in ctx.meta:
            ctx.meta[_LANG_KEY] = resolve_lang(_lang_in_args(args))
        return super().parse_args(ctx, args)  # type: ignore[misc]

    def _path(self, ctx: click.Context) -> str:
        return " ".join(ctx.command_path.split()[1:])

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.meta.get(_LANG_KEY, resolve_lang()) != "ja":
            return super().format_help(ctx, formatter)  # type: ignore[misc]
        saved = self.help  # type: ignore[attr-defined]
        try:
            self.help = COMMAND_HELP_JA.get(self._path(ctx), saved)  # type: ignore[attr-defined]
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            self.help = saved  # type: ignore[attr-defined]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.meta.get(_LANG_KEY, resolve_lang()) != "ja":
            return super().format_usage(ctx, formatter)  # type: ignore[misc]
        pieces = [HEADINGS_JA["arguments"] if p == "[OPTIONS]" else p for p in self.collect_usage_pieces(ctx)]  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=HEADINGS_JA["usage"])

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.meta.get(_LANG_KEY, resolve_lang()) != "ja":
            return super().format_options(ctx, formatter)  # type: ignore[misc]
        path = self._path(ctx)
        rows = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is None or isinstance(param, click.Argument):
                continue
            english = getattr(param, "help", None) or ""
            extra = record[1][len(english):] if record[1].startswith(english) else ""
            extra = extra.replace("[default: ", f"[{DEFAULT_JA}: ").replace("required]", f"{REQUIRED_JA}]")
            text = OPTION_HELP_JA.get((path, param.name)) or OPTION_HELP_JA.get(("*", param.name)) or english
            rows.append((record[0], text + extra))
        if rows:
            with formatter.section(HEADINGS_JA["options"]):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.meta.get(_LANG_KEY, resolve_lang()) == "ja":
            parent = " ".join(ctx.command_path.split()[1:])
            text = COMMAND_HELP_JA.get(f"{parent} {self.name}".strip())  # type: ignore[attr-defined]
            if text:
                return text.split("\n", 1)[0]
        return super().get_short_help_str(limit)  # type: ignore[misc]


class LocalisedCommand(_LocalisedMixin, click.Command):
    pass


class LocalisedGroup(_LocalisedMixin, click.Group):
    command_class = LocalisedCommand
    group_class = type  # subgroups are LocalisedGroup too (click uses the group's own class)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.meta.get(_LANG_KEY, resolve_lang()) != "ja":
            return super().format_commands(ctx, formatter)
        rows = [(name, cmd.get_short_help_str(formatter.width)) for name in self.list_commands(ctx)
                if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if rows:
            with formatter.section(HEADINGS_JA["commands"]):
                formatter.write_dl(rows)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.meta.get(_LANG_KEY, resolve_lang()) != "ja":
            return click.Group.format_options(self, ctx, formatter)
        _LocalisedMixin.format_options(self, ctx, formatter)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Usage errors (a missing argument, an unknown option, a bad value) in the user's language."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        lang = resolve_lang(_lang_in_args(argv))
        try:
            value = super().main(argv, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            show_click_error(exc, lang)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("中断しました" if lang == "ja" else "Aborted!", err=True)
            sys.exit(1)
        sys.exit(value if isinstance(value, int) else 0)


def show_click_error(exc: click.ClickException, lang: str) -> None:
    """A click usage error, translated from its class and attributes (never from its English text)."""
    if lang != "ja":
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        click.echo(ctx.get_help() if ctx else exc.format_message(), err=True)
        return
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"説明は「{ctx.command_path} --help」で表示できます。\n", err=True)
    click.echo(f"エラー: {click_error_ja(exc)}", err=True)


def click_error_ja(exc: click.ClickException) -> str:
    if isinstance(exc, LocalisedBadParameter):
        return f"{exc.param_hint}: {exc.ja}"
    if isinstance(exc, click.MissingParameter):
        name = _param_name(exc.param) if exc.param is not None else (exc.param_hint or "")
        kind = "引数" if isinstance(exc.param, click.Argument) else "オプション"
        return f"{name} を指定してください（必須の{kind}です）。"
    if isinstance(exc, click.NoSuchOption):
        hint = f"「{'」「'.join(exc.possibilities)}」のことですか。" if exc.possibilities else "使えるオプションは --help で確かめてください。"
        return f"{exc.option_name} というオプションはありません。{hint}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        hint = f"「{'」「'.join(exc.possibilities)}」のことですか。" if exc.possibilities else "使えるコマンドは policy-kit --help で確かめてください。"
        return f"{exc.command_name} というコマンドはありません。{hint}"
    if isinstance(exc, click.BadOptionUsage):
        return f"{exc.option_name} の使い方が正しくありません。値が必要なオプションには値を続けて書いてください（{exc.format_message()}）。"
    if isinstance(exc, click.BadParameter):
        name = exc.param_hint if isinstance(exc.param_hint, str) else _param_name(exc.param) if exc.param is not None else ""
        kind = getattr(exc.param, "type", None)
        if isinstance(kind, click.Choice):
            return f"{name} には {'・'.join(map(str, kind.choices))} のどれかを指定してください。"
        if isinstance(kind, click.IntRange):
            low = "" if kind.min is None else f"{kind.min}以上"
            high = "" if kind.max is None else f"{kind.max}以下"
            return f"{name} には{low}{high}の整数を指定してください。"
        if isinstance(kind, click.Path):
            if not kind.file_okay:
                return f"{name} にはフォルダを指定してください（ファイルは指定できません）。"
            if not kind.dir_okay:
                return f"{name} にはファイルを指定してください（フォルダは指定できません）。"
            return f"{name} に指定したファイル・フォルダを使えません（{exc.format_message()}）。"
        return f"{name} の値が正しくありません（{exc.format_message()}）。"
    if isinstance(exc, click.FileError):
        return f"ファイル {exc.ui_filename} を開けません（{exc.message}）。"
    return f"コマンドの使い方が正しくありません（{exc.format_message()}）。"


def _param_name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


# --------------------------------------------------------------------------- errors


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our errors into a message and an exit code; never show a traceback to users."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _sigterm_interrupts():
                return func(*args, **kwargs)
        except PolicyKitError as exc:
            if current_lang() == "ja":
                click.echo(f"エラー: {exc.path + ': ' if exc.path else ''}{exc.message_ja}", err=True)
            else:
                click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            sys.stdout = open(os.devnull, "w")
            sys.exit(0)
        except KeyboardInterrupt as exc:
            say("interrupted: finished files are complete, unfinished ones were not written",
                "中断しました。書き終えたファイルはそのまま使えます。途中のファイルは書き込んでいません", err=True)
            sys.exit(getattr(exc, "exit_code", EXIT_INTERRUPTED))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly
            if os.environ.get("POLICY_KIT_DEBUG"):
                raise
            say(f"internal error: {exc.__class__.__name__}: {exc}\nthis is a bug in policy-kit; rerun with POLICY_KIT_DEBUG=1 for details",
                f"内部エラー: {exc.__class__.__name__}: {exc}\npolicy-kit の不具合です。POLICY_KIT_DEBUG=1 を付けて実行し直すと詳しい情報が出ます。報告をお願いします", err=True)
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


@click.group(cls=LocalisedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policy-kit")
@_lang_option
def main() -> None:
    """Generate and check school bullying-prevention policies (学校いじめ防止基本方針).

    \b
    Exit codes: 0 ok, 1 findings or a failed school in a bulk run,
    2 usage or input error, 3 internal error, 130 interrupted.
    Messages are in Japanese; --lang en (or an English locale) switches to English.
    """


# --------------------------------------------------------------------------- generate


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="school.yaml")
@click.option("--board", default="asahikawa", show_default=True,
              help="The school's board: a bundled profile (asahikawa, kitakyushu, …) or a profile YAML file.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@_lang_option
@handle_errors
def init(path: Path, board: str, force: bool) -> None:
    """Write a commented starter input file for a new school of a board (default: school.yaml)."""
    from . import atomic
    from .generate.school import starter_text

    if path.exists() and not force:
        raise PolicyKitError("file exists; pass --force to overwrite it", path,
                             ja="ファイルがすでにあります。上書きするときは --force を付けてください")
    atomic.write_text(path, starter_text(board))
    say(f"wrote {path} for {board}: fill it in (replace every ○○), then run `policy-kit generate {path} -o out`",
        f"{path} を書き出しました（{board}）。「○○」を学校のものに書き換えてから、policy-kit generate {path} -o out を実行してください")


_FORMATS = click.Choice(["pdf", "html", "both"])
_DOCS = click.Choice(["policy", "leaflet", "program", "pupils"])


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True, help="Output directory; each school gets OUT/<school-id>/.")
@click.option("--format", "fmt", type=_FORMATS, default="both", show_default=True, help="Write PDF, HTML or both.")
@click.option("--only", "only", type=_DOCS, multiple=True, help="Only this document (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite this school's existing documents.")
@click.option("--check-only", is_flag=True, help="Validate the inputs and write nothing.")
@_lang_option
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
        say(f"{len(schools)} input(s) valid", f"{len(schools)}件の入力に誤りはありません")
        return
    formats = ("pdf", "html") if fmt == "both" else (fmt,)
    for path, data in schools:
        result = generate_school(data, out, input_path=path, formats=formats, documents=list(only) or None, force=force)
        say(f"{data.school.name}: {result.out_dir}/ ({len(result.files)} files)",
            f"{data.school.name}: {result.out_dir}/ に {len(result.files)} ファイルを書き出しました")
        for warning in result.warnings:
            say(f"warning: {path}: {warning}", f"注意: {path}: {getattr(warning, 'ja', warning)}", err=True)


@main.command()
@click.argument("roster_path", metavar="ROSTER", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--format", "fmt", type=_FORMATS, default="both", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite existing documents of the same school.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal).")
@_lang_option
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
    for line in summary.lines(current_lang()):
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
            raise _bad_parameter(f"{name!r} is not one of {', '.join(_CHECK_FORMATS)}",
                                 f"「{name}」は使えません。{'・'.join(_CHECK_FORMATS)} のどれかを指定してください", "--format")
        targets.append((name, Path(path) if path else None))
    to_stdout = [t for t in targets if t[1] is None]
    if len(to_stdout) > 1:
        raise _bad_parameter("only one format can go to standard output; give the others a file: sarif=FILE",
                             "標準出力に出せる形式は一つだけです。ほかの形式にはファイルを指定してください（例　sarif=policy.sarif）", "--format")
    if output is not None and to_stdout:
        targets[targets.index(to_stdout[0])] = (to_stdout[0][0], output)
    return targets


class LocalisedBadParameter(click.BadParameter):
    """A usage error of ours: English message, Japanese in ``ja`` (shown by show_click_error)."""

    def __init__(self, en: str, ja: str, hint: str):
        super().__init__(en, param_hint=hint)
        self.ja = ja


def _bad_parameter(en: str, ja: str, hint: str) -> click.BadParameter:
    return LocalisedBadParameter(en, ja, hint)


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
@_lang_option
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
            raise _bad_parameter("'-' (standard input) cannot be combined with other files",
                                 "「-」（標準入力）はほかのファイルといっしょに指定できません", "FILES")
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
@_lang_option
def checklist() -> None:
    """List and explain checklist requirements."""


@checklist.command("list")
@click.option("--checklist", "checklist_name", default=None,
              help="List this checklist's requirements (a bundled name or a YAML path) instead of the bundled checklists.")
@_lang_option
@handle_errors
def checklist_list(checklist_name: str | None) -> None:
    """List the bundled checklists (id, version, source), or one checklist's requirements."""
    from .check.checklist import load_checklist

    from .status import SEVERITY_JA

    ja = current_lang() == "ja"
    if checklist_name is None:
        from .check.checklist import bundled_checklists

        for cl in bundled_checklists():
            click.echo(f"{cl.id:12} {cl.version:8} {cl.title}（{len(cl.requirements)}{'項目' if ja else ' requirements'}）")
            click.echo(f"{'':12} {'出典' if ja else 'source'}: {cl.source}")
        say("List one checklist's requirements: policy-kit checklist list --checklist NAME",
            "一つのチェックリストの項目を一覧にする：policy-kit checklist list --checklist 名前")
        return
    cl = load_checklist(checklist_name)
    drafts = sum(r.draft for r in cl.requirements)
    say(f"{cl.title} ({cl.id} {cl.version}) — {len(cl.requirements)} requirements" + (f", {drafts} drafted (draft: true) to review" if drafts else ""),
        f"{cl.title}（{cl.id} 版 {cl.version}）— {len(cl.requirements)}項目" + (f"、うち見直しが必要な下書き（draft: true）{drafts}項目" if drafts else ""))
    for r in cl.requirements:
        severity = SEVERITY_JA[r.severity] if ja else r.severity
        click.echo(f"{r.id:32} {severity:11} {r.title}（{r.source}）" + ((" ［下書き］" if ja else " [draft]") if r.draft else ""))
    say(f"Explain one: policy-kit checklist show ID --checklist {checklist_name}",
        f"一つの項目の詳しい説明：policy-kit checklist show ID --checklist {checklist_name}")


@checklist.command("derive")
@click.argument("policy", metavar="CITY_POLICY", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The draft checklist to write (YAML).")
@click.option("--id", "checklist_id", default=None, help="The draft's checklist id [default: draft-<file name>].")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--max-pages", type=click.IntRange(1), default=500, show_default=True, help="Refuse PDFs/DOCX with more pages.")
@click.option("--max-file-mb", type=click.IntRange(1), default=50, show_default=True, help="Refuse larger files.")
@_lang_option
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
        raise PolicyKitError("file exists; pass --force to overwrite it", output,
                             ja="ファイルがすでにあります。上書きするときは --force を付けてください")
    if checklist_id is not None and not _re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", checklist_id):
        raise _bad_parameter("lower-case letters, digits, - and _", "英小文字・数字・「-」「_」で書いてください", "--id")
    draft = derive(policy, Limits(max_file_bytes=max_file_mb * 1024 * 1024, max_pages=max_pages))
    text = draft_yaml(draft, checklist_id)
    parse_checklist(safeyaml.load_text(text, output), output)  # the draft must load as it is written
    atomic.write_text(output, text)
    say(f"drafted {len(draft.obligations)} requirements from {policy} into {output}",
        f"{policy} から {len(draft.obligations)}項目の下書きを {output} に書き出しました")
    for section in draft.sections[:8]:
        say(f"  read as the school's part: {section}", f"  学校が行うこととして読んだ部分：{section}")
    say(f"review every item (draft: true), then: policy-kit checklist list --checklist {output}",
        f"すべての項目（draft: true）を見直してから：policy-kit checklist list --checklist {output}")


@checklist.command("show")
@click.argument("requirement_id")
@click.option("--checklist", "checklist_name", default="asahikawa", show_default=True)
@_lang_option
@handle_errors
def checklist_show(requirement_id: str, checklist_name: str) -> None:
    """Explain one requirement: why it is required, how to fix it, an example, the rules."""
    from .check.checklist import load_checklist

    cl = load_checklist(checklist_name)
    r = cl.get(requirement_id)
    ja = current_lang() == "ja"
    labels = (("重要度", "出典", "理由", "直し方", "記載例", "判定のルール（present のどれか一つを満たすと「あり」）", "「不十分」になる記述")
              if ja else ("severity", "source", "why", "fix", "example", "rules (any present clause → present)", "partial when"))
    click.echo(f"{r.id} — {r.title}\n")
    click.echo(f"{labels[0]}: {('必須' if r.severity == 'required' else '推奨') if ja else r.severity}")
    click.echo(f"{labels[1]}: {cl.source.split('第')[0] if cl.source else ''}{r.source}")
    click.echo(f"{labels[2]}: {r.why}")
    click.echo(f"{labels[3]}: {r.fix}")
    if r.example:
        click.echo(f"{labels[4]}: {r.example}")
    click.echo(f"\n{labels[5]}:")
    for clause in r.present:
        groups = " + ".join("(" + " & ".join(g) + ")" for g in clause.groups)
        if ja:
            extra = f" 前後{clause.window}文以内" if clause.window else " 同じ文"
            if clause.context:
                extra += f"; 見出しも可: {', '.join(clause.context)}"
            if clause.distinct:
                extra += "; " + ", ".join(f"{k} が{v}種類以上" for k, v in clause.distinct.items())
        else:
            extra = f" within {clause.window} sentences" if clause.window else " in one sentence"
            if clause.context:
                extra += f"; also in headings: {', '.join(clause.context)}"
            if clause.distinct:
                extra += "; " + ", ".join(f"{v}+ different {k}" for k, v in clause.distinct.items())
        click.echo(f"  - {groups}{extra}")
    if r.partial:
        click.echo(f"{labels[6]}:")
        for clause in r.partial:
            click.echo("  - " + " + ".join("(" + " & ".join(g) + ")" for g in clause.groups))


@checklist.command("test")
@click.argument("checklist_name", metavar="[CHECKLIST]", default="asahikawa")
@click.option("--id", "only", multiple=True, metavar="ID", help="Test only this requirement (repeatable).")
@click.option("--no-parse", is_flag=True, help="Judge negation by the checklist's cues instead of GiNZA's parse (ablation).")
@click.option("-v", "--verbose", is_flag=True, help="List every example, not only the failing ones.")
@_lang_option
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
            expect = "あり" if r.kind != "absent" else "あり以外"  # the examples are Japanese either way
            first = r.passage.replace("\n", " / ")
            click.echo(f"    {'ok  ' if r.passed else 'FAIL'} {r.kind} #{r.number}: 期待 {expect}、結果 {r.status} 「{first[:70]}{'…' if len(first) > 70 else ''}」")
    failed = sum(not r.passed for r in results)
    say(f"{len(results) - failed}/{len(results)} examples pass ({cl.id} {cl.version})",
        f"例文 {len(results)}件のうち {len(results) - failed}件が合格（{cl.id} 版 {cl.version}）")
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
@click.option("--force", is_flag=True, help="Write into a non-empty folder that is not an earlier report (its files are kept).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--max-pages", type=click.IntRange(1), default=500, show_default=True)
@click.option("--max-file-mb", type=click.IntRange(1), default=50, show_default=True)
@_lang_option
@handle_errors
def audit(folder: Path, out: Path, checklist_name: str | None, config_path: Path | None, roster: Path | None, jobs: int | None,
          previous: Path | None, board: str | None, cache_dir: Path | None, no_cache: bool, no_pdf: bool, force: bool,
          progress: bool | None, max_pages: int, max_file_mb: int) -> None:
    """Audit every school in DIR (one file or folder per school) and write the board's reports.

    Uses the same checker, configuration, waivers and inline suppressions as `check`.
    Exit 0 when every school passes, 1 when a school misses a required item or could not be
    read, 2 on usage errors. Unreadable files get their own status and never count as "all missing".
    An earlier report in OUT is replaced as a whole; another non-empty folder needs --force.
    """
    from .audit.cache import default_cache_dir
    from .audit.compare import load_previous
    from .audit.discover import discover_schools
    from .audit.output import prepare_output, remove_stale
    from .audit.reports import REPORT, AuditReport, write_reports
    from .audit.run import run_audit
    from .outputs import OutputLock

    checker = _checker(checklist_name, config_path, (), max_pages, max_file_mb)
    entries = discover_schools(folder, roster)
    before = load_previous(previous) if previous else None
    replacing = prepare_output(out, force=force)  # before anything is written into -o, the lock included
    workers = jobs or os.cpu_count() or 1
    with OutputLock(out, REPORT, f"the report folder {out}", out):  # a second run on the same -o is refused at once
        results = run_audit(entries, checker, jobs=workers, cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
                            progress=sys.stderr.isatty() if progress is None else progress)
        report = AuditReport(checker.checklist, results, board or checker.checklist.board or "教育委員会", before)
        written = write_reports(report, out, letters_pdf=not no_pdf, jobs=workers)
        if replacing:
            remove_stale(out, written)
    failing = [r for r in results if not r.passes]
    cached = sum(r.cached for r in results)
    missing = sum(r.status == "ok" and not r.passes for r in results)
    unreadable = sum(r.status == "unreadable" for r in results)
    say(f"{len(results)} schools ({cached} from cache): {len(results) - len(failing)} pass, {missing} miss a required item, {unreadable} unreadable",
        f"{len(results)}校を点検しました（うちキャッシュから{cached}校）：適合 {len(results) - len(failing)}校、"
        f"必須項目の不足 {missing}校、読み取れない {unreadable}校")
    for r in failing:
        if r.status == "unreadable":
            say(f"  {r.entry.name}: unreadable: {r.reason}", f"  {r.entry.name}：読み取れません（{r.reason_ja}）")
        else:
            say(f"  {r.entry.name}: {r.required_missing} required item(s) missing", f"  {r.entry.name}：必須項目の不足 {r.required_missing}件")
    if replacing:
        say("replaced the earlier report as a whole (none of its files remain)", "以前の報告を新しい報告に丸ごと置き換えました（以前のファイルは残っていません）")
    if roster is None and any(r.entry.name == _stem(r.entry.path) for r in results):
        say("note: without --roster the schools are named after their files; a roster gives their real names",
            "注意: --roster がないため、学校名はファイル名から付けています。名簿を指定すると正式な学校名になります")
    say(f"report: {out / 'index.html'}", f"報告: {out / 'index.html'}")
    if failing:
        sys.exit(EXIT_FINDINGS)


def _stem(path: Path) -> str:
    return path.stem if path.is_file() else path.name


# --------------------------------------------------------------------------- diff


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@_checklist_option
@_config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_lang_option
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
@_lang_option
@handle_errors
def serve(host: str, port: int, data: Path | None, token: str | None, jobs: int | None, max_upload_mb: int) -> None:
    """Start the web app: write a school's policy, check a policy, audit all schools.

    Listens on 127.0.0.1:8000 by default; open http://127.0.0.1:8000/ in a browser.
    """
    from .web.server import build_settings, check_token
    from .web.server import serve as run_server

    settings = build_settings(data, check_token(host, token), jobs, max_upload_mb)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    say(f"policy-kit web app: {url} (data: {settings.data_dir})" + ("; a token is required" if settings.token else ""),
        f"policy-kit のWebアプリ：{url}（データ：{settings.data_dir}）" + ("。トークンが必要です" if settings.token else ""), err=True)
    run_server(host, port, settings)
