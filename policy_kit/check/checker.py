"""The one entry point for checking: a `Checker` (checklist + config + limits) turns a school's
package of documents into a `CheckResult`, with waivers and inline suppressions applied.

`check`, `diff`, `audit` and the web app all call this, so the same files and configuration give
the same statuses everywhere:

    read (extract) → sentences (normalise) → forms (analyse) → match (matcher) → waivers (config)"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..status import MISSING, PARTIAL, PRESENT
from .analyse import analyse
from .checklist import Checklist, compile_terms, load_checklist
from .config import Config, apply_waivers
from .extract import SUPPORTED_SUFFIXES, Document, Limits, read_bytes, read_document
from .matcher import Finding, Matcher
from .normalise import Sentence, split_sentences
from .regexguard import guard_checklist


@dataclass
class CheckResult:
    checklist: Checklist
    documents: list[Document]
    findings: list[Finding]
    ignored: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list, repr=False)
    name: str = ""  # the package's name (a school folder, or the file) when several are checked

    def counts(self) -> dict[str, int]:
        active = [f for f in self.findings if not f.waived]
        return {
            "present": sum(f.status == PRESENT for f in active),
            "partial": sum(f.status == PARTIAL for f in active),
            "missing": sum(f.status == MISSING for f in active),
            "required_missing": sum(f.status == MISSING and f.requirement.severity == "required" for f in active),
            "waived": sum(1 for f in self.findings if f.waived),
        }


@dataclass
class Checker:
    """Everything that decides a verdict: the checklist, the project configuration (ignored
    requirements, waivers) and the reading limits. Build one, then check any number of packages."""

    checklist: Checklist
    config: Config = field(default_factory=Config)
    limits: Limits = field(default_factory=Limits)
    ignore: tuple[str, ...] = ()  # added to config.ignore (e.g. from --ignore)
    today: _dt.date | None = None  # for waiver expiry (tests); default: today
    parse: bool = True  # GiNZA's dependency parse decides negation (False: sentence-wide cues; ablation)

    def __post_init__(self) -> None:
        guard_checklist(self.checklist)  # patterns that could backtrack for minutes on one sentence are refused

    @classmethod
    def from_names(cls, checklist: str | None = None, config: Config | None = None, **kwargs) -> "Checker":
        config = config or Config()
        return cls(load_checklist(checklist or config.checklist), config, **kwargs)

    @property
    def ignored(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.config.ignore, *self.ignore)))

    def check(self, paths: list[Path]) -> CheckResult:
        """Check one package: files as given, a directory meaning every supported file in it."""
        return self.check_documents([read_document(p, self.limits) for p in expand_inputs(paths)])

    def check_bytes(self, data: bytes, name: str) -> CheckResult:
        """Check one document given as bytes (stdin, an upload); ``name`` gives its type by suffix."""
        return self.check_documents([read_bytes(data, name, self.limits)])

    def check_documents(self, documents: list[Document]) -> CheckResult:
        compile_terms(self.checklist)
        for rid in self.ignored:
            self.checklist.get(rid)  # unknown ids are an error, with did-you-mean
        sentences = sentences_of(documents)
        matcher = Matcher(self.checklist, sentences, parse=self.parse)
        findings = [matcher.evaluate(req) for req in self.checklist.requirements if req.id not in self.ignored]
        result = CheckResult(self.checklist, documents, findings, list(self.ignored), sentences)
        apply_waivers(result, self.config, self.today)
        return result

    def fingerprint(self) -> str:
        """What besides the files decides the result (for caches): checklist content, configuration,
        limits. The policy-kit version is added by the cache itself."""
        import hashlib
        import json

        h = hashlib.sha256()
        for path in self.checklist.files or (self.checklist.path,):  # a checklist and the parents it extends
            h.update(Path(path).read_bytes())
        today = self.today or _dt.date.today()
        # a waiver counts with whether it has expired (not with today's date, so a cache lasts
        # until a waiver expires or anything else changes)
        waivers = [(w.id, w.reason, str(w.expires), bool(w.expires and w.expires < today)) for w in self.config.waivers]
        h.update(json.dumps({"ignore": self.ignored, "waivers": waivers, "limits": self.limits.__dict__, "parse": self.parse},
                            sort_keys=True, default=str).encode())
        return h.hexdigest()


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; a directory means every supported file in it (sorted, not recursive)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))
            if not found:
                raise InputError("the directory holds no policy documents (PDF, DOCX, TXT, MD, HTML)", path,
                                 ja="フォルダに方針の文書（PDF・Word・テキスト・HTML）がありません")
            files.extend(found)
        else:
            files.append(path)
    return files


def packages(paths: list[Path], per_file: bool = False) -> list[tuple[str, list[Path]]]:
    """How the command line's paths form packages (one school each).

    Files given together are one package; each directory is its own package (a school folder);
    with ``per_file`` every file (also inside directories) is a package of its own."""
    if per_file:
        return [(str(f), [f]) for f in expand_inputs(paths)]
    files = [p for p in paths if not p.is_dir()]
    out = [(str(d), [d]) for d in paths if d.is_dir()]
    if files:
        out.insert(0, (", ".join(str(f) for f in files), files))
    return out


def sentences_of(documents: list[Document]) -> list[Sentence]:
    sentences: list[Sentence] = []
    for i, doc in enumerate(documents):
        sentences.extend(split_sentences(doc, i))
    analyse(sentences)
    return sentences
