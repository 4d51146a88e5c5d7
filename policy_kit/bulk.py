"""Bulk runs: many schools in worker processes, one failure never stops the others."""
from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import PolicyKitError



@dataclass
class Outcome:
    label: str
    ok: bool
    message: str


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def lines(self) -> list[str]:
        out = [f"{'ok    ' if o.ok else 'FAILED'} {o.label}: {o.message}" for o in self.outcomes]
        out.append(f"{len(self.outcomes) - len(self.failed)} succeeded, {len(self.failed)} failed")
        return out


def run_parallel(tasks: list[tuple[str, Callable[..., str], tuple]], jobs: int, progress: bool, unit: str) -> Summary:
    """Run ``(label, function, args)`` tasks; a task returns a message or raises PolicyKitError.

    Ctrl-C cancels what has not started and re-raises after the running tasks end, so every file
    written is complete (outputs are atomic)."""
    from tqdm import tqdm

    summary = Summary()
    bar = tqdm(total=len(tasks), unit=unit, disable=not progress, dynamic_ncols=True)
    results: dict[int, Outcome] = {}

    def record(index: int, label: str, call: Callable[[], str]) -> None:
        try:
            results[index] = Outcome(label, True, call())
        except PolicyKitError as exc:
            results[index] = Outcome(label, False, str(exc))
        except Exception as exc:  # a bug in one school must not stop the others
            results[index] = Outcome(label, False, f"internal error: {exc.__class__.__name__}: {exc}")
        bar.update(1)

    try:
        if jobs <= 1 or len(tasks) <= 1:
            for i, (label, fn, args) in enumerate(tasks):
                record(i, label, lambda fn=fn, args=args: fn(*args))
        else:
            with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = {pool.submit(fn, *args): (i, label) for i, (label, fn, args) in enumerate(tasks)}
                try:
                    for fut in cf.as_completed(futures):
                        i, label = futures[fut]
                        record(i, label, fut.result)
                except KeyboardInterrupt:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
    finally:
        bar.close()
    summary.outcomes = [results[i] for i in sorted(results)]
    return summary


def _generate_row(data: dict, out: str, formats: tuple[str, ...], force: bool, base: str) -> str:
    from .generate import generate_school
    from .school import SchoolInput

    result = generate_school(SchoolInput.model_validate(data), Path(out), input_path=Path(base), formats=formats, force=force)
    return f"{result.out_dir}/ ({len(result.files)} files)"


def run_roster(path: Path, out: Path, *, jobs: int, formats: tuple[str, ...], force: bool, progress: bool) -> Summary:
    from .roster import read_roster

    rows = read_roster(path)
    bad = [Outcome(f"row {r.number} ({r.label})", False, r.error or "") for r in rows if r.error]
    tasks = [(f"row {r.number} ({r.label})", _generate_row, (r.data, str(out), formats, force, str(path)))
             for r in rows if not r.error]
    summary = run_parallel(tasks, jobs, progress, unit="school")
    summary.outcomes = sorted(bad + summary.outcomes, key=lambda o: _row_number(o.label))
    return summary


def _row_number(label: str) -> int:
    try:
        return int(label.split()[1])
    except (IndexError, ValueError):
        return 0


