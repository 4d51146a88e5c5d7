"""Generate one school's documents: input → validate → render HTML → PDF, written atomically."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic
from ..errors import InputError, OutputError
from ..outputs import OutputLock, Staging, check_id, inside
from ..render import html_to_pdf, render_html
from .furigana import Annotator
from .package import Notice, PolicyPackage, build_package
from .school import SchoolInput, load_profile, load_school
from .textfmt import keep_together, tel_link

DOCUMENTS = {
    "policy": "policy.html.j2",
    "leaflet": "leaflet.html.j2",
    "program": "program.html.j2",
    "pupils": "pupils.html.j2",
}


@dataclass
class GeneratedSchool:
    school_id: str
    school_name: str
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def render_documents(pkg: PolicyPackage, documents: list[str] | None = None, warnings: list[str] | None = None) -> dict[str, str]:
    """HTML for each requested document, keyed by document name. The pupils' version gets its
    furigana here; kanji words that needed a reading and had none are added to ``warnings``."""
    names = documents or list(DOCUMENTS)
    context = {"pkg": pkg, "school": pkg.input.school, "profile": pkg.profile, "nw": keep_together, "tel": tel_link}
    out = {}
    for name in names:
        html = render_html("school_policy", DOCUMENTS[name], **context)
        if name == "pupils" and pkg.pupils is not None:
            annotator = Annotator(pkg.pupils.rule, pkg.pupils.readings)
            html = annotator.annotate_html(html)
            if warnings is not None and annotator.missing:
                words = "、".join(sorted(annotator.missing))
                warnings.append(Notice(f"pupils.html: no reading found for {words}; add them under pupils_version.readings",
                                       f"児童生徒版：{words} の読み方が見つかりません。pupils_version.readings に書き加えてください"))
        out[name] = html
    return out


def generate_school(
    data: SchoolInput,
    out_root: Path,
    *,
    input_path: Path | None = None,
    formats: tuple[str, ...] = ("pdf", "html"),
    documents: list[str] | None = None,
    force: bool = False,
) -> GeneratedSchool:
    """Render and write ``OUT/<school-id>/{policy,leaflet,program,pupils}.{pdf,html}``.

    The school's folder appears whole or not at all: the documents are written into a staging
    folder beside it and moved into place when every one is complete, under a lock that refuses a
    second run writing the same school at the same time."""
    profile = load_profile(data.profile, relative_to=input_path)
    pkg = build_package(data, profile)
    school_id = check_id(data.school.id, "school.id", input_path)
    out_dir = inside(out_root, school_id)
    result = GeneratedSchool(school_id, data.school.name, out_dir)
    result.warnings.extend(pkg.notices)
    with OutputLock(out_root, school_id, f"the folder {out_dir}", out_dir) as lock:
        lock.sweep()  # what a killed run left behind
        _check_directory(out_dir, data, force)
        stage = Staging(out_root, school_id)
        with stage as folder:
            for name, html in render_documents(pkg, documents, result.warnings).items():
                pdf = None
                if "pdf" in formats or name in MAX_PAGES:
                    html, pdf = fit_pages(name, html)
                if "html" in formats:
                    atomic.write_text(folder / f"{name}.html", html)
                    result.files.append(out_dir / f"{name}.html")
                if "pdf" in formats and pdf is not None:
                    atomic.write_bytes(folder / f"{name}.pdf", pdf)
                    result.files.append(out_dir / f"{name}.pdf")
            atomic.write_text(folder / MARKER, data.school.name + "\n")
            stage.commit_folder(carry_over=_files_in(out_dir))  # --only/--format: the other documents stay
    return result


def _files_in(folder: Path) -> list[str]:
    try:
        return [p.name for p in folder.iterdir() if p.is_file() and not p.is_symlink()]
    except OSError:
        return []


# Documents with a page limit: when the normal layout runs longer, the body gets the class
# ``compact`` (smaller type, tighter lines; see pupils.css) and is rendered again.
MAX_PAGES = {"pupils": 2}


def fit_pages(name: str, html: str) -> tuple[str, bytes]:
    """The document's HTML and PDF, in the compact layout if the normal one exceeds its limit."""
    pdf = html_to_pdf(html)
    limit = MAX_PAGES.get(name)
    if limit is not None and pdf_pages(pdf) > limit and '<body class="' in html:
        html = html.replace('<body class="', '<body class="compact ', 1)
        pdf = html_to_pdf(html)
    return html, pdf


