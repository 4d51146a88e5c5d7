"""pypdf against pypdfium2 (PDFium) on our sample PDFs: text fidelity and speed.

    .venv/bin/python benchmarks/readers.py [--runs 5] [--json benchmarks/results/readers.json]

The PDFs are made exactly as the four-format parity test makes them (tests/test_formats.py):
every sample in corpus/policies/ (*.md, *.txt) → HTML with real headings, lists and ruled
tables → WeasyPrint → PDF. Each extractor is then compared with the source text:

- similarity: 1 − normalised edit distance between source and extracted text, both NFKC with all
  whitespace removed (reading order, lost or doubled text all lower it);
- list numbers in place: ordered-list items whose number starts the line of their text;
- table rows whole: source table rows whose cells all appear, in order, on one extracted line;
- spaced Japanese: spaces between two Japanese characters that the source does not have;
- compatibility characters: Kangxi radicals (⼀), CJK compatibility ideographs, ligatures (ﬁ)
  in the raw output (each needs NFKC to match);
- speed: median seconds over --runs runs to extract every page of every sample PDF.
"policy-kit" is our reader (PDFium plus list-marker and ruled-table repair, in a child forked by
its small server process); "(no child)" is the same extraction in this process."""
from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the parity test's sample → HTML → PDF conversion

_JA = r"\u3040-\u30ff\u3400-\u9fff\uff01-\uff60"
_COMPAT = re.compile(r"[\u2f00-\u2fdf\u2e80-\u2eff\uf900-\ufaff\ufb00-\ufb06]")


def pypdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdfium_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        out = []
        for page in document:
            textpage = page.get_textpage()
            out.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return out
    finally:
        document.close()


def policy_kit_pages(data: bytes) -> list[str]:
    from policy_kit.check.extract import read_bytes

    return ["\n".join(line.text for line in page) for page in read_bytes(data, "sample.pdf").pages]


def policy_kit_inline_pages(data: bytes) -> list[str]:
    """Our reader's extraction without the child process (to show what the isolation costs)."""
    from policy_kit.check.readers.pdfium_worker import extract

    return ["\n".join(line[0] for line in page) for page in extract(data, 500, 2_000_000)[1]]


EXTRACTORS = {"pypdf": pypdf_pages, "pypdfium2": pdfium_pages, "policy-kit": policy_kit_pages, "(no child)": policy_kit_inline_pages}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def fidelity(source, pages: list[str]) -> dict[str, float]:
    from rapidfuzz.distance import Levenshtein

    text = "\n".join(pages)
    lines = [flat(line) for line in text.split("\n")]
    expected = flat(source.text())
    ordered = [b for b in source.blocks if b.kind == "li" and b.marker != "・"]
    numbered = sum(any(line.startswith(flat(b.marker) + flat(b.text)[:6]) for line in lines) for b in ordered)
    rows = [b for b in source.blocks if b.kind == "row"]
    whole = sum(any(re.search(".*".join(re.escape(flat(c)) for c in b.cells if c), line) for line in lines) for b in rows)
    spaced = len(re.findall(rf"(?<=[{_JA}]) (?=[{_JA}])", text)) - len(re.findall(rf"(?<=[{_JA}]) (?=[{_JA}])", source.text()))
    return {"similarity": Levenshtein.normalized_similarity(expected, flat(text)), "numbered": numbered, "numbered_of": len(ordered),
            "rows": whole, "rows_of": len(rows), "spaced": max(0, spaced), "compat": len(_COMPAT.findall(text))}


# The samples have bullets but no numbered lists; this one (our own words) has them, as Word
# documents often do, so that "list numbers in place" measures something.
ORDERED = """# いじめ対策委員会の役割
委員会は、次のことを行う。
1. いじめの相談・通報を受け付ける窓口となる。
2. いじめが疑われる情報を集め、記録して共有する。
3. 事実を確かめ、いじめに当たるかどうかを組織として判断する。
4. 被害を受けた児童を守り、支援の計画を立てる。
## 年間の取組
1. 6月・11月・2月にいじめアンケートを行い、その後に個人面談を行う。
2. 10月のいじめ防止強化月間に、児童会が集会を開く。
3. 3月に一年間の取組を評価し、方針を見直す。
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from test_formats import SAMPLES, Source, markdown_blocks

    sources = [Source.load(p) for p in SAMPLES] + [Source("ordered-lists", markdown_blocks(ORDERED.splitlines()))]
    pdfs = [s.pdf() for s in sources]
    pages = sum(len(pdfium_pages(p)) for p in pdfs)
    results: dict[str, dict] = {}
    for name, extract in EXTRACTORS.items():
        extract(pdfs[0])  # imports and first-call costs out of the timing
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            outputs = [extract(p) for p in pdfs]
            times.append(time.perf_counter() - start)
        scores = [fidelity(s, o) for s, o in zip(sources, outputs)]
        total = lambda key: sum(sc[key] for sc in scores)
        results[name] = {"seconds_median": statistics.median(times), "similarity_mean": statistics.mean(sc["similarity"] for sc in scores),
                         "similarity_min": min(sc["similarity"] for sc in scores), "numbered": total("numbered"),
                         "numbered_of": total("numbered_of"), "rows": total("rows"), "rows_of": total("rows_of"),
                         "spaced": total("spaced"), "compat": total("compat")}
    print(f"{len(pdfs)} sample PDFs, {pages} pages; median of {args.runs} runs")
    print(f"{'extractor':<12} {'seconds':>8} {'ms/page':>8} {'similarity':>16} {'list numbers':>13} {'table rows':>11} {'spaced ja':>10} {'compat chars':>13}")
    for name, r in results.items():
        print(f"{name:<12} {r['seconds_median']:8.3f} {1000 * r['seconds_median'] / pages:8.1f} {r['similarity_mean']:8.4f} (min {r['similarity_min']:.3f})"
              f" {r['numbered']:>6}/{r['numbered_of']:<6} {r['rows']:>5}/{r['rows_of']:<5} {r['spaced']:>10} {r['compat']:>13}")
    base = results["pypdf"]["seconds_median"]
    child = (results["policy-kit"]["seconds_median"] - results["(no child)"]["seconds_median"]) / len(pdfs)
    print(f"pypdfium2 is {base / results['pypdfium2']['seconds_median']:.1f}x as fast as pypdf; policy-kit's reader "
          f"{base / results['policy-kit']['seconds_median']:.1f}x (its server process and child cost {1000 * child:.1f} ms per PDF)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"pdfs": len(pdfs), "pages": pages, "runs": args.runs, "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
