"""evaluate_classifier measures the local provider on the dev set, inside the suite."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from notes.ai.evaluation import (
    DEFAULT_DATASET,
    DEFAULT_WORKSPACES,
    evaluate,
    load_cases,
    load_workspaces,
)


def run(*args):
    out = StringIO()
    call_command("evaluate_classifier", *args, stdout=out)
    return out.getvalue()


def share(output, label):
    match = re.search(rf"^{label}: (\d+)/(\d+) = ", output, re.MULTILINE)
    assert match, output
    return int(match.group(1)) / int(match.group(2))


EVAL = DEFAULT_DATASET.parent
SETS = ("dev", "holdout", "unseen")


@pytest.fixture(scope="module")
def measured():
    """Every set cold, leave-one-out, and (but dev) with the dev notes as history."""
    workspaces = load_workspaces(DEFAULT_WORKSPACES)
    cases = {name: load_cases(EVAL / f"{name}.jsonl") for name in SETS}
    reports = {}
    for name in SETS:
        reports[name, "cold"] = evaluate(cases[name], workspaces, "local")
        reports[name, "learn"] = evaluate(cases[name], workspaces, "local", learn=True)
        if name != "dev":
            reports[name, "history"] = evaluate(
                cases[name], workspaces, "local", history=cases["dev"]
            )
    return reports


def test_the_local_provider_reaches_the_target_on_the_dev_set():
    output = run("--provider", "local")

    assert f"provider local · {len(load_cases(DEFAULT_DATASET))} notes" in output
    assert share(output, "top-1") >= 0.85
    assert share(output, "top-3") >= 0.9
    assert re.search(r"latency per note: median [\d.]+ ms, p95 [\d.]+ ms", output)
    assert "errors by expected topic" in output


@pytest.mark.parametrize(
    ("name", "top1", "top3"),
    # Measured: dev 89.1 / 93.5, holdout 95.2 / 100, unseen 89.4 / 95.7 (README, Measuring).
    [("dev", 0.85, 0.9), ("holdout", 0.9, 0.95), ("unseen", 0.85, 0.9)],
)
def test_cold_accuracy_floors_on_every_set(measured, name, top1, top3):
    # holdout.jsonl and unseen.jsonl were written apart from the thesaurus; a
    # classifier that learned the dev set by heart would drop there.
    report = measured[name, "cold"]

    assert report.top1_share >= top1
    assert report.top3_share >= top3


@pytest.mark.parametrize("name", SETS)
def test_learning_from_the_owners_filings_is_never_worse_than_cold(measured, name):
    cold = measured[name, "cold"]

    # Leave-one-out on holdout loses one note of 42 to the vote by meaning (two or
    # three filings per topic, in other words than the note): docs/classifier.md.
    assert measured[name, "learn"].top1 >= cold.top1 - (name == "holdout")
    assert measured[name, "learn"].top3 >= cold.top3
    if name != "dev":
        assert measured[name, "history"].top1 >= cold.top1
        assert measured[name, "history"].top1_share >= 0.85


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("mode", ["cold", "learn"])
def test_auto_filing_above_the_threshold_is_right_as_often_as_it_says(measured, name, mode):
    report = measured[name, mode]
    confident = report.above(0.85)

    # Filed alone only when the words or the filings stand behind the answer: a quarter
    # of the notes cold, fewer with two or three filings per topic; those are right.
    if mode == "cold":
        assert confident.total >= report.total / 4
    assert confident.share >= 0.95
    bands = report.calibration()
    assert sum(band.total for band in bands) == report.total


def test_learning_mode_classifies_with_the_other_notes_as_examples():
    output = run("--learn")

    assert "learning from the other notes" in output
    assert share(output, "top-1") >= 0.85
    assert re.search(r"^cold \(no filings\): top-1 [\d.]+%, top-3 [\d.]+%; change \+", output, re.M)


def test_another_set_can_be_the_owners_history_and_the_calibration_is_printed():
    holdout = EVAL / "holdout.jsonl"

    output = run("--dataset", str(holdout), "--history", str(DEFAULT_DATASET))

    assert f"history {DEFAULT_DATASET}" in output
    assert share(output, "top-1") >= 0.9
    assert "calibration (confidence band: notes, right):" in output
    assert re.search(r"^  0\.85–1\.00: +\d+ notes, \d+% right$", output, re.M)
    assert re.search(r"^  auto-filed at ≥ 0\.85: \d+ notes, \d+% right$", output, re.M)


def test_a_history_that_is_the_data_set_itself_is_refused(tmp_path):
    with pytest.raises(CommandError, match="use --learn"):
        run("--history", str(DEFAULT_DATASET))
    with pytest.raises(CommandError, match="No such file"):
        run("--history", str(tmp_path / "none.jsonl"))


def test_errors_are_listed_per_expected_topic(tmp_path):
    dataset = tmp_path / "tiny.jsonl"
    rows = [
        {"workspace": "w", "kind": "text", "text": "купить молоко", "expected": "shop"},
        {"workspace": "w", "kind": "text", "text": "купить молоко", "expected": "books"},
    ]
    dataset.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    (tmp_path / "workspaces.json").write_text(
        json.dumps(
            {
                "w": {
                    "language": "ru",
                    "topics": [
                        {"key": "shop", "name": "Покупки", "description": "Что купить"},
                        {"key": "books", "name": "Книги", "description": "Что прочитать"},
                    ],
                }
            },
            ensure_ascii=False,
        )
    )

    output = run("--dataset", str(dataset))

    assert "top-1: 1/2 = 50.0%" in output
    assert "top-3: 1/2 = 50.0%" in output  # "books" shares no word with the note
    assert "  w/books: 1\n    → shop: купить молоко" in output


def test_a_provider_without_a_key_is_refused_clearly(settings):
    settings.OPENAI_API_KEY = ""

    with pytest.raises(CommandError, match="OPENAI_API_KEY is not set"):
        run("--provider", "openai")


def test_a_missing_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("--dataset", str(tmp_path / "none.jsonl"))


def test_the_openai_provider_is_measured_through_the_same_command(fake_openai):
    output = run("--provider", "openai")

    assert "provider openai" in output
    assert len(fake_openai.requests) == len(load_cases(DEFAULT_DATASET))