def pdf_pages(pdf: bytes) -> int:
    """Number of pages of a PDF we rendered (pypdfium2 where installed, else pypdf)."""
    try:
        import pypdfium2

        return len(pypdfium2.PdfDocument(pdf))
    except ImportError:
        import io

        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(pdf)).pages)


MARKER = ".school"  # names the school whose documents a folder holds
MAX_MARKER_BYTES = 1024


def _check_directory(out_dir: Path, data: SchoolInput, force: bool) -> None:
    """Refuse to overwrite another school's documents; overwrite our own only with --force."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputError("exists and is not a folder; move it away or choose another -o", out_dir,
                          ja="フォルダではないものが同じ名前で存在します。移動するか、別の出力先を指定してください")
    marker = out_dir / MARKER
    if marker.exists() or marker.is_symlink():
        owner = _read_marker(marker)
        if owner != data.school.name:
            raise OutputError(
                f"already holds documents of another school ({owner}); two inputs share the id {data.school.id!r}",
                out_dir, ja=f"別の学校（{owner}）の文書があります。school.id「{data.school.id}」がほかの学校と同じです。IDを変えてください",
            )
        if not force:
            raise OutputError("documents exist already; pass --force to overwrite them", out_dir,
                              ja="この学校の文書がすでにあります。上書きするときは --force を付けてください")
    elif out_dir.exists() and _has_entries(out_dir) and not force:
        raise OutputError("directory exists and is not empty; pass --force to write into it", out_dir,
                          ja="フォルダが空ではありません。このフォルダに書き込むときは --force を付けてください")


def _read_marker(marker: Path) -> str:
    """The school named in a folder's marker; a marker that is a link or a special file is
    refused without reading it (it could point at any file)."""
    if marker.is_symlink() or not marker.is_file():
        raise OutputError(f"{MARKER} is not a file policy-kit wrote (a link or a special file); remove it", marker.parent)
    try:
        with marker.open("rb") as handle:
            raw = handle.read(MAX_MARKER_BYTES)
    except OSError as exc:
        raise OutputError(f"cannot read {MARKER}: {exc.strerror}", marker.parent) from None
    return "".join(c for c in raw.decode("utf-8", "replace").strip() if c.isprintable())


def _has_entries(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except OSError as exc:
        raise OutputError(f"cannot read the folder: {exc.strerror}", folder) from None


def generate_file(path: Path, out_root: Path, **kwargs) -> GeneratedSchool:
    return generate_school(load_school(path), out_root, input_path=path, **kwargs)


def check_output_folders(schools: list[tuple[str, SchoolInput]], out_root: Path, *, force: bool) -> None:
    """Validate a whole run before writing: no two inputs share a school id (ids are folder names,
    compared case-insensitively), and no folder is refused later (another school's, or ours
    without --force). ``schools`` is (where the input came from, input) pairs."""
    problems: list[str] = []
    problems_ja: list[str] = []
    seen: dict[str, str] = {}
    for source, data in schools:
        key = data.school.id.casefold()
        if key in seen:
            problems.append(f"{source} and {seen[key]} both use the school id {data.school.id!r}; each school needs its own id")
            problems_ja.append(f"{source} と {seen[key]} が同じ school.id「{data.school.id}」です。学校ごとに別のIDにしてください")
        else:
            seen[key] = source
        try:
            _check_directory(inside(out_root, check_id(data.school.id, "school.id", source)), data, force)
        except (InputError, OutputError) as exc:
            problems.append(f"{source}: {exc}")
            problems_ja.append(f"{source}: {exc.path}: {exc.message_ja}")
    if problems:
        raise InputError("nothing was written:\n  " + "\n  ".join(problems),
                         ja="何も書き込みませんでした：\n  " + "\n  ".join(problems_ja))
