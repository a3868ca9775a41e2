"""Why a provider could not answer. The chain catches ``ProviderError`` and moves on."""

from __future__ import annotations


class ProviderError(Exception):
    """A provider failed for this request; the next one in the chain is tried."""


class ProviderUnavailable(ProviderError):
    """The provider cannot be used here at all (no key, no such capability)."""


class ProviderTimeout(ProviderError):
    """No answer within the timeout. Not retried: the next provider is the retry."""


class RateLimited(ProviderError):
    """HTTP 429. Retried after ``retry_after`` seconds (capped) a bounded number of times."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(ProviderError):
    """A 5xx or a dropped connection: worth a bounded retry."""


class InvalidAnswer(ProviderError):
    """The answer was unparseable or outside the allowed set: never used for filing."""


class TranscriptionUnavailable(Exception):
    """No speech-to-text capable provider is configured in the chain."""


class TranscriptionFailed(Exception):
    """Every speech-to-text provider tried failed; the message says why."""

    def __init__(self, failures: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {why}" for name, why in failures.items()))
        self.failures = failures
