"""What every provider offers. The chain only speaks to this interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from notes.ai.errors import ProviderUnavailable
from notes.ai.types import (
    AudioInput,
    ClassificationResult,
    NoteContext,
    RenderContext,
    Transcript,
    Usage,
)


@dataclass(frozen=True)
class Rewrite:
    """A free-form rewrite of a note's text for a topic (plain text, escaped later)."""

    title: str
    body: str
    provider: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    cost_usd: Decimal = Decimal(0)


class Provider(ABC):
    name: ClassVar[str]
    remote: ClassVar[bool] = True
    can_rewrite: ClassVar[bool] = True
    can_transcribe: ClassVar[bool] = False

    def unavailable_reason(self) -> str | None:
        """Why this provider cannot be used at all here (no key), or None."""
        return None

    @abstractmethod
    def classify(self, context: NoteContext) -> ClassificationResult: ...

    def rewrite(self, context: RenderContext) -> Rewrite:
        raise ProviderUnavailable(f"{self.name} cannot rewrite notes")

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ProviderUnavailable(f"{self.name} cannot transcribe audio")

    def takes_audio(self, *, seconds: float | None, size: int | None) -> bool:
        """Whether this provider accepts a recording this long and this big (what is
        unknown is left to the provider to judge): asked before the audio is downloaded."""
        return True
