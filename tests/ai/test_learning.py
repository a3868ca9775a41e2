"""Filings and corrections are remembered per owner and used by later classifications."""

import pytest

from notes.models import FilingExample
from notes.services.classification import note_classify, note_filing_record
from tests.factories import ForumGroupFactory, NoteFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_confirming_a_suggestion_records_an_example(alice, topics):
    note = NoteFactory(
        owner=alice,
        text="«Солярис»",
        link_metadata=[{"url": "https://x.example", "title": "Лем — Солярис", "status": "ok"}],
        classification={"suggested_topic_id": topics["books"].pk},
    )

    note_filing_record(note=note, topic=topics["books"])

    example = FilingExample.objects.get(note=note)
    assert (example.owner, example.topic) == (alice, topics["books"])
    assert not example.is_correction
    assert example.text == "«Солярис»\nЛем — Солярис"


def test_filing_elsewhere_records_a_correction_and_refiling_replaces_it(alice, topics):
    note = NoteFactory(
        owner=alice, text="x", classification={"suggested_topic_id": topics["books"].pk}
    )

    note_filing_record(note=note, topic=topics["movies"])
    note_filing_record(note=note, topic=topics["shopping"])

    example = FilingExample.objects.get(note=note)
    assert example.topic == topics["shopping"]
    assert example.suggested_topic == topics["books"]
    assert example.is_correction


def test_a_note_cannot_be_recorded_into_someone_elses_topic(alice, bob, topics):
    foreign = TopicFactory(group=ForumGroupFactory(owner=bob))

    with pytest.raises(ValueError, match="own topics"):
        note_filing_record(note=NoteFactory(owner=alice), topic=foreign)


def test_the_local_classifier_learns_from_what_the_owner_filed(alice, topics, chain):
    chain("local")
    text = "Петуния и лобелия, по три кашпо"  # no description nor the thesaurus knows flowers
    before = note_classify(note=NoteFactory(owner=alice, text=text))
    assert before.topic_key != str(topics["shopping"].pk)

    for filed in ("Лобелия синяя в кашпо", "Петуния махровая, два пакетика"):
        note_filing_record(note=NoteFactory(owner=alice, text=filed), topic=topics["shopping"])
    after = note_classify(note=NoteFactory(owner=alice, text=text))

    assert after.topic_key == str(topics["shopping"].pk)
    assert after.reason == "Ближе всего к теме «🛒 Покупки» и к заметкам, которые вы туда клали."


def test_a_correction_moves_similar_notes_to_the_topic_the_owner_chose(alice, topics, chain):
    chain("local")
    text = "Перечитать сценарий «Сталкера»"
    before = note_classify(note=NoteFactory(owner=alice, text=text))
    assert before.topic_key == str(topics["books"].pk)

    corrected = NoteFactory(
        owner=alice,
        text="Сценарий «Сталкера» Стругацких",
        classification={"suggested_topic_id": topics["books"].pk},
    )
    note_filing_record(note=corrected, topic=topics["movies"])
    after = note_classify(note=NoteFactory(owner=alice, text=text))

    assert after.topic_key == str(topics["movies"].pk)


def test_one_owners_examples_do_not_reach_another_owners_classification(
    alice, bob, topics, fake_openai, chain
):
    note_filing_record(note=NoteFactory(owner=alice, text="секрет Анны"), topic=topics["books"])
    bob_topic = TopicFactory(group=ForumGroupFactory(owner=bob), name="Books")
    bob.preferences.ai_providers = "openai"
    bob.preferences.save()

    note_classify(note=NoteFactory(owner=bob, text="a novel"))

    system = fake_openai.requests[0].json["messages"][0]["content"]
    assert "секрет Анны" not in system
    assert str(bob_topic.pk) in system
