"""The local classifier's evidence: word forms, links, forwards, kinds, the owner's filings."""

import pytest

from notes.ai import Example, LinkInfo, NoteContext, TopicInfo
from notes.ai.morphology import lemma
from notes.ai.providers.local import LocalProvider, nearest_examples, note_features
from notes.models import NoteKind
from notes.services.classification import note_classify, note_filing_record
from tests.factories import NoteFactory

PERSONAL = (
    TopicInfo("shopping", "Покупки", "Что нужно купить. Списки покупок."),
    TopicInfo("recipes", "Рецепты", "Что приготовить"),
    TopicInfo("travel", "Путешествия", "Поездки, отели, маршруты"),
    TopicInfo("finance", "Финансы", "Расходы, долги, подписки"),
)
WORK = (
    TopicInfo("tasks", "Tasks", "Things I have to do: action items, deadlines"),
    TopicInfo("reading", "Reading list", "Articles, papers and talks to read later"),
    TopicInfo("ideas", "Product ideas", "Features and experiments"),
)


def classify(text, topics=PERSONAL, **extra):
    context = NoteContext(text=text, language="ru", topics=topics, **extra)
    return LocalProvider().classify(context)


def test_word_forms_come_from_the_dictionary():
    assert lemma("купила") == lemma("куплю") == lemma("купить") == "купить"
    assert lemma("покупок") == lemma("покупки") == "покупка"
    assert lemma("papers") == lemma("paper")
    assert lemma("и") == lemma("the") == ""  # function words carry no topic

    description = note_features("Что нужно купить. Списки покупок.")
    for word in ("купила", "покупок", "купить"):
        assert any(f in description for f in note_features(word) if f.startswith("="))
        assert classify(word).topic_key == "shopping"


def test_a_bare_link_is_judged_by_its_site():
    result = classify("https://arxiv.org/abs/2401.01234", topics=WORK, kind=NoteKind.LINK)

    assert result.topic_key == "reading"


def test_a_link_counts_by_its_fetched_title_when_the_note_says_nothing():
    link = LinkInfo(url="https://example.org/p/1", title="Маршрут по Стамбулу на четыре дня")

    result = classify("", link=link, links=(link,), kind=NoteKind.LINK)

    assert result.topic_key == "travel"


def test_a_forward_counts_by_its_channel_name():
    result = classify("Новая подборка на выходные", forward_from="Кулинарный канал")

    assert result.topic_key == "recipes"


def test_money_to_give_back_and_a_renewal_before_expiry_find_their_topics():
    assert classify("Вернуть Оле 2000, которые одолжил в пятницу").topic_key == "finance"
    renewal = "Renew the domain certificate before it expires"
    assert classify(renewal, topics=WORK).topic_key == "tasks"


def test_the_most_similar_filings_vote_and_a_few_do_not_drown_the_description():
    unknown = "Петуния и лобелия, три кашпо"  # neither descriptions nor thesaurus know it
    filed = (Example("Лобелия синяя, два кашпо", "shopping", kind="text"),)
    assert classify(unknown).topic_key is None
    assert classify(unknown, examples=filed).topic_key == "shopping"

    # The same single filing against a clear description: the description wins.
    stray = (Example("Рецепт: петуния и лобелия из сахарной мастики", "shopping"),)
    assert classify("Рецепт торта из мастики", examples=stray).topic_key == "recipes"


def test_a_correction_weighs_more_than_a_filing():
    text = "Чек за ужин в ресторане, поделить на троих"
    filing = Example("Ужин в ресторане на троих, чек", "travel")
    correction = Example("Ужин в ресторане на троих, чек", "travel", suggested_key="finance")

    plain = classify(text, examples=(filing,))
    corrected = classify(text, examples=(correction,))

    assert plain.topic_key != "travel"  # one filing does not outvote the description…
    assert corrected.topic_key == "travel"  # …the owner's correction does
    assert "finance" not in [alt.topic_key for alt in corrected.alternatives[:1]]


def test_neighbours_need_more_than_one_word_in_common_and_the_kind_counts():
    examples = (
        Example("купить билеты в театр", "shopping", kind="text"),
        Example("голосом: билеты на поезд до Казани", "travel", kind="voice"),
    )
    context = NoteContext(
        text="билеты на поезд в Казань", language="ru", topics=PERSONAL, examples=examples
    )

    assert [example.topic_key for example in nearest_examples(context, 5)] == ["travel"]
    assert "#voice" in note_features("x", "voice")


def test_confidence_is_calibrated_not_a_raw_share():
    # Sure enough to file alone: a wide margin and the topic's own words met strongly.
    sure = classify("Список покупок: купить молоко, хлеб, яйца")
    unsure = classify("Маршрут и рецепт")

    assert 0.85 <= sure.confidence <= 0.95
    assert unsure.confidence < sure.confidence


@pytest.mark.django_db
def test_the_nearest_filings_reach_openai_after_the_stable_prefix(
    alice, topics, fake_openai, chain
):
    chain("openai")
    for number in range(8):
        note = NoteFactory(owner=alice, text=f"Стругацкие, том {number}: перечитать «Пикник»")
        note_filing_record(note=note, topic=topics["books"])
    note_filing_record(note=NoteFactory(owner=alice, text="молоко"), topic=topics["shopping"])

    note_classify(note=NoteFactory(owner=alice, text="Перечитать «Пикник» Стругацких"))
    note_classify(note=NoteFactory(owner=alice, text="кефир и молоко"))

    first, second = (request.json["messages"] for request in fake_openai.requests)
    assert first[0] == second[0]  # the prefix does not depend on the note
    user = first[-1]["content"]
    similar = user.split("Note to file:")[0]
    assert similar.startswith("The owner filed these similar notes before:")
    listed = [line for line in similar.splitlines() if line.startswith("- ")]
    assert 1 <= len(listed) <= 5
    assert all("«Пикник»" in line and line.endswith(str(topics["books"].pk)) for line in listed)
    assert all(line not in first[0]["content"] for line in listed)  # not repeated


@pytest.mark.django_db
def test_the_nearest_filings_reach_gemini_too(alice, topics, fake_gemini, chain):
    chain("gemini")
    for text in ("Лем, «Солярис», перечитать", "Лем, «Непобедимый», перечитать"):
        note_filing_record(note=NoteFactory(owner=alice, text=text), topic=topics["books"])
    for text in ("хлеб", "сыр", "чай", "кофе"):  # push the Лем notes out of the prefix
        note_filing_record(note=NoteFactory(owner=alice, text=text), topic=topics["books"])

    note_classify(note=NoteFactory(owner=alice, text="Перечитать Лема: «Солярис»"))

    [request] = fake_gemini.requests
    message = request.json["contents"][-1]["parts"][0]["text"]
    assert message.startswith("The owner filed these similar notes before:")
    assert "«Солярис»" in message.split("Note to file:")[0]
