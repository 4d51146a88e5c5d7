"""The check pipeline for one school's package of documents."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .analyse import analyse
from .checklist import Checklist, compile_terms
from .extract import SUPPORTED_SUFFIXES, Document, Limits, read_document
from .matcher import MISSING, PARTIAL, PRESENT, Finding, Matcher
from .normalise import Sentence, split_sentences
from ..errors import InputError


@dataclass
class CheckResult:
    checklist: Checklist
    documents: list[Document]
    findings: list[Finding]
    ignored: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        active = [f for f in self.findings if not getattr(f, "waived", None)]
        return {
            "present": sum(f.status == PRESENT for f in active),
            "partial": sum(f.status == PARTIAL for f in active),
            "missing": sum(f.status == MISSING for f in active),
            "required_missing": sum(f.status == MISSING and f.requirement.severity == "required" for f in active),
        }


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; a directory means every supported file in it (sorted, not recursive)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))
            if not found:
                raise InputError("the directory holds no policy documents (PDF, DOCX, TXT, MD, HTML)", path)
            files.extend(found)
        else:
            files.append(path)
    return files


def sentences_of(documents: list[Document]) -> list[Sentence]:
    sentences: list[Sentence] = []
    for i, doc in enumerate(documents):
        sentences.extend(split_sentences(doc, i))
    analyse(sentences)
    return sentences


def check_documents(documents: list[Document], checklist: Checklist, ignore: tuple[str, ...] = ()) -> CheckResult:
    compile_terms(checklist)
    for rid in ignore:
        checklist.get(rid)  # unknown ids are an error, with did-you-mean
    sentences = sentences_of(documents)
    matcher = Matcher(checklist, sentences)
    findings = [matcher.evaluate(req) for req in checklist.requirements if req.id not in ignore]
    return CheckResult(checklist, documents, findings, list(ignore), sentences)


def check_paths(paths: list[Path], checklist: Checklist, ignore: tuple[str, ...] = (), limits: Limits = Limits()) -> CheckResult:
    documents = [read_document(p, limits) for p in expand_inputs(paths)]
    return check_documents(documents, checklist, ignore)
