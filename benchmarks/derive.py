"""How well `policy-kit checklist derive` finds a board's requirements for schools.

    .venv/bin/python benchmarks/derive.py [--seeds DIR] [--json OUT.json] [-v]

For each board's policy in shared/seeds with labels in benchmarks/derive_labels.yaml:

- recall: the share of the hand-written checklist's requirements (checklists/<board>.yaml) whose
  source passage (labelled line ranges) holds at least one drafted requirement; requirements the
  document has no passage for are left out and listed;
- precision: the share of drafted requirements that stand in a passage labelled as a real
  requirement for a school policy.

The labels are our reading of the documents, written from the documents, not from the drafts.
-v lists every requirement the draft missed and every drafted item that is not a real requirement."""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy_kit import safeyaml  # noqa: E402
from policy_kit.check.checklist import load_checklist  # noqa: E402
from policy_kit.check.derive import Obligation, derive  # noqa: E402

LABELS = ROOT / "benchmarks" / "derive_labels.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"


@dataclass
class Score:
    board: str
    drafted: int
    real: int
    countable: int
    found: int
    seconds: float
    missed: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    not_real: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.countable if self.countable else 1.0

    @property
    def precision(self) -> float:
        return self.real / self.drafted if self.drafted else 0.0


def lines(ranges: list[str]) -> set[int]:
    out: set[int] = set()
    for item in ranges:
        lo, _, hi = str(item).partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def span(ob: Obligation) -> set[int]:
    return set(range(ob.line, ob.end_line + 1))


def score(board: str, spec: dict, obligations: list[Obligation], seconds: float) -> Score:
    ids = [r.id for r in load_checklist(spec["checklist"]).requirements]
    absent = sorted(spec.get("absent") or {})
    unknown = set(spec["requirements"]) - set(ids) or set(absent) - set(ids)
    if unknown:
        raise SystemExit(f"derive_labels.yaml: {board}: ids not in the checklist: {sorted(unknown)}")
    unlabelled = [rid for rid in ids if rid not in spec["requirements"] and rid not in absent]
    if unlabelled:
        raise SystemExit(f"derive_labels.yaml: {board}: no passage or absence given for {unlabelled}")
    found, missed = 0, []
    for rid in ids:
        if rid in absent:
            continue
        where = lines(spec["requirements"][rid])
        if any(span(ob) & where for ob in obligations):
            found += 1
        else:
            missed.append(rid)
    real_lines = (lines(spec["real"]) | set().union(*(lines(r) for r in spec["requirements"].values()))) - lines(spec.get("not_real", []))
    real = [ob for ob in obligations if ob.line in real_lines]
    not_real = [f"{ob.line} {ob.section} {ob.title}" for ob in obligations if ob.line not in real_lines]
    return Score(board, len(obligations), len(real), len(ids) - len(absent), found, seconds, missed, absent, not_real)


def run(seeds: Path) -> list[Score]:
    labels = safeyaml.load_file(LABELS)
    scores = []
    for board, spec in labels.items():
        path = seeds / spec["file"]
        if not path.is_file():
            raise SystemExit(f"the seed document is missing: {path} (pass --seeds DIR)")
        start = time.perf_counter()
        draft = derive(path)
        scores.append(score(board, spec, draft.obligations, time.perf_counter() - start))
    return scores


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--json", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    scores = run(args.seeds)
    print(f"{'board':12} {'drafted':>7} {'real':>5} {'precision':>9}   {'found':>5} {'of':>3} {'recall':>6}   seconds")
    for s in scores:
        print(f"{s.board:12} {s.drafted:7} {s.real:5} {s.precision:9.2f}   {s.found:5} {s.countable:3} {s.recall:6.2f}   {s.seconds:6.1f}")
    for s in scores:
        print(f"\n{s.board}: missed {s.missed or 'none'}; no passage in the document: {s.absent or 'none'}")
        if args.verbose:
            for item in s.not_real:
                print(f"  not a real requirement: {item}")
    if args.json:
        args.json.write_text(json.dumps([{**s.__dict__, "recall": s.recall, "precision": s.precision} for s in scores],
                                        ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
