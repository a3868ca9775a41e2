"""How Telegram speaks and what it checks, for the fake Bot API (``tests.fakes.telegram``).

Error bodies, the HTML Telegram accepts in texts and captions, lengths as it
counts them, request parameters decoded the way aiogram encodes them, and the
methods, parameters and types of the Bot API (``tests/data/telegram-bot-api/spec.json``)
that every request is held to (``api_problem``).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

from tests.fakes.server import Request

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "telegram-bot-api" / "spec.json"

# Parameters that are free text: never JSON-decoded, even when they look like numbers.
_TEXT_PARAMS = frozenset(
    {"text", "caption", "name", "secret_token", "callback_query_id", "file_id", "url", "title"}
)
_ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "tg-emoji", "code", "pre", "blockquote", "tg-time",
    }
)  # fmt: skip
_TOKEN_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^<>]*)>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|([<>&])")
_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


@dataclass
class Call:
    """One Bot API call: the method and its decoded parameters."""

    method: str
    params: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def buttons(self) -> list[list[str]]:
        """Texts of the inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]

    @property
    def callback_data(self) -> list[str]:
        markup = self.params.get("reply_markup") or {}
        return [
            b["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]


def telegram_error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML, or None when it parses."""
    stack: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        closing, tag, _attrs, entity, bare = match.groups()
        if bare:
            return f"can't parse entities: unexpected {bare!r} at offset {match.start()}"
        if entity:
            if not entity.startswith("#") and entity not in _NAMED_ENTITIES:
                return f"can't parse entities: unsupported entity &{entity};"
            continue
        tag = tag.lower()
        if tag not in _ALLOWED_TAGS:
            return f'can\'t parse entities: Unsupported start tag "{tag}"'
        if closing:
            if not stack or stack[-1] != tag:
                return f"can't parse entities: Can't find end tag corresponding to \"{tag}\""
            stack.pop()
        else:
            stack.append(tag)
    if stack:
        return (
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return None


def visible_length(text: str, parse_mode: str | None) -> int:
    """Length in UTF-16 code units after entity parsing, as Telegram counts it."""
    if parse_mode == "HTML":
        text = unescape(re.sub(r"<[^<>]+>", "", text))
    return len(text.encode("utf-16-le")) // 2


NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_ADMIN_RIGHTS = (
    "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
    "can_post_stories", "can_edit_stories", "can_delete_stories", "can_send_welcome_messages",
    "can_pin_messages", "can_manage_topics",
)  # fmt: skip
_MEMBER_PERMISSIONS = (
    "is_member", "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
    "can_edit_tag", "can_change_info", "can_invite_users", "can_pin_messages",
    "can_manage_topics",
)  # fmt: skip
ADMIN_RIGHTS_OFF = dict.fromkeys(_ADMIN_RIGHTS, False)
RESTRICTED_DEFAULTS = dict.fromkeys(_MEMBER_PERMISSIONS, True) | {"until_date": 0}


def method_of(request: Request) -> str | None:
    """The method a Bot API request calls, spelled as the spec spells it when it is known.

    Telegram reads method names case-insensitively (``/bot…/sendmessage`` is sendMessage).
    """
    parts = request.path.strip("/").split("/")
    if len(parts) == 2 and parts[0].startswith("bot"):
        return known_method(parts[1]) or parts[1]
    return None


def api_args(request: Request) -> dict[str, str]:
    """The parameters of a Bot API request as Telegram reads them: every one a string.

    From the query string and the body (urlencoded, multipart, or a JSON object whose
    non-string values stand as their JSON text); a parameter in both is the query's.
    """
    args = dict(request.form)
    args.update({key: values[0] for key, values in request.query.items() if values})
    return args


def decoded(form: dict[str, str], method: str | None = None) -> dict[str, Any]:
    """The parameters with JSON values decoded (numbers, booleans, objects, arrays).

    Free text stays text: the parameters the method's spec types as String alone (all
    of a few well-known names when the method is not given), even when they look like JSON.
    """
    text_params = _string_params(method) if method else _TEXT_PARAMS
    params: dict[str, Any] = {}
    for key, value in form.items():
        if key in text_params:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def photo_object(file_id: str) -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960}


def file_object(file_id: str, **extra: Any) -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": f"u-{file_id}", **extra}


# -- the Bot API as the spec describes it ------------------------------------------------------
#
# Telegram reads every parameter as a string (a JSON body's non-string values as their JSON
# text) and parses it by the parameter's type: so 5, "5" and a multipart "5" are one Integer,
# true and "true" one Boolean, an object and its JSON text one reply_markup. Inside those JSON
# objects it is stricter: an Integer field is a JSON number or a string of one, a String field a
# string or a number, a Boolean field true or false, a Float field a number.

_SCALARS = frozenset({"Integer", "String", "Boolean", "Float", "InputFile", "True"})
_INT_PARAM = re.compile(r"-?\d+")  # what Telegram's to_integer reads whole
_INT_FIELD = re.compile(r"0|-?[1-9]\d*")  # to_integer_safe: the canonical spelling only
_INT64 = range(-(2**63), 2**63)
_BOOLEANS = frozenset({"true", "false", "1", "0", "yes", "no"})
_DISCRIMINATOR = re.compile(r"(?:must be|always) [\"'“]?(?!one of)([a-z_]+)")
_ATTACH = "attach://"
_READ_AS_NONE = frozenset({"Integer", "Boolean", "Float", "True"})
# Telegram's own words for a missing parameter; any other is 'parameter "x" is required'.
_MISSING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "message_ids": "message identifiers are not specified",
    "user_id": "invalid user_id specified",
    "file_id": "file_id not specified",
    **{
        kind: f"there is no {kind.replace('_', ' ')} in the request"
        for kind in (
            "animation", "audio", "document", "photo", "sticker", "video", "video_note", "voice",
        )
    },
}  # fmt: skip
# How Telegram names a JSON parameter it cannot parse ("can't parse <label> JSON object").
_JSON_LABELS = {
    "reply_markup": "reply keyboard markup",
    "reply_parameters": "reply parameters",
    "link_preview_options": "link preview options",
    "suggested_post_parameters": "suggested post parameters",
    "scope": "BotCommandScope",
    "reaction": "reaction types",
    "permissions": "permissions",
    "menu_button": "menu button",
    "rights": "ChatAdministratorRights",
    "mask_position": "mask position",
}
_OBJECT_LABELS = {
    "reply_markup": "reply markup",
    "reply_parameters": "reply parameters",
    "link_preview_options": "link preview options",
    "suggested_post_parameters": "suggested post parameters",
    "permissions": "permissions",
}


@functools.cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


@functools.cache
def _methods_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in _spec()["methods"]}


def known_method(name: str) -> str | None:
    """The method's name as the spec spells it, or None when the Bot API has no such method."""
    return _methods_by_lower_name().get(name.lower())


@functools.cache
def _params(method: str) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in _spec()["methods"][method]["fields"]}


