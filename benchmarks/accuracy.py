"""How well `policy-kit check` judges labelled sample policies, as a board reviewer would.

    .venv/bin/python benchmarks/accuracy.py [SET ...] [--checklist NAME] [--no-parse] [--formats] [--quiet] [--pool] [--json OUT.json]
    .venv/bin/python benchmarks/accuracy.py kitakyushu kitakyushu-heldout --checklist kitakyushu

SET is a folder under corpus/ holding samples and labels (labels.yaml or labels-*.yaml):
`policies` (our first, simple samples), `realistic`, `realistic-c` … `realistic-f`, `blind` … `blind6`
(development sets, written from real schools' layouts and wording), `blind7` and `blind8` (kept
aside: scored once at the end of session 6 with --quiet, never read, never used to change rules).
Default: policies and realistic. `--pool` adds the given sets together: overall, per kind of school (elementary, junior
high, high school, special-needs, private, compulsory) and per format.

Figures, for each set, per document kind, per format (file type) and per requirement:
- presence: of the requirements the label calls present, the share the checker calls present;
- absence: of the requirements the label calls missing, the share the checker calls missing
  (partial is neither: a partial verdict on a present label is a miss, on a missing label a false alarm);
- exact: three-way agreement (present / partial / missing), partial labels included.
`--no-parse` judges negation with the checklist's sentence-wide cues instead of GiNZA's dependency
parse (the ablation). `--formats` also converts every text sample to PDF (WeasyPrint), DOCX and HTML
and scores those copies, so the figure shows whether the format changes the verdict.
A sample's labels may hold, under a checklist's id (e.g. `kitakyushu:`), the judgements that differ
under that board's rules; ids only other bundled checklists know are skipped."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy_kit import safeyaml  # noqa: E402
from policy_kit.check.checker import Checker  # noqa: E402
from policy_kit.check.checklist import bundled_checklists, load_checklist  # noqa: E402

FORMAT_OF = {".txt": "as written (txt)", ".md": "as written (md)", ".html": "as written (html)", ".htm": "as written (html)",
             ".text": "converted txt", ".pdf": "converted pdf", ".docx": "converted docx"}


def expected_statuses(spec: dict, ids: list[str], where: str, board: str = "", known: frozenset[str] = frozenset()) -> dict[str, str]:
    """The labelled status of every id; the board's own layer (``spec[board]``) overrides."""
    out = {rid: spec.get("default", "missing") for rid in ids}
    layers = [spec] + ([spec[board]] if board and isinstance(spec.get(board), dict) else [])
    for layer in layers:
        for status in ("present", "partial", "missing"):
            for rid in layer.get(status, []) or []:
                if rid not in out:
                    if rid in known:
                        continue  # an id of another bundled checklist
                    raise SystemExit(f"{where}: unknown requirement id {rid!r}")
                out[rid] = status
    return out


def load_labels(folder: Path) -> dict[str, dict]:
    labels: dict[str, dict] = {}
    for path in sorted(folder.glob("labels*.yaml")):
        for name, spec in (safeyaml.load_file(path) or {}).items():
            if not (folder / name).is_file():
                raise SystemExit(f"{path}: no sample file {name}")
            labels[name] = spec
    if not labels:
        raise SystemExit(f"{folder}: no labels*.yaml")
    return labels


class Tally:
    def __init__(self) -> None:
        self.present = [0, 0]  # [checker present, labelled present]
        self.absent = [0, 0]  # [checker missing, labelled missing]
        self.exact = [0, 0]

    def add(self, want: str, got: str) -> None:
        self.exact[0] += want == got
        self.exact[1] += 1
        if want == "present":
            self.present[0] += got == "present"
            self.present[1] += 1
        elif want == "missing":
            self.absent[0] += got == "missing"
            self.absent[1] += 1

    @staticmethod
    def ratio(pair: list[int]) -> str:
        return f"{pair[0] / pair[1]:.3f} ({pair[0]}/{pair[1]})" if pair[1] else "—"

    def line(self) -> str:
        return f"presence {self.ratio(self.present):>17}  absence {self.ratio(self.absent):>17}  exact {self.ratio(self.exact):>17}"

    def as_dict(self) -> dict:
        def r(pair: list[int]) -> float | None:
            return round(pair[0] / pair[1], 4) if pair[1] else None
        return {"presence": r(self.present), "absence": r(self.absent), "exact": r(self.exact),
                "counts": {"present": self.present, "absent": self.absent, "exact": self.exact}}


