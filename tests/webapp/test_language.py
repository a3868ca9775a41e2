"""The owner's language holds for their request only."""

from django.utils import translation

from tests.webapp.initdata import signed_init_data, tma


def test_the_owners_language_does_not_outlive_the_request(client, telegram, db):
    with translation.override("en"):
        response = client.get("/api/v1/me/", headers=tma(signed_init_data()))
        assert response.json()["language"] == "ru"
        assert translation.get_language() == "en"