@functools.cache
def _string_params(method: str) -> frozenset[str]:
    if known_method(method) != method:
        return _TEXT_PARAMS
    return frozenset(
        name
        for name, field in _params(method).items()
        if set(field["types"]) <= {"String", "InputFile"}
    )


@functools.cache
def _type_fields(name: str) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in _spec()["types"][name].get("fields", [])}


@functools.cache
def _discriminator(name: str) -> tuple[str, str] | None:
    """(field, value) that tells this type apart from its siblings: ("type", "photo")…"""
    for key in ("type", "source", "status"):
        field = _type_fields(name).get(key)
        if field and field["required"] and (match := _DISCRIMINATOR.search(field["description"])):
            return key, match.group(1)
    return None


class _Refused(Exception):
    """A value Telegram would not take; ``where`` names the object it was parsing."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where


def api_problem(method: str, args: dict[str, str], files: frozenset[str]) -> str | None:
    """Why Telegram refuses these parameters of ``method`` ("Bad Request: …"), or None.

    ``args`` are the parameters as Telegram reads them (``api_args``), ``files`` the names of
    the uploaded file parts. Refused: a required parameter that is missing or empty (Telegram
    reads an empty value, or a JSON null number or boolean, as none); a value that is not of
    its parameter's type (an Integer, Float or Boolean that does not read as one, a chat that
    is neither an id nor an @username, an ``attach://`` to no uploaded file, JSON that does
    not parse or whose objects do not match their types, fields included); then a parameter
    the method does not have (but a file part that a value attaches). Telegram itself ignores
    unknown parameters and fields, and reads a malformed Integer or Boolean as 0 or False:
    the fake refuses them, as the bugs they are.
    """
    params = _params(method)
    for name, field in params.items():
        value = args.get(name, "")
        if value == "null" and set(field["types"]) <= _READ_AS_NONE:
            value = ""  # a JSON null, which Telegram reads as 0 or False: as not given
        if value == "":
            if field["required"]:
                return f"Bad Request: {_MISSING.get(name, f'parameter "{name}" is required')}"
            continue
        try:
            _check_param(name, field["types"], value, files)
        except _Refused as refused:
            where = f"can't parse {refused.where}: " if refused.where else ""
            message = f"{where}{refused.message}"
            return f"Bad Request: {message[:1].lower()}{message[1:]}"
    attached = {name for value in args.values() for name in _attachments(value)}
    for name in args:
        if name not in params and not (name in attached and name in files):
            return f'Bad Request: parameter "{name}" is unknown'
    return None


def _attachments(value: str) -> Iterator[str]:
    """Names of the file parts that a parameter's value attaches (``attach://<name>``)."""
    if _ATTACH not in value:
        return
    if value.startswith(_ATTACH):
        yield value.removeprefix(_ATTACH)
        return
    try:
        stack = [json.loads(value)]
    except ValueError:
        return
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith(_ATTACH):
            yield item.removeprefix(_ATTACH)