def converted_copies(path: Path, tmp: Path) -> list[Path]:
    """The same text as a plain-text file, an HTML page, a WeasyPrint PDF and a DOCX, made from one
    list of blocks as tests/test_formats.py makes them (for .md and .txt samples)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_formats import Source  # noqa: E402

    if path.suffix not in (".txt", ".md"):
        return []
    source = Source.load(path)
    stem = tmp / path.stem
    out = {".text": stem.with_suffix(".text"), ".html": stem.with_suffix(".html"), ".pdf": stem.with_suffix(".pdf"),
           ".docx": stem.with_suffix(".docx")}
    out[".text"].write_text(source.text(), encoding="utf-8")
    out[".html"].write_text(source.html(), encoding="utf-8")
    out[".pdf"].write_bytes(source.pdf())
    source.docx(out[".docx"])
    return list(out.values())


# the kinds of school the labels name, in their own words, grouped as the issue counts them
KIND_GROUPS = (("私立", "private"), ("特別支援", "special-needs"), ("義務教育", "compulsory"), ("小中", "compulsory"), ("高等学校", "high school"),
               ("高校", "high school"), ("中学校", "junior high"), ("中高", "junior high"), ("小学校", "elementary"))


def kind_group(kind: str) -> str:
    """「私立中高（女子）」 → private, 「県立高等学校（定時制）」 → high school, 「小学校（複式）」 → elementary."""
    return next((group for word, group in KIND_GROUPS if word in kind), "other")


def summary(total: Tally, kinds: dict[str, Tally], formats: dict[str, Tally]) -> dict:
    """Print the overall, per-kind and per-format lines; return them for the JSON report."""
    print(f"   all                {total.line()}")
    for kind, tally in sorted(kinds.items()):
        print(f"   kind {kind:13} {tally.line()}")
    for fmt, tally in sorted(formats.items()):
        print(f"   format {fmt:11} {tally.line()}")
    return {"all": total.as_dict(), "kinds": {k: t.as_dict() for k, t in kinds.items()},
            "formats": {k: t.as_dict() for k, t in formats.items()}}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", default=["policies", "realistic"])
    parser.add_argument("--checklist", default="asahikawa", help="bundled checklist name or YAML path")
    parser.add_argument("--no-parse", action="store_true", help="negation by sentence-wide cues (ablation)")
    parser.add_argument("--formats", action="store_true", help="also score PDF, DOCX and HTML copies of text samples")
    parser.add_argument("--quiet", action="store_true", help="no per-requirement table or disagreements (printed or in --json)")
    parser.add_argument("--pool", action="store_true", help="also print the sets together: all, per kind of school and per format")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    checklist = load_checklist(args.checklist)
    checker = Checker(checklist, parse=not args.no_parse)
    ids = [r.id for r in checklist.requirements]
    known = frozenset(r.id for cl in bundled_checklists() for r in cl.requirements)
    report: dict = {"checklist": checklist.id, "parse": not args.no_parse, "sets": {}}
    sys.path.insert(0, str(ROOT / "benchmarks"))
    pooled, pooled_kind, pooled_format = Tally(), defaultdict(Tally), defaultdict(Tally)
    for name in args.sets:
        folder = ROOT / "corpus" / name
        labels = load_labels(folder)
        total, by_kind, by_format, by_req = Tally(), defaultdict(Tally), defaultdict(Tally), defaultdict(Tally)
        disagreements = []
        with tempfile.TemporaryDirectory() as tmp:
            for sample, spec in labels.items():
                expected = expected_statuses(spec, ids, f"{folder.name}/{sample}", checklist.id, known)
                paths = [folder / sample] + (converted_copies(folder / sample, Path(tmp)) if args.formats else [])
                for path in paths:
                    result = checker.check([path])
                    fmt = FORMAT_OF.get(path.suffix, path.suffix) if path == folder / sample else "converted " + path.suffix.lstrip(".").replace("text", "txt")
                    for finding in result.findings:
                        rid, got = finding.requirement.id, finding.status
                        want = expected[rid]
                        by_format[fmt].add(want, got)
                        pooled_format[fmt].add(want, got)
                        if path == folder / sample:
                            total.add(want, got)
                            pooled.add(want, got)
                            by_kind[str(spec.get("kind", "?"))].add(want, got)
                            pooled_kind[kind_group(str(spec.get("kind", "")))].add(want, got)
                            by_req[rid].add(want, got)
                            if got != want:
                                disagreements.append((sample, rid, want, got))
        print(f"== {name}: {len(labels)} documents, {total.exact[1]} judgements, checklist {checklist.id}, parse {'on' if checker.parse else 'off'}")
        report["sets"][name] = summary(total, by_kind, by_format)
        if not args.quiet:
            print("   per requirement:")
            for rid in ids:
                print(f"     {rid:32} {by_req[rid].line()}")
            print("   disagreements (document, requirement, expected → got):")
            for sample, rid, want, got in disagreements:
                print(f"     {sample:40} {rid:32} {want} → {got}")
        if not args.quiet:  # a blind set is scored --quiet: its JSON holds the aggregates only, too
            report["sets"][name].update(requirements={k: t.as_dict() for k, t in by_req.items()}, disagreements=disagreements)
    if args.pool:
        print(f"== pooled: {' + '.join(args.sets)}, {pooled.exact[1]} judgements")
        report["pooled"] = {"sets": args.sets, **summary(pooled, pooled_kind, pooled_format)}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
