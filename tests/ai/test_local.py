"""The local provider: deterministic, no network, copes with Russian word forms."""

from notes.ai import NoteContext, TopicInfo, classify_note
from notes.ai.providers.local import LocalProvider

TOPICS = (
    TopicInfo("books", "Книги", "Книги, которые хочу прочитать"),
    TopicInfo("travel", "Путешествия", "Поездки, билеты, отели"),
    TopicInfo("code", "Snippets", "Shell commands and code fragments"),
)


def classify(text, **extra):
    return LocalProvider().classify(NoteContext(text=text, language="en", topics=TOPICS, **extra))


def test_different_word_forms_match_the_same_topic():
    assert classify("дочитал книгу").topic_key == "books"
    assert classify("купил билетов на поезд").topic_key == "travel"


def test_the_same_note_always_gets_the_same_answer():
    first, second = classify("книжка про отели"), classify("книжка про отели")

    assert first == second


def test_alternatives_are_ranked_and_confidences_add_up_to_at_most_one():
    result = classify("книга о поездке в горы")

    keys = [result.topic_key, *(alt.topic_key for alt in result.alternatives)]
    assert len(set(keys)) == len(keys)
    assert result.confidence >= max(alt.confidence for alt in result.alternatives)
    assert result.confidence + sum(alt.confidence for alt in result.alternatives) <= 1.0001


def test_a_note_sharing_nothing_with_any_topic_gets_no_topic():
    result = classify("ыыы")

    assert result.topic_key is None
    assert result.reason == "No topic shares enough words with this note."


def test_code_looks_like_code():
    assert classify("kubectl get pods -A | grep api").topic_key == "code"


def test_a_link_is_judged_by_its_title_and_a_long_title_is_cut():
    from notes.ai import LinkInfo

    link = LinkInfo(url="https://x.example/1", title="Лучшие отели Грузии " * 8)
    result = classify("https://x.example/1", link=link, kind="link")

    assert result.topic_key == "travel"
    assert result.title.endswith("…")
    assert len(result.title) <= 81


def test_with_no_topics_no_provider_is_asked():
    result = classify_note(NoteContext(text="x", language="ru", topics=(), providers=("openai",)))

    assert result.topic_key is None
    assert result.provider == ""
    assert result.reason == "Нет тем, куда можно положить заметку."


def test_an_unknown_provider_in_a_chain_is_reported_and_skipped():
    result = classify_note(
        NoteContext(text="дочитал книгу", language="en", topics=TOPICS, providers=("bard", "local"))
    )

    assert (result.provider, result.topic_key) == ("local", "books")
    assert result.failures == {"bard": "unknown provider"}
