"""note_classify through the real SDKs against fake OpenAI and Gemini servers."""

import time
from decimal import Decimal

import pytest

from notes.models import Note, NoteStatus
from notes.services.classification import note_classify, note_filing_record
from tests.factories import NoteFactory, TopicFactory

pytestmark = pytest.mark.django_db


def answer(topic, **extra):
    return {
        "topic": str(topic.pk) if hasattr(topic, "pk") else topic,
        "confidence": 0.87,
        "reason": "Это книга.",
        "alternatives": [],
        "title": "Мастер и Маргарита",
        "summary": "Перечитать роман.",
        "tags": ["книги", "#Булгаков", "книги"],
        "suggested_topic_name": "",
        **extra,
    }


def test_the_structured_answer_is_stored_on_the_note(alice, topics, fake_openai, chain):
    chain("openai", "local")
    fake_openai.answer_next(
        answer(
            topics["books"],
            alternatives=[{"topic": str(topics["movies"].pk), "confidence": 0.1}],
        )
    )
    note = NoteFactory(owner=alice, text="Перечитать «Мастер и Маргарита»")

    result = note_classify(note=note)

    note.refresh_from_db()
    assert result.provider == note.ai_provider == "openai"
    assert note.topic == topics["books"]
    assert note.confidence == 0.87
    assert note.reason == "Это книга."
    assert note.title == "Мастер и Маргарита"
    assert note.tags == ["книги", "Булгаков"]
    assert note.alternatives == [{"topic_id": topics["movies"].pk, "confidence": 0.1}]
    assert note.classification["suggested_topic_id"] == topics["books"].pk
    assert note.classification["summary"] == "Перечитать роман."
    assert note.status == NoteStatus.RECEIVED  # the pipeline moves it on, not this service


def test_usage_and_cost_are_recorded_on_the_note(alice, topics, fake_openai, chain):
    chain("openai")
    fake_openai.usage = {"prompt_tokens": 2000, "completion_tokens": 100, "cached_tokens": 1000}
    note = NoteFactory(owner=alice, text="молоко")

    note_classify(note=note)

    note.refresh_from_db()
    assert (note.input_tokens, note.output_tokens) == (2000, 100)
    # gpt-4o-mini: 1000 × 0.15 + 1000 cached × 0.075 + 100 × 0.60, per million tokens
    assert note.cost_usd == Decimal("0.000285")


def test_gemini_answers_through_its_response_schema(alice, topics, fake_gemini, chain):
    chain("gemini")
    fake_gemini.answer_next(answer(topics["movies"], reason="Это сериал."))
    note = NoteFactory(owner=alice, text="Посмотреть «Разделение»")

    note_classify(note=note)

    note.refresh_from_db()
    assert (note.ai_provider, note.topic, note.reason) == (
        "gemini",
        topics["movies"],
        "Это сериал.",
    )
    assert (note.input_tokens, note.output_tokens) == (900, 60)
    [request] = fake_gemini.requests
    sent = request.json
    assert sent["generationConfig"]["responseJsonSchema"]["properties"]["topic"]["enum"] == [
        str(topics["books"].pk),
        str(topics["movies"].pk),
        str(topics["shopping"].pk),
        "none",
    ]
    assert "📚 Книги" in sent["systemInstruction"]["parts"][0]["text"]


@pytest.mark.parametrize(
    "bad_answer",
    [
        pytest.param(answer("999999"), id="out-of-enum topic"),
        pytest.param("{'topic': 'books'", id="garbage JSON"),
        pytest.param(answer("none", alternatives=[{"topic": "42", "confidence": 1}]), id="bad alt"),
        pytest.param(answer("none", confidence="high"), id="confidence not a number"),
    ],
)
def test_an_invalid_answer_falls_through_to_the_next_provider(
    bad_answer, alice, topics, fake_openai, fake_gemini, chain
):
    chain("openai", "gemini", "local")
    fake_openai.answer_next(bad_answer)
    fake_gemini.answer_next(answer(topics["shopping"]))
    note = NoteFactory(owner=alice, text="хлеб")

    note_classify(note=note)

    note.refresh_from_db()
    assert (note.ai_provider, note.topic) == ("gemini", topics["shopping"])
    assert note.classification["failures"]["openai"].startswith("InvalidAnswer")


def test_a_server_error_is_retried_then_falls_through(
    alice, topics, fake_openai, fake_gemini, chain
):
    chain("openai", "gemini")
    fake_openai.server_error_next(times=3)

    note = NoteFactory(owner=alice, text="хлеб")
    note_classify(note=note)

    note.refresh_from_db()
    assert len(fake_openai.requests) == 3  # one try and AI_MAX_RETRIES retries
    assert note.ai_provider == "gemini"
    assert note.classification["failures"] == {"openai": "ServerError: HTTP 500"}