def _check_param(name: str, types: list[str], value: str, files: frozenset[str]) -> None:
    kinds = set(types)
    if kinds == {"Integer", "String"}:  # a chat: its id or its @username
        if not (_INT_PARAM.fullmatch(value) or (value.startswith("@") and len(value) > 1)):
            raise _Refused("chat not found")
        return
    if kinds <= {"String", "InputFile"}:
        if value.startswith(_ATTACH) and value.removeprefix(_ATTACH) not in files:
            raise _Refused(_MISSING.get(name, f'parameter "{name}" is required'))
        if kinds == {"InputFile"} and name not in files and not value.startswith(_ATTACH):
            raise _Refused(_MISSING.get(name, f"there is no {name} in the request"))
        return
    if kinds == {"Integer"}:
        if not _INT_PARAM.fullmatch(value):
            raise _Refused(f'parameter "{name}" must be a valid Integer')
        return
    if kinds == {"Float"}:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise _Refused(f'parameter "{name}" must be a valid Number')
        return
    if kinds <= {"Boolean", "True"}:
        if value.strip().lower() not in _BOOLEANS:
            raise _Refused(f'parameter "{name}" must be a Boolean')
        return
    # A JSON-serialized object or array.
    try:
        parsed = json.loads(value)
    except ValueError:
        raise _Refused(f"can't parse {_JSON_LABELS.get(name, name)} JSON object") from None
    if all(kind.startswith("Array of ") for kind in kinds):
        if not isinstance(parsed, list):
            items = [kind.removeprefix("Array of ") for kind in types]
            raise _Refused(f"expected an Array of {_family(items)}")
    elif not isinstance(parsed, dict):
        raise _Refused(f"object expected as {_OBJECT_LABELS.get(name, name)}")
    _check_field(name, types, parsed, files, where="")


