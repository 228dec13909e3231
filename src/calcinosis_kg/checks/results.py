"""What every stage (reason, validate, QC, queries) reports, so check can print one report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Failure:
    """One thing that does not hold: the entity, its label, and why."""

    stage: str
    entity: str
    label: str
    reason: str
    level: str = "ERROR"


@dataclass
class StageResult:
    """Outcome of one stage: counts for the summary line, failures for the details."""

    name: str
    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    skipped: bool = False
    note: str = ""
    #: the outcome depends on the machine (Java missing, broken or timed out), not on the inputs:
    #: never cached, so a fixed environment is not answered with an old failure
    environment: bool = False

    def to_dict(self) -> dict:
        """The stage as plain data (``check --format json`` and the check cache)."""
        return asdict(self)