def test_one_server_error_is_retried_and_the_same_provider_answers(
    alice, topics, fake_openai, chain
):
    chain("openai")
    fake_openai.server_error_next()

    note = NoteFactory(owner=alice, text="хлеб")
    result = note_classify(note=note)

    assert result.provider == "openai"
    assert len(fake_openai.requests) == 2


def test_a_timeout_falls_through_without_retrying(alice, topics, fake_openai, fake_gemini, chain):
    chain("openai", "gemini")
    fake_openai.stall_next(2.0)

    started = time.monotonic()
    note = NoteFactory(owner=alice, text="хлеб")
    note_classify(note=note)

    note.refresh_from_db()
    assert note.ai_provider == "gemini"
    assert note.classification["failures"]["openai"].startswith("ProviderTimeout")
    assert len(fake_openai.requests) == 1
    assert time.monotonic() - started < 1.9


def test_a_rate_limit_is_retried_after_the_delay_the_server_asks(alice, topics, fake_openai, chain):
    chain("openai")
    fake_openai.rate_limit_next(retry_after="0.2")

    started = time.monotonic()
    result = note_classify(note=NoteFactory(owner=alice, text="хлеб"))

    assert result.provider == "openai"
    assert len(fake_openai.requests) == 2
    assert time.monotonic() - started >= 0.2


def test_rate_limits_are_retried_a_bounded_number_of_times(
    alice, topics, fake_openai, fake_gemini, chain
):
    chain("openai", "gemini")
    fake_openai.rate_limit_next(retry_after="60", times=5)  # the wait is capped at 0.3 s
    fake_gemini.rate_limit_next(retry_delay="0.05s", times=1)

    started = time.monotonic()
    result = note_classify(note=NoteFactory(owner=alice, text="хлеб"))

    assert len(fake_openai.requests) == 3
    assert result.failures == {"openai": "RateLimited: HTTP 429 rate limited"}
    assert result.provider == "gemini"
    assert len(fake_gemini.requests) == 2
    assert time.monotonic() - started < 2


def test_when_every_provider_fails_the_note_keeps_no_topic_and_says_why(
    alice, topics, fake_openai, chain
):
    chain("openai", "gemini")
    fake_openai.answer_next("not json")
    note = NoteFactory(owner=alice, text="хлеб")

    result = note_classify(note=note)

    note.refresh_from_db()
    assert result.topic_key is None
    assert note.topic is None
    assert note.ai_provider == ""
    assert "openai: InvalidAnswer" in note.last_error
    assert "gemini: GEMINI_API_KEY is not set" in note.last_error
    assert note.reason == "Ни один AI-провайдер не смог разобрать заметку; выберите тему сами."


def test_a_later_success_clears_the_classification_error(alice, topics, fake_openai, chain):
    chain("openai")
    note = NoteFactory(owner=alice, text="хлеб", last_error="classification: openai: down")

    note_classify(note=note)

    note.refresh_from_db()
    assert note.last_error == ""


def test_without_a_group_no_provider_is_asked(alice, fake_openai, chain):
    chain("openai", "local")
    note = NoteFactory(owner=alice, text="хлеб")

    result = note_classify(note=note)

    assert result.topic_key is None
    assert fake_openai.requests == []
    note.refresh_from_db()
    assert note.topic is None
    assert note.ai_provider == ""


def test_archived_topics_are_not_offered(alice, topics, fake_openai, chain):
    chain("openai")
    topics["movies"].is_archived = True
    topics["movies"].save()

    note_classify(note=NoteFactory(owner=alice, text="хлеб"))

    [request] = fake_openai.requests
    enum = request.json["response_format"]["json_schema"]["schema"]["properties"]["topic"]["enum"]
    assert str(topics["movies"].pk) not in enum


def test_none_fits_keeps_the_suggested_new_topic_name(alice, topics, fake_openai, chain):
    chain("openai")
    fake_openai.answer_next(answer("none", suggested_topic_name="Рецепты", confidence=0.3))
    note = NoteFactory(owner=alice, text="Сырники: творог, яйца, мука")

    note_classify(note=note)

    note.refresh_from_db()
    assert note.topic is None
    assert note.ai_provider == "openai"
    assert note.classification["suggested_topic_name"] == "Рецепты"
    assert note.classification["suggested_topic_id"] is None


def test_the_local_provider_classifies_without_any_network(alice, topics, fake_openai, chain):
    chain("local")
    note = NoteFactory(owner=alice, text="Купить молоко, хлеб и яйца")

    result = note_classify(note=note)

    assert (result.provider, result.topic_key) == ("local", str(topics["shopping"].pk))
    assert fake_openai.requests == []
    note.refresh_from_db()
    assert note.reason == "Ближе всего к описанию темы «🛒 Покупки»."
    assert note.cost_usd == 0


