"""Per-requirement precision and recall of `policy-kit check` on the labelled sample policies.

    .venv/bin/python benchmarks/accuracy.py [--json OUT.json]
    .venv/bin/python benchmarks/accuracy.py --corpus corpus/kitakyushu --checklist kitakyushu

"Detected" means the checker did not say missing (present or partial) — what a board needs is
to see every gap, so recall of *missing* matters most; the exact three-way agreement is printed
too. Labels: corpus/policies/labels.yaml (our reading of each text); another folder's labels.yaml
with --corpus. A sample's entry may hold, under a checklist's id (e.g. `kitakyushu:`), the
judgements that differ under that board's tighter rules; ids of other bundled checklists are
skipped, unknown ids are an error."""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy_kit import safeyaml  # noqa: E402
from policy_kit.check.checklist import bundled_checklists, load_checklist  # noqa: E402
from policy_kit.check.checker import Checker  # noqa: E402


def expected_statuses(spec: dict, ids: list[str], board: str | None = None, known: set[str] | None = None) -> dict[str, str]:
    """The labelled status of every id of the checklist; ``board``'s own judgements override.
    Ids in ``known`` (other bundled checklists) but not in ``ids`` are skipped."""
    out = {rid: spec.get("default", "missing") for rid in ids}
    layers = [spec] + ([spec[board]] if board and isinstance(spec.get(board), dict) else [])
    for layer in layers:
        for status in ("present", "partial", "missing"):
            for rid in layer.get(status, []):
                if rid not in out:
                    if known is not None and rid in known:
                        continue
                    raise SystemExit(f"labels: unknown id {rid}")
                out[rid] = status
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "policies", help="folder of samples with labels.yaml")
    parser.add_argument("--checklist", default="asahikawa", help="bundled checklist name or YAML path")
    args = parser.parse_args()
    folder = args.corpus
    labels = safeyaml.load_file(folder / "labels.yaml")
    checklist = load_checklist(args.checklist)
    ids = [r.id for r in checklist.requirements]
    known = {r.id for cl in bundled_checklists() for r in cl.requirements}
    # per requirement: true positives / false positives / false negatives of "found" (present or partial)
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    exact = total = 0
    confusions = []
    for name, spec in labels.items():
        expected = expected_statuses(spec, ids, checklist.id, known)
        result = Checker(checklist).check([folder / name])
        for finding in result.findings:
            rid, got, want = finding.requirement.id, finding.status, expected[finding.requirement.id]
            total += 1
            exact += got == want
            if got != want:
                confusions.append((name, rid, want, got))
            found, should = got != "missing", want != "missing"
            tp[rid] += found and should
            fp[rid] += found and not should
            fn[rid] += should and not found
    print(f"{'requirement':32} {'precision':>9} {'recall':>7}   (found = present or partial)")
    rows = {}
    for rid in ids:
        p = tp[rid] / (tp[rid] + fp[rid]) if tp[rid] + fp[rid] else 1.0
        r = tp[rid] / (tp[rid] + fn[rid]) if tp[rid] + fn[rid] else 1.0
        rows[rid] = {"precision": round(p, 3), "recall": round(r, 3), "tp": tp[rid], "fp": fp[rid], "fn": fn[rid]}
        print(f"{rid:32} {p:9.2f} {r:7.2f}")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = all_tp / (all_tp + all_fp) if all_tp + all_fp else 1.0
    micro_r = all_tp / (all_tp + all_fn) if all_tp + all_fn else 1.0
    print(f"\n{len(labels)} documents, {total} judgements")
    print(f"micro precision {micro_p:.3f}, micro recall {micro_r:.3f}; exact three-way agreement {exact}/{total} = {exact / total:.3f}")
    if confusions:
        print("\ndisagreements (document, requirement, expected → got):")
        for name, rid, want, got in confusions:
            print(f"  {name:36} {rid:32} {want} → {got}")
    if args.json:
        args.json.write_text(json.dumps({"micro_precision": micro_p, "micro_recall": micro_r, "exact": exact / total,
                                         "requirements": rows, "disagreements": confusions}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
