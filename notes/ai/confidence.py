"""How sure the local classifier is: calibrated, and held below auto-filing when unsupported.

The confidence is read off the margin between the best two topics' scores
(``CALIBRATION``), then capped at ``UNSURE`` unless the topic's words or the
owner's filings by meaning stand behind the answer (``_sure``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notes.ai.providers.local import Scored

# The confidence is read off the margin between the best two scores, 1 − second/best
# (1: no other topic scored), through this table of (margin, share of notes right):
# fitted, rounded down, on the dev and held-out sets in all three modes (cold,
# leave-one-out, dev as history; ``manage.py evaluate_classifier`` prints the
# bands). Between points it is read linearly. At 0.85 and above, 94–97 % were right.
CALIBRATION: tuple[tuple[float, float], ...] = (
    (0.0, 0.45),
    (0.3, 0.6),
    (0.6, 0.75),
    (0.8, 0.85),
    (1.0, 0.95),
)
# How the rest of the confidence is shared among the alternatives (a softmax temperature).
SHARPNESS = 3.0
# A wide margin is not enough to file on its own: the answer must also meet its topic's
# words strongly (SURE_WORDS, a raw description score; a third of the notes reach it)
# without the filings' meaning voting for another topic, or have the filings' meaning
# behind it (SURE_MEANING of their vote). Otherwise the confidence stays below the
# owners' default auto-filing threshold (0.85), at UNSURE. Fitted on the dev, held-out,
# unseen and tune sets in four modes: of the notes that passed, 98.8 % were right
# (cold on the tune set alone: 13 of 15).
SURE_WORDS = 3.0
SURE_MEANING = 0.8
UNSURE = 0.8


def calibrated(margin: float) -> float:
    """The share of notes with this margin that were filed right (``CALIBRATION``)."""
    points = CALIBRATION
    position = bisect_right([x for x, _ in points], margin)
    if position <= 0:
        return points[0][1]
    if position >= len(points):
        return points[-1][1]
    (x0, y0), (x1, y1) = points[position - 1], points[position]
    return y0 + (y1 - y0) * (margin - x0) / (x1 - x0) if x1 > x0 else y1


def confidences_of(scored: list[Scored]) -> list[float]:
    """The answer's calibrated confidence, then each alternative's share of the rest."""
    best = scored[0].score if scored else 0.0
    if best <= 0:
        return [0.0 for _ in scored]
    second = scored[1].score if len(scored) > 1 else 0.0
    top = calibrated(1 - max(second, 0.0) / best)
    if not _sure(scored):
        top = min(top, UNSURE)
    shares = [math.exp(SHARPNESS * (item.score / best - 1)) for item in scored[1:]]
    rest = sum(shares)
    # An alternative never looks surer than the answer (they tie when the margin is nil).
    return [top, *(min(top, (1 - top) * share / rest) if rest else 0.0 for share in shares)]


def _sure(scored: list[Scored]) -> bool:
    best = scored[0]
    if best.meaning is None:
        return best.description >= SURE_WORDS
    contradicted = any((item.meaning or 0.0) > best.meaning for item in scored[1:])
    return (best.description >= SURE_WORDS and not contradicted) or (best.meaning >= SURE_MEANING)