def test_the_reason_speaks_the_owners_language(bob, fake_openai, settings):
    from tests.factories import ForumGroupFactory

    group = ForumGroupFactory(owner=bob)
    TopicFactory(group=group, name="Groceries", description="Food to buy: milk, bread")
    TopicFactory(group=group, name="Reading", description="Articles to read later")

    note = NoteFactory(owner=bob, text="milk and bread")
    note_classify(note=note)

    note.refresh_from_db()
    assert note.reason == "Closest to the description of the topic «Groceries»."


def test_the_models_are_asked_to_answer_in_the_owners_language(alice, topics, fake_openai, chain):
    chain("openai")

    note_classify(note=NoteFactory(owner=alice, text="хлеб"))

    system = fake_openai.requests[0].json["messages"][0]["content"]
    assert "Write the reason in Russian" in system


def test_a_note_filed_by_hand_with_a_hashtag_asks_no_provider(alice, topics, fake_openai, chain):
    chain("openai")
    note = NoteFactory(owner=alice, text="#фильмы Дюна, вторая часть")

    result = note_classify(note=note)

    assert fake_openai.requests == []
    assert (result.provider, result.topic_key) == ("manual", str(topics["movies"].pk))
    note.refresh_from_db()
    assert note.confidence == 1.0
    assert note.title == "Дюна, вторая часть"


def test_a_hashtag_that_names_no_topic_goes_to_the_providers(alice, topics, fake_openai, chain):
    chain("openai")

    result = note_classify(note=NoteFactory(owner=alice, text="#секретное купить хлеб"))

    assert result.provider == "openai"
    assert len(fake_openai.requests) == 1


def test_filing_examples_and_corrections_reach_the_prompt_before_the_note(
    alice, topics, fake_openai, chain
):
    chain("openai")
    filed = NoteFactory(owner=alice, text="«Солярис» Лема", classification={})
    note_filing_record(note=filed, topic=topics["books"])
    corrected = NoteFactory(
        owner=alice,
        text="«Сталкер» Тарковского",
        classification={"suggested_topic_id": topics["books"].pk},
    )
    note_filing_record(note=corrected, topic=topics["movies"])

    note_classify(note=NoteFactory(owner=alice, text="«Пикник на обочине»"))

    messages = fake_openai.requests[0].json["messages"]
    system, user = messages[0]["content"], messages[-1]["content"]
    books, movies = topics["books"].pk, topics["movies"].pk
    assert "Книги, которые хочу прочитать, цитаты и рецензии." in system
    assert f'- "«Солярис» Лема" → {books}' in system
    assert f'- "«Сталкер» Тарковского": not {books}, but {movies}' in system
    assert messages[-1]["role"] == "user"
    assert "«Пикник на обочине»" in user
    assert "«Пикник на обочине»" not in system
    assert system.index("Topics:") < system.index("filed these notes")


def test_the_prompt_prefix_stays_the_same_from_note_to_note(alice, topics, fake_openai, chain):
    chain("openai")

    note_classify(note=NoteFactory(owner=alice, text="хлеб"))
    note_classify(note=NoteFactory(owner=alice, text="«Дюна»", kind="link"))

    first, second = (request.json for request in fake_openai.requests)
    assert first["messages"][0] == second["messages"][0]
    assert first["prompt_cache_key"] == second["prompt_cache_key"]
    assert first["messages"][1] != second["messages"][1]


def test_link_metadata_and_forward_origin_reach_the_model(alice, topics, fake_openai, chain):
    chain("openai")
    note = NoteFactory(
        owner=alice,
        kind="forward",
        text="Новинка недели",
        link_metadata=[
            {"url": "https://kino.example/1", "title": "Дюна — Кинопоиск", "status": "ok"}
        ],
        forward_origin={
            "type": "channel",
            "chat": {"id": -100, "title": "Киноклуб", "type": "channel"},
            "message_id": 5,
            "date": 1,
        },
    )

    note_classify(note=note)

    user = fake_openai.requests[0].json["messages"][-1]["content"]
    assert '"forwarded_from": "Киноклуб"' in user
    assert '"title": "Дюна — Кинопоиск"' in user
    assert '"description": ""' in user
    assert '"kind": "forward"' in user


def test_a_transcript_is_classified_when_there_is_no_text(alice, topics, fake_openai, chain):
    chain("openai")

    note_classify(note=NoteFactory(owner=alice, kind="voice", text="", transcript="купить хлеб"))

    assert '"text": "купить хлеб"' in fake_openai.requests[0].json["messages"][-1]["content"]


def test_classifying_writes_only_its_own_fields(alice, topics, chain):
    chain("local")
    note = NoteFactory(owner=alice, text="Прочитать книгу «Мастер и Маргарита»")
    # What another task writes while the model thinks: an album part, an edit.
    Note.objects.filter(pk=note.pk).update(files=[{"file_id": "AgAC-part-2"}], text="изменено")

    note_classify(note=note)

    note.refresh_from_db()
    assert note.topic == topics["books"]
    assert note.files == [{"file_id": "AgAC-part-2"}]
    assert note.text == "изменено"
