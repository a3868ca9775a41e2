from django.utils import translation

from notes.models import Note, NoteStatus


def test_model_names_speak_russian_from_the_compiled_catalog():
    with translation.override("ru"):
        assert str(Note._meta.verbose_name) == "заметка"
        assert str(NoteStatus.AWAITING_CONFIRMATION.label) == "Ждёт подтверждения"


def test_model_names_speak_english_by_default():
    with translation.override("en"):
        assert str(Note._meta.verbose_name) == "note"
