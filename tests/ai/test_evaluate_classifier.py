"""evaluate_classifier measures the local provider on the dev set, inside the suite."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from notes.ai.evaluation import DEFAULT_DATASET, load_cases


def run(*args):
    out = StringIO()
    call_command("evaluate_classifier", *args, stdout=out)
    return out.getvalue()


def share(output, label):
    match = re.search(rf"^{label}: (\d+)/(\d+) = ", output, re.MULTILINE)
    assert match, output
    return int(match.group(1)) / int(match.group(2))


def test_the_local_provider_reaches_the_target_on_the_dev_set():
    output = run("--provider", "local")

    assert f"provider local · {len(load_cases(DEFAULT_DATASET))} notes" in output
    assert share(output, "top-1") >= 0.8
    assert share(output, "top-3") >= share(output, "top-1")
    assert re.search(r"latency per note: median [\d.]+ ms, p95 [\d.]+ ms", output)
    assert "errors by expected topic" in output


def test_the_local_provider_generalises_to_notes_written_after_it():
    # holdout.jsonl was written by someone who had not seen the local provider's
    # vocabulary; a classifier that learned the dev set by heart would drop here.
    holdout = DEFAULT_DATASET.with_name("holdout.jsonl")

    output = run("--provider", "local", "--dataset", str(holdout))

    assert f"provider local · {len(load_cases(holdout))} notes" in output
    assert share(output, "top-1") >= 0.75


def test_learning_mode_classifies_with_the_other_notes_as_examples():
    output = run("--learn")

    assert "learning from the other notes" in output
    assert share(output, "top-1") >= 0.7


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
