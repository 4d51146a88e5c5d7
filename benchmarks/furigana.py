"""Reading accuracy of the pupils' version furigana on 300 words with hand-checked readings.

    .venv/bin/python benchmarks/furigana.py [--json OUT.json] [--show-errors]

Each word of benchmarks/data/furigana_words.tsv is read in its sentence, as the pupils' version
reads it: SudachiPy from the GiNZA model, the alignment with okurigana and the counter rules of
policy_kit/generate/furigana.py, with every kanji word given a reading and no overrides (the
figure "before overrides"). The reading shown over the word's kanji, with its own kana, must equal
the checked reading. The figure "after overrides" adds the `readings` of the sample schools."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy_kit import safeyaml  # noqa: E402
from policy_kit.generate.furigana import Annotator, FuriganaRule, hiragana  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "furigana_words.tsv"


@dataclass
class Case:
    word: str
    reading: str
    sentence: str
    source: str


def load_cases(path: Path = DATA) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        word, reading, sentence, source = line.split("\t")
        if word not in sentence:
            raise SystemExit(f"{path}: {word!r} is not in its sentence")
        cases.append(Case(word, reading, sentence, source))
    return cases


def reading_of_span(annotator: Annotator, sentence: str, start: int, end: int) -> str | None:
    """The reading the annotator gives sentence[start:end]: readings of kanji segments, kana as
    written. None when a segment with a reading crosses the span's edge (the word was not read
    as a unit)."""
    out, pos = [], 0
    for segment in annotator.segments(sentence):
        seg_start, seg_end = pos, pos + len(segment.text)
        pos = seg_end
        if seg_end <= start or seg_start >= end:
            continue
        inside = seg_start >= start and seg_end <= end
        if segment.reading is not None:
            if not inside:
                return None
            out.append(segment.reading)
        else:
            out.append(hiragana(segment.text[max(start, seg_start) - seg_start:min(end, seg_end) - seg_start]))
    return "".join(out)


def sample_overrides() -> dict[str, str]:
    overrides: dict[str, str] = {}
    for path in sorted((ROOT / "corpus" / "schools").glob("*.yaml")):
        overrides.update((safeyaml.load_file(path).get("pupils_version") or {}).get("readings") or {})
    return overrides


def score(cases: list[Case], overrides: dict[str, str]) -> tuple[int, list[tuple[Case, str | None]]]:
    annotator = Annotator(FuriganaRule("grade", 0), overrides)
    errors = []
    for case in cases:
        start = case.sentence.index(case.word)
        got = reading_of_span(annotator, case.sentence, start, start + len(case.word))
        if got != case.reading:
            errors.append((case, got))
    return len(cases) - len(errors), errors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    cases = load_cases()
    right, errors = score(cases, {})
    right_after, errors_after = score(cases, sample_overrides())
    print(f"furigana readings: {right}/{len(cases)} right before overrides ({right / len(cases):.1%}), "
          f"{right_after}/{len(cases)} with the sample schools' overrides ({right_after / len(cases):.1%})")
    if args.show_errors:
        for case, got in errors:
            print(f"  {case.word}: expected {case.reading}, got {got}  ({case.sentence[:40]})")
    if args.json:
        args.json.write_text(json.dumps({
            "words": len(cases), "right_before_overrides": right, "accuracy_before_overrides": right / len(cases),
            "right_after_overrides": right_after, "errors": [{"word": c.word, "expected": c.reading, "got": g} for c, g in errors],
        }, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
