"""The providers by name, as ``AI_PROVIDERS`` and Preferences spell them."""

from __future__ import annotations

from notes.ai.providers.base import Provider, Rewrite
from notes.ai.providers.gemini import GeminiProvider
from notes.ai.providers.local import LocalProvider
from notes.ai.providers.openai import OpenAIProvider

PROVIDERS: dict[str, type[Provider]] = {
    OpenAIProvider.name: OpenAIProvider,
    GeminiProvider.name: GeminiProvider,
    LocalProvider.name: LocalProvider,
}


def get_provider(name: str) -> Provider:
    """A fresh provider object: providers hold no clients between calls."""
    return PROVIDERS[name]()


__all__ = ["PROVIDERS", "Provider", "Rewrite", "get_provider"]
