"""Filings teach the local classifier past shared words: sentence embeddings, k nearest."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from notes.ai import Example, NoteContext, TopicInfo, embeddings, neighbours
from notes.ai.providers.local import LocalProvider
from notes.models import FilingExample
from notes.services.classification import note_classify, note_filing_record
from tests.factories import NoteFactory

TOPICS = (
    TopicInfo("health", "Здоровье", "Врачи, анализы, лекарства, самочувствие."),
    TopicInfo("shopping", "Покупки", "Что нужно купить. Списки покупок."),
    TopicInfo("work", "Работа", "Задачи, релизы, договорённости с коллегами."),
)
# Adaptations: each shares one word ("книга") with the others, never two.
MOVED = (
    "Игра престолов — по книгам Мартина",
    "Гарри Поттер, снятый по книгам Роулинг",
    "Дюна Вильнёва по книге Герберта",
    "Властелин колец Джексона, по книге Толкина",
    "Оно — экранизация книги Стивена Кинга",
)
SIXTH = "Ведьмак с Генри Кавиллом — по книгам Сапковского"


def filed(text, topic_key, suggested_key=None):
    return Example(
        text=text,
        topic_key=topic_key,
        suggested_key=suggested_key,
        embedding=embeddings.embed(text),
    )


def classify(text, examples=()):
    context = NoteContext(text=text, language="ru", topics=TOPICS, examples=tuple(examples))
    return LocalProvider().classify(context)


def test_a_note_in_other_words_than_the_filings_follows_them():
    # "Присед" is in no description, no thesaurus, and shares no word with the filings.
    assert classify("Присед 80 кг 5х5").topic_key != "health"
    history = [filed("Жим лёжа 60 кг, три подхода по восемь", "health")]
    history += [filed("Становая тяга 100 кг", "health")]
    history += [filed("Молоко, хлеб и яйца", "shopping"), filed("Релиз 2.3 в пятницу", "work")]

    result = classify("Присед 80 кг 5х5", history)

    assert result.topic_key == "health"
    assert result.reason == "Ближе всего к теме «Здоровье» и к заметкам, которые вы туда клали."


def test_a_vote_by_meaning_needs_embeddings(settings):
    settings.CLASSIFIER_EMBEDDINGS = False
    history = [
        Example(text="Жим лёжа 60 кг, три подхода по восемь", topic_key="health"),
        Example(text="Становая тяга 100 кг", topic_key="health"),
    ]

    assert embeddings.embed("Становая тяга 100 кг") == b""
    assert classify("Присед 80 кг 5х5", history).topic_key != "health"


@pytest.mark.django_db
def test_five_notes_moved_from_books_to_movies_change_where_the_sixth_goes(alice, topics, chain):
    chain("local")
    assert note_classify(note=NoteFactory(owner=alice, text=SIXTH)).topic_key == str(
        topics["books"].pk
    )

    for text in MOVED:  # each suggested Books, each moved to Movies by the owner
        books = {"suggested_topic_id": topics["books"].pk}
        note = NoteFactory(owner=alice, text=text, classification=books)
        note_filing_record(note=note, topic=topics["movies"])

    assert FilingExample.objects.filter(owner=alice, suggested_topic=topics["books"]).count() == 5
    after = note_classify(note=NoteFactory(owner=alice, text=SIXTH))
    assert after.topic_key == str(topics["movies"].pk)


@pytest.mark.django_db
def test_the_same_notes_confirmed_in_books_keep_the_sixth_in_books(alice, topics, chain):
    chain("local")
    for text in MOVED:
        note = NoteFactory(owner=alice, text=text)
        note_classify(note=note)
        note_filing_record(note=note, topic=topics["books"])

    assert note_classify(note=NoteFactory(owner=alice, text=SIXTH)).topic_key == str(
        topics["books"].pk
    )


def test_corrections_outvote_as_many_confirmations_in_the_vote():
    confirmed = tuple(filed(text, "books") for text in MOVED[:2])
    corrected = tuple(filed(text, "movies", suggested_key="books") for text in MOVED[2:4])

    # Newest first: the confirmations are the more recent here, and still lose.
    vote = neighbours.vote(SIXTH, (*confirmed, *corrected), topic_count=2)

    assert vote.shares["movies"] > vote.shares["books"]
    assert vote.trust == neighbours.SHARE  # corrections are evidence on their own


def test_recent_filings_outvote_old_ones_in_the_vote():
    old = tuple(filed(text, "books") for text in MOVED)
    recent = tuple(filed(text + ", смотреть", "movies") for text in MOVED)
    between = tuple(filed(f"Счёт за свет, {month}", "bills") for month in range(300))

    newer_movies = neighbours.vote(SIXTH, (*recent, *between, *old), topic_count=3)
    newer_books = neighbours.vote(SIXTH, (*old, *between, *recent), topic_count=3)

    assert newer_movies.shares["movies"] > 0.8
    assert newer_books.shares["books"] > 0.8


@pytest.mark.django_db
def test_a_filing_is_embedded_once_when_filed_and_never_again(alice, topics, chain, monkeypatch):
    chain("local")
    for text in MOVED:
        note_filing_record(note=NoteFactory(owner=alice, text=text), topic=topics["movies"])
    stored = FilingExample.objects.filter(owner=alice).values_list("embedding", flat=True)
    assert [len(bytes(vector)) for vector in stored] == [768] * len(MOVED)

    embedded = []
    original = embeddings.embed

    def counted(text):
        embedded.append(text)
        return original(text)

    monkeypatch.setattr(embeddings, "embed", counted)
    note_classify(note=NoteFactory(owner=alice, text=SIXTH))

    assert embedded == [SIXTH]  # the new note only; the filings' vectors are read


@pytest.mark.django_db
def test_with_embeddings_off_filings_store_no_vector_and_still_teach_by_words(
    alice, topics, chain, settings
):
    settings.CLASSIFIER_EMBEDDINGS = False
    chain("local")
    corrected = NoteFactory(
        owner=alice,
        text="Сценарий «Сталкера» Стругацких",
        classification={"suggested_topic_id": topics["books"].pk},
    )
    note_filing_record(note=corrected, topic=topics["movies"])

    assert bytes(FilingExample.objects.get(note=corrected).embedding) == b""
    after = note_classify(note=NoteFactory(owner=alice, text="Перечитать сценарий «Сталкера»"))
    assert after.topic_key == str(topics["movies"].pk)


@pytest.mark.django_db
def test_filings_made_before_embeddings_are_embedded_by_the_command(alice, topics, settings):
    settings.CLASSIFIER_EMBEDDINGS = False
    for text in MOVED[:3]:
        note_filing_record(note=NoteFactory(owner=alice, text=text), topic=topics["movies"])
    settings.CLASSIFIER_EMBEDDINGS = True

    out = StringIO()
    call_command("embed_filings", stdout=out)
    call_command("embed_filings", stdout=out)  # a second run finds nothing left

    assert out.getvalue() == "embedded 3 filings\nembedded 0 filings\n"
    stored = FilingExample.objects.filter(owner=alice).values_list("embedding", flat=True)
    assert [len(bytes(vector)) for vector in stored] == [768] * 3


def test_the_command_refuses_clearly_when_embeddings_are_off(settings):
    settings.CLASSIFIER_EMBEDDINGS = False

    with pytest.raises(CommandError, match="Embeddings are off"):
        call_command("embed_filings")
