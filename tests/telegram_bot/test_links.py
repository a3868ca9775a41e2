"""Link notes through the webhook: the page's title and description reach the preview
and the model; a page that cannot be read never holds the note up."""

import pytest

from notes.models import Note, NoteStatus
from tests.fakes.website import FakeWebsite
from tests.telegram_bot.conftest import ALICE_CHAT, private_text

pytestmark = pytest.mark.django_db

ARTICLE = """<!doctype html><html><head>
<title>Солярис — Википедия</title>
<meta property="og:title" content="Солярис (роман)">
<meta property="og:description" content="Философский роман Станислава Лема о контакте.">
<meta property="og:site_name" content="Википедия">
</head><body><p>…</p></body></html>"""


@pytest.fixture
def site(settings):
    with FakeWebsite() as website:
        settings.LINK_FETCH_ALLOWED_HOSTS = [website.host_port]
        yield website


def link_message(url: str, *, message_id: int, before: str = "Прочитать потом: "):
    text = f"{before}{url}"
    entity = {"type": "url", "offset": len(before), "length": len(url)}
    return private_text(text, message_id=message_id, entities=[entity])


def preview_of(telegram):
    calls = [c for c in telegram.calls("sendMessage", "editMessageText") if c["chat_id"] > 0]
    return calls[-1]


def test_the_pages_title_and_description_are_in_the_preview(telegram, deliver, archive, site):
    site.page("/wiki/solaris", ARTICLE)

    deliver(link_message(site.url("/wiki/solaris"), message_id=301))

    preview = preview_of(telegram)
    assert "Солярис (роман)" in preview["text"]
    assert "Философский роман Станислава Лема о контакте." in preview["text"]
    assert "Википедия" in preview["text"]
    assert telegram.methods() == ["setMessageReaction", "sendMessage"]  # one preview, no more
    note = Note.objects.get()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert (note.link_metadata or [{}])[0].get("title") == "Солярис (роман)"
    # The local classifier read the page's words: a novel goes to the books topic.
    assert note.topic == archive[1]["books"]


def test_the_model_is_given_what_the_page_says(telegram, deliver, archive, site, fake_openai):
    site.page("/wiki/solaris", ARTICLE)
    archive[0].owner.preferences.ai_providers = "openai,local"
    archive[0].owner.preferences.save()

    deliver(link_message(site.url("/wiki/solaris"), message_id=302))

    prompt = fake_openai.requests_to("/chat/completions")[0].json["messages"][-1]["content"]
    assert '"title": "Солярис (роман)"' in prompt
    assert '"description": "Философский роман Станислава Лема о контакте."' in prompt
    assert '"site": "Википедия"' in prompt


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8000/",
        "file:///etc/passwd",
    ],
)
def test_an_internal_link_is_not_fetched_and_the_note_goes_on_quietly(
    telegram, deliver, archive, site, url
):
    deliver(link_message(url, message_id=303))

    preview = preview_of(telegram)
    assert preview.buttons  # the note waits for a tap as any other
    for alarming in ("error", "ошибк", "refused", "SSRF", "169.254"):
        assert alarming not in preview["text"].replace(url, "")
    note = Note.objects.get()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert note.link_metadata == [{"url": url, "status": "refused"}]
    assert site.requests == []


def test_a_slow_site_costs_the_note_only_its_budget(telegram, deliver, archive, site, settings):
    settings.LINK_FETCH_TIMEOUT = 1.0
    site.stream("/slow", chunk=b"<", total_bytes=1000, delay=0.5)

    deliver(link_message(site.url("/slow"), message_id=304))

    note = Note.objects.get()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert note.link_metadata == [{"url": site.url("/slow"), "status": "failed"}]
    assert preview_of(telegram)["chat_id"] == ALICE_CHAT


def test_every_link_of_a_forward_is_previewed(telegram, deliver, archive, site):
    site.page("/one", "<title>Первая страница</title>")
    site.page("/two", "<title>Вторая страница</title>")
    one, two = site.url("/one"), site.url("/two")
    text = f"Две ссылки: {one} и ещё"
    entities = [
        {"type": "url", "offset": 12, "length": len(one)},
        {"type": "text_link", "offset": 12 + len(one) + 3, "length": 3, "url": two},
    ]
    forward = {
        "type": "channel",
        "chat": {"id": -1001234, "title": "Канал", "type": "channel", "username": "chan"},
        "message_id": 7,
        "date": 1_700_000_000,
    }

    deliver(private_text(text, message_id=305, entities=entities, forward_origin=forward))

    text = preview_of(telegram)["text"]
    assert "Первая страница" in text
    assert "Вторая страница" in text
    assert [link["title"] for link in Note.objects.get().link_metadata or []] == [
        "Первая страница",
        "Вторая страница",
    ]
