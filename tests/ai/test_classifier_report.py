"""The learning curve and docs/classifier.md (``evaluate_classifier --report``)."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from notes.ai import eval_report
from notes.ai.evaluation import Case, Workspace, learning_curve
from notes.ai.types import TopicInfo

WORKSPACES: dict[str, dict[str, Any]] = {
    "w": {
        "language": "ru",
        "topics": [
            {"key": "sport", "name": "Спорт", "description": "Тренировки и пробежки"},
            {"key": "home", "name": "Дом", "description": "Ремонт и коммунальные платежи"},
        ],
    }
}
NOTES = {
    "sport": ["Присед 80 кг 5х5", "Жим лёжа 60 кг", "Бассейн 1500 м кролем", "Подтягивания 12 раз"],
    "home": [
        "Течёт кран на кухне",
        "Показания счётчиков до 25-го",
        "Обои в спальню",
        "Розетка искрит",
    ],
}


def cases(prefix=""):
    return [
        Case(workspace="w", kind="text", text=prefix + text, expected=topic)
        for topic, texts in NOTES.items()
        for text in texts
    ]


def test_the_curve_draws_k_filings_per_topic_from_the_set_then_the_pool():
    workspace = Workspace(
        "ru",
        tuple(TopicInfo(t["key"], t["name"], t["description"]) for t in WORKSPACES["w"]["topics"]),
    )
    curve = learning_curve(
        cases(), {"w": workspace}, "local", pool=cases("Ещё: "), points=(0, 1, 3, 10)
    )

    assert [point.per_topic for point in curve] == [0, 1, 3, 10]
    # k = 10: the note's own topic has 3 other notes + 4 pooled, the other topic 4 + 4
    assert [point.filed_per_topic for point in curve] == [0.0, 1.0, 3.0, 7.5]
    assert all(0.0 <= point.top1_share <= 1.0 for point in curve)


@pytest.fixture
def tiny_sets(tmp_path, monkeypatch):
    (tmp_path / "workspaces.json").write_text(json.dumps(WORKSPACES), encoding="utf-8")
    for name, prefix in (("one", ""), ("two", "Снова: ")):
        lines = [
            json.dumps({"workspace": "w", "kind": "text", "text": prefix + text, "expected": topic})
            for topic, texts in NOTES.items()
            for text in texts
        ]
        (tmp_path / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(eval_report, "EVAL_DIR", tmp_path)
    monkeypatch.setattr(eval_report, "SETS", ("one", "two"))
    monkeypatch.setattr(eval_report, "UNSEEN", "two")
    return tmp_path


def test_the_report_has_every_set_the_curve_and_the_targets(tiny_sets):
    out = StringIO()
    call_command("evaluate_classifier", "--report", str(tiny_sets / "classifier.md"), stdout=out)

    report = (tiny_sets / "classifier.md").read_text(encoding="utf-8")
    assert out.getvalue().strip() == f"wrote {tiny_sets / 'classifier.md'}"
    assert "| one | 8 |" in report
    assert "| two | 8 |" in report
    assert "| set | k = 0 | k = 1 | k = 3 | k = 5 | k = 10 |" in report
    assert "## Targets, on `two.jsonl`" in report
    for target in ("cold + 10 points", "cold + 8 points", "no lower than", "right at least 95 %"):
        line = next(line for line in report.splitlines() if target in line)
        assert line.endswith(("| yes |", "| no |"))
    assert "| shared words only |" in report
