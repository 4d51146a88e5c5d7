"""Speed of the web app, measured through the real server (`policy-kit serve` under uvicorn, started
as a child process on a free localhost port) with an HTTP client, as a browser would ask.

    .venv/bin/python benchmarks/web.py [--repeat 21] [--json benchmarks/results/web.json]

Prints the median of several requests for each page (target ≤ 200 ms, PDF rendering and checking
apart) and for a check of a ~35,000-character policy through the check page, warm (the server
has loaded the checker once; target ≤ 1 s): upload, check, redirect and the result page.
All traffic goes to 127.0.0.1 only; the run stops by itself."""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

try:
    import httpx2 as httpx  # what Starlette's test client uses
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - start)
        if response.status_code >= 400:
            raise RuntimeError(f"{response.request.method} {response.request.url} answered {response.status_code}")
    return statistics.median(times) * 1000


def school_form(client: "httpx.Client") -> dict[str, str]:
    from policy_kit import safeyaml
    from policy_kit.web import forms

    values, _ = forms.form_values(safeyaml.load_file(ROOT / "corpus" / "schools" / "harunire-es.yaml"))
    data: dict[str, object] = {k: v for k, v in values.items()}
    data["csrf"] = client.cookies["pk_csrf"]
    return data  # type: ignore[return-value]


def run_audit(client: "httpx.Client", tmp: Path) -> str:
    """One small audit, so the audit page has something to show; returns its address."""
    import zipfile

    upload = tmp / "schools.zip"
    with zipfile.ZipFile(upload, "w") as z:
        for src in sorted((ROOT / "corpus" / "policies").glob("*.md"))[:4]:
            z.write(src, f"旭川市立{src.stem}小学校.md")
    r = client.post("/board/audit", data={"csrf": client.cookies["pk_csrf"], "checklist": "asahikawa"},
                    files={"files": ("schools.zip", upload.read_bytes(), "application/zip")})
    location = r.headers["location"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = client.get(location + "/status").json()
        if status["finished"]:
            return f"/board/audits/{status['audit']}"
        time.sleep(0.5)
    raise RuntimeError("the audit did not finish")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from policy_kit.web.devserver import start_server
    from speed import big_policy

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = start_server(tmp / "data", jobs=1)
        try:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                client.get("/")
                audit_page = run_audit(client, tmp)
                form = school_form(client)
                pages = {
                    "GET /": lambda: client.get("/"),
                    "GET /school": lambda: client.get("/school"),
                    "GET /check": lambda: client.get("/check"),
                    "GET /board": lambda: client.get("/board"),
                    f"GET {audit_page} (4 schools)": lambda: client.get(audit_page),
                    "POST /school (validate, re-render)": lambda: client.post("/school", data=form),
                    "POST /school/validate (live errors)": lambda: client.post("/school/validate", data=form),
                    "POST /school/preview (policy HTML)": lambda: client.post("/school/preview", data={**form, "_doc": "policy"}),
                }
                print(f"median of {args.repeat} requests each, server on 127.0.0.1 (target ≤ 200 ms):")
                for name, call in pages.items():
                    call()  # warm
                    ms = median_ms(call, args.repeat)
                    figures[name] = round(ms, 1)
                    print(f"  {name:44} {ms:7.1f} ms")

                policy = big_policy(tmp)
                data = policy.read_bytes()
                chars = len(policy.read_text(encoding="utf-8"))

                def check():
                    r = client.post("/check", data={"csrf": client.cookies["pk_csrf"], "checklist": "asahikawa"},
                                    files={"document": ("policy.md", data, "text/markdown")}, follow_redirects=True)
                    assert re.search(r'id="req-police-referral"', r.text), "the result page shows the requirements"
                    return r

                check()  # warm: the server has loaded the checker before
                repeat = max(5, args.repeat // 3)
                ms = median_ms(check, repeat)
                figures["check_35k_warm_ms"] = round(ms, 1)
                figures["check_policy_chars"] = chars
                print(f"check of a {chars:,}-character policy through the page, warm, median of {repeat}: {ms:7.1f} ms (target ≤ 1,000 ms)")
                pdf = median_ms(lambda: client.post("/school/download", data={**form, "_download": "policy"}), 3)
                figures["policy_pdf_ms"] = round(pdf, 1)
                print(f"policy PDF download (WeasyPrint), median of 3:                 {pdf:7.1f} ms (not a page: PDF rendering)")
        finally:
            server.stop()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