def _check_field(
    name: str, types: list[str], value: Any, files: frozenset[str], *, where: str
) -> None:
    """Hold one value inside a JSON parameter to its types, as Telegram parses JSON fields."""
    if all(kind.startswith("Array of ") for kind in types):
        if not isinstance(value, list):
            raise _Refused(f'Field "{name}" must be of type Array', where)
        items = [kind.removeprefix("Array of ") for kind in types]
        for item in value:
            _check_field(name, items, item, files, where=where)
        return
    kinds = set(types)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kinds & {"String", "InputFile"}:
        if isinstance(value, str):
            if value.startswith(_ATTACH) and value.removeprefix(_ATTACH) not in files:
                raise _Refused(f"{name} not found", where)
            return
        if is_number:
            return
    if "Integer" in kinds:
        if isinstance(value, int) and not isinstance(value, bool) and value in _INT64:
            return
        if isinstance(value, str) and _INT_FIELD.fullmatch(value) and int(value) in _INT64:
            return
        if kinds == {"Integer"}:
            problem = "must be a valid Number" if is_number or isinstance(value, str) else None
            raise _Refused(f'Field "{name}" {problem or "must be a Number"}', where)
    if kinds & {"Boolean", "True"} and isinstance(value, bool):
        return
    if "Float" in kinds and is_number:
        return
    if "KeyboardButton" in kinds and isinstance(value, str):
        return  # Telegram takes a plain text button as its text
    objects = [kind for kind in types if kind not in _SCALARS]
    if not objects:
        wanted = {"Boolean": "Boolean", "True": "Boolean", "Float": "Number"}
        kind = wanted.get(types[0], "String")
        raise _Refused(f'Field "{name}" must be of type {kind}', where)
    if not isinstance(value, dict):
        raise _Refused(f'Field "{name}" must be of type Object', where)
    _check_object(_object_type(objects, value, files), value, files)


def _object_type(candidates: list[str], value: dict[str, Any], files: frozenset[str]) -> str:
    """Which of these object types ``value`` is: by its "type" (or alike), else by its fields."""
    concrete: list[str] = []
    for name in candidates:
        concrete.extend(_spec()["types"][name].get("subtypes", [name]))
    if len(concrete) == 1:
        return concrete[0]
    tags = {name: _discriminator(name) for name in concrete}
    if all(tags.values()):
        key = next(tag[0] for tag in tags.values() if tag)
        for name, tag in tags.items():
            if tag and value.get(key) == tag[1]:
                return name
        label = _family(concrete)
        if key not in value:
            raise _Refused(f'Can\'t find field "{key}"', label)
        raise _Refused(f'unsupported {key} "{value[key]}" specified', label)
    # No tag (reply markups, message contents): the first type it fits, else the nearest.
    for name in concrete:
        try:
            _check_object(name, value, files)
        except _Refused:
            continue
        return name

    def fit(name: str) -> tuple[int, int]:
        fields = _type_fields(name)
        required = [key for key, field in fields.items() if field["required"]]
        return sum(key in value for key in required), sum(key in fields for key in value)

    return max(concrete, key=fit)


@functools.cache
def _families() -> dict[frozenset[str], str]:
    return {
        frozenset(kind["subtypes"]): name
        for name, kind in _spec()["types"].items()
        if kind.get("subtypes")
    }


def _family(concrete: list[str]) -> str:
    """The name Telegram gives these types together: the smallest abstract type over them."""
    members = set(concrete)
    families = [
        (len(subtypes), name) for subtypes, name in _families().items() if members <= subtypes
    ]
    return min(families)[1] if families else concrete[0]


def _check_object(name: str, value: dict[str, Any], files: frozenset[str]) -> None:
    fields = _type_fields(name)
    if not fields:  # a type with no fields, such as CallbackGame: nothing to hold it to
        return
    for key in value:
        if key not in fields:
            raise _Refused(f'Field "{key}" is unknown', name)
    for key, field in fields.items():
        if key not in value:
            if field["required"]:
                raise _Refused(f'Can\'t find field "{key}"', name)
            continue
        _check_field(key, field["types"], value[key], files, where=name)
    if (tag := _discriminator(name)) and value.get(tag[0]) != tag[1]:
        raise _Refused(f'Field "{tag[0]}" must be "{tag[1]}"', name)
