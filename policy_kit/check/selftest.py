"""`policy-kit checklist test`: every requirement's examples, checked like a real document.

Like a linter's rule catalogue (each rule with examples that are tested), each requirement can
carry ``examples: {present: [...], absent: [...]}``: short passages a reviewer would accept as
stating the requirement, and passages a reviewer would not (another context, a heading with no
body, a denial or a plan, a bare mention). A present example must come out *present*; an absent
one must not. The requirement's own ``example`` (shown to schools as 記載例) must come out present."""
from __future__ import annotations

from dataclasses import dataclass

from ..status import PRESENT
from .checker import Checker
from .document import Document, plain_lines


@dataclass
class ExampleResult:
    requirement: str
    kind: str  # "present", "absent" or "explanation" (the requirement's own 記載例)
    number: int  # 1-based, within its kind
    passage: str
    status: str

    @property
    def passed(self) -> bool:
        return (self.status == PRESENT) == (self.kind != "absent")


def run_examples(checker: Checker, only: tuple[str, ...] = ()) -> list[ExampleResult]:
    """Check every example passage of the checklist (or of the requirements in ``only``)."""
    results: list[ExampleResult] = []
    for requirement in checker.checklist.requirements:
        if only and requirement.id not in only:
            continue
        cases = [("explanation", 1, requirement.example)] if requirement.example else []
        for kind in ("present", "absent"):
            cases += [(kind, n, passage) for n, passage in enumerate(requirement.examples.get(kind, []), start=1)]
        for kind, number, passage in cases:
            document = Document(f"{requirement.id}.{kind}.{number}", [plain_lines(passage.split("\n"))], "text")
            finding = next(f for f in checker.check_documents([document]).findings if f.requirement.id == requirement.id)
            results.append(ExampleResult(requirement.id, kind, number, passage, finding.status))
    return results
