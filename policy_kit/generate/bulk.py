"""Generate every school of a roster in worker processes (policy_kit.parallel).

Before anything is written the whole roster is validated: rows that fail validation are reported
and skipped, and school ids that two rows share (or that collide in the output folder) refuse the
run (exit 2, nothing written). A school that fails while rendering fails alone."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, PolicyKitError
from ..outputs import OutputLock
from ..parallel import Outcome, Task, run_tasks
from .documents import check_output_folders, generate_school
from .roster import read_roster
from .school import SchoolInput


@dataclass
class RowOutcome:
    label: str
    ok: bool
    message: str
    message_ja: str = ""
    number: int = 0
    name: str = ""


@dataclass
class Summary:
    outcomes: list[RowOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def lines(self, lang: str = "en") -> list[str]:
        if lang == "ja":
            out = [f"{'成功' if o.ok else '失敗'}　{o.number}行目（{o.name}）: {o.message_ja or o.message}" for o in self.outcomes]
            out.append(f"{len(self.outcomes) - len(self.failed)}校を作成、{len(self.failed)}校は失敗しました")
            return out
        out = [f"{'ok    ' if o.ok else 'FAILED'} {o.label}: {o.message}" for o in self.outcomes]
        out.append(f"{len(self.outcomes) - len(self.failed)} succeeded, {len(self.failed)} failed")
        return out


def _generate_row(data: dict, out: str, formats: tuple[str, ...], force: bool, base: str) -> str:
    result = generate_school(SchoolInput.model_validate(data), Path(out), input_path=Path(base), formats=formats, force=force)
    return f"{result.out_dir}/ ({len(result.files)} files)"


def sweep_leftovers(out: Path, school_ids: list[str]) -> None:
    """Remove the staging folders of schools whose worker was stopped mid-school (a school's
    folder itself is only ever moved into place whole). Schools another run is writing are left alone."""
    if not out.is_dir():
        return
    for school_id in school_ids:
        try:
            with OutputLock(out, school_id) as lock:
                lock.sweep()
        except PolicyKitError:
            continue


def run_roster(path: Path, out: Path, *, jobs: int, formats: tuple[str, ...], force: bool, progress: bool) -> Summary:
    rows = read_roster(path)
    good = [r for r in rows if not r.error]
    inputs = [(f"row {r.number}", SchoolInput.model_validate(r.data)) for r in good]
    try:
        check_output_folders(inputs, out, force=force)
    except InputError as exc:
        raise InputError(exc.message, path, ja=exc.message_ja) from None
    tasks = [Task(r.number, _generate_row, (r.data, str(out), formats, force, str(path))) for r in good]
    labels = {r.number: f"row {r.number} ({r.label})" for r in rows}
    try:
        outcomes: list[Outcome] = run_tasks(tasks, jobs=jobs, progress=progress, unit="school")
    except BaseException:  # interrupted: the workers are gone; remove what they were staging
        sweep_leftovers(out, [data.school.id for _, data in inputs])
        raise
    names = {r.number: r.label for r in rows}
    summary = Summary([RowOutcome(labels[r.number], False, r.error or "", r.error_ja, r.number, r.label) for r in rows if r.error])
    summary.outcomes += [RowOutcome(labels[o.key], o.ok, o.value if o.ok else o.error,
                                    (str(o.value).replace(" files)", "ファイル）").replace("/ (", "/ （") if o.ok else o.error),
                                    o.key, names[o.key]) for o in outcomes]
    order = {label: i for i, label in enumerate(labels.values())}
    summary.outcomes.sort(key=lambda o: order[o.label])
    return summary
