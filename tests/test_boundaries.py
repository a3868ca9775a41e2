"""The domain stands alone: `notes`, `topics` and `secretary` never import the Telegram side.

Arrows point from the interfaces (bot, API, admin, tasks, commands) inward. The one
exception is Telegram HTML, the product's format: `notes/telegram_html.py` may use
aiogram's text utilities (entities to HTML) — never a Bot, its errors or a dispatcher.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ("notes", "topics", "secretary")
TEXT_UTILITIES = ROOT / "notes" / "telegram_html.py"


def domain_modules():
    for package in DOMAIN:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imports_of(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in the file, function-local ones included."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return found


def forbidden(path: Path, module: str, names: list[str]) -> bool:
    top = module.split(".")[0]
    if top == "telegram_bot":
        return True
    if top != "aiogram":
        return False
    if path != TEXT_UTILITIES:
        return True
    return not (
        module.startswith("aiogram.utils")
        or (module, names) == ("aiogram.types", ["MessageEntity"])
    )


@pytest.mark.parametrize("path", list(domain_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_does_not_import_the_telegram_side(path):
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module} {names or ''}".strip()
        for line, module, names in imports_of(path)
        if forbidden(path, module, names)
    ]
    assert wrong == []


def test_the_check_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    from telegram_bot.client import with_bot\n    import aiogram.exceptions\n"
    )
    assert [forbidden(sample, module, names) for _, module, names in imports_of(sample)] == [
        True,
        True,
    ]
    assert not forbidden(TEXT_UTILITIES, "aiogram.utils.text_decorations", ["html_decoration"])
    assert forbidden(TEXT_UTILITIES, "aiogram", ["Bot"])


def bot_api_names() -> set[str]:
    """Every Bot API method aiogram's Bot has, and the shortcuts its types offer for them."""
    from aiogram import Bot
    from aiogram.types import CallbackQuery, Message

    methods = {name for name in vars(Bot) if not name.startswith("_") and name != "context"}
    shortcuts = {
        name
        for kind in (Message, CallbackQuery)
        for name, value in vars(kind).items()
        if callable(value) and not name.startswith("_") and not name.startswith("model_")
    }
    return methods | shortcuts


def _is_gateway_or_session(receiver: ast.expr) -> bool:
    """A call through the gateway itself, or an HTTP session's own close()."""
    text = ast.unparse(receiver)
    return text == "gateway" or text == "super()" or text.endswith("session")


def test_only_the_gateway_calls_the_bot_api():
    names = bot_api_names()
    wrong = []
    for path in sorted((ROOT / "telegram_bot").rglob("*.py")):
        if path.name == "gateway.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Await)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr in names
                and not _is_gateway_or_session(node.value.func.value)
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.value.func.attr}()")
    assert wrong == []
