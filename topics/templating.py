"""The engine of format templates: Django's syntax, bounded in time and memory while it renders.

An owner's template runs on the worker (filing) and in the web process (the live
preview), so whatever it says, one rendering must stay cheap. Django's engine
has no such bounds, so this one adds them where the work happens:

- **output**: every node that writes text (text, a variable, ``{% cycle %}``…)
  charges what it writes; past ``limit`` characters rendering stops there,
  nothing longer is ever built and cut afterwards;
- **values**: every filter's input, argument and result is measured; a value
  longer than ``limit`` stops rendering, and widths (``ljust``, ``center``,
  ``stringformat``, ``floatformat``) and ``join`` are checked *before* the
  filter builds anything;
- **loops**: ``for`` over text (character by character) is refused, a loop
  goes round at most ``MAX_LOOP_ITEMS`` times and loops nest at most
  ``MAX_LOOP_NESTING`` deep; blocks of any kind nest at most ``MAX_NESTING`` deep;
- **steps**: nodes rendered, loop rounds and filter calls together stay under
  ``MAX_STEPS``, the characters filters read and write under ``WORK_FACTOR`` ×
  ``limit``, and the whole under ``DEADLINE_SECONDS`` as a last resort;
- **no methods**: ``{{ text.encode.hex }}`` would call methods that grow text
  without a filter; names of methods of the values templates see are refused
  when the template is compiled.

Tags that reach outside the note (``load``, ``include``, ``extends``, ``debug``,
``url``, ``csrf_token``, ``querystring``) or make text from nothing (``lorem``)
or call templates within templates (``partial``) are not available.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as daytime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.template import (
    Context,
    Engine,
    Library,
    Template,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import (
    DebugLexer,
    FilterExpression,
    Lexer,
    Node,
    NodeList,
    Parser,
    Token,
    Variable,
)
from django.utils.functional import Promise

# Telegram takes 4,096 characters a message; a note may add this much to its own length.
OUTPUT_MARGIN = 4 * 4096
MAX_SOURCE = 8000
MAX_LOOP_ITEMS = 100
MAX_LOOP_NESTING = 2
MAX_NESTING = 16
MAX_STEPS = 10_000
WORK_FACTOR = 32
DEADLINE_SECONDS = 0.25

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)  # and ``for``, bounded
UNAVAILABLE_TAGS = (
    "load",
    "include",
    "extends",
    "block",
    "debug",
    "ssi",
    "url",
    "csrf_token",
    "querystring",
    "lorem",
    "partialdef",
    "partial",
)
# Filters whose argument is a width or a precision: the result is as long as it says.
_SIZED_FILTERS = frozenset({"ljust", "rjust", "center", "stringformat", "floatformat"})
_NUMBER = re.compile(r"\d+")


class TemplateTooCostly(Exception):
    """A bound of the engine was hit; ``reason`` says which (see ``Bound``)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class Bound:
    """The reasons of ``TemplateTooCostly``."""

    SOURCE = "source"  # the template itself is too long
    OUTPUT = "output"  # the result would be too long
    VALUE = "value"  # a value inside (a filter's result) would be too long
    WIDTH = "width"  # a width or precision larger than the output may be
    LOOP_OVER_TEXT = "loop_over_text"
    LOOP_ITEMS = "loop_items"
    LOOP_NESTING = "loop_nesting"
    NESTING = "nesting"
    METHOD = "method"
    STEPS = "steps"  # too much work (steps, characters processed or time)


@dataclass
class _Budget:
    limit: int
    deadline: float
    steps: int = 0
    output: int = 0
    work: int = 0
    exceeded: TemplateTooCostly | None = field(default=None)

    def fail(self, reason: str, detail: str = "") -> TemplateTooCostly:
        # Remembered: Django's {% if %} swallows exceptions raised in its conditions.
        if self.exceeded is None:
            self.exceeded = TemplateTooCostly(reason, detail)
        return self.exceeded

    def step(self, count: int = 1) -> None:
        if self.exceeded is not None:
            raise self.exceeded
        self.steps += count
        if self.steps > MAX_STEPS or time.monotonic() > self.deadline:
            raise self.fail(Bound.STEPS)

    def emit(self, characters: int) -> None:
        self.output += characters
        if self.output > self.limit:
            raise self.fail(Bound.OUTPUT)

    def measure(self, value: object) -> int:
        size = value_size(value, self.limit)
        if size > self.limit:
            raise self.fail(Bound.VALUE)
        return size

    def process(self, characters: int) -> None:
        self.work += characters
        if self.work > WORK_FACTOR * self.limit:
            raise self.fail(Bound.STEPS)


_budget: ContextVar[_Budget | None] = ContextVar("format_template_budget", default=None)


def _current() -> _Budget:
    budget = _budget.get()
    if budget is None:
        raise RuntimeError("format templates render only through render_bounded()")
    return budget


def value_size(value: object, cap: int) -> int:
    """About how many characters ``value`` takes as text; counting stops past ``cap``."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return value.bit_length() // 3 + 1
    if isinstance(value, Decimal):
        return _decimal_size(value)
    if isinstance(value, dict):
        return _items_size([*value.keys(), *value.values()], cap)
    if isinstance(value, list | tuple | set | frozenset):
        return _items_size(value, cap)
    if isinstance(value, Promise):
        return len(str(value))
    return 1  # dates, numbers: short


def _items_size(items: Iterable[object], cap: int) -> int:
    total = 0
    for item in items:
        total += 1 + value_size(item, cap - total)
        if total > cap:
            break
    return total


def _decimal_size(value: Decimal) -> int:
    if not value.is_finite():
        return 3
    exponent = value.as_tuple().exponent
    return len(value.as_tuple().digits) + abs(exponent if isinstance(exponent, int) else 0)


# -- nodes -------------------------------------------------------------------------------


class _Metered:
    """Mixed into every node of a format template: a step each, and what it writes."""

    writes = True  # a node without child node lists: its output is its own

    def render_annotated(self, context: Context) -> str:
        budget = _current()
        budget.step()
        output: str = super().render_annotated(context)  # type: ignore[misc]
        if self.writes:
            budget.emit(len(output))
        elif len(output) > budget.limit:  # made of its children's, already counted
            raise budget.fail(Bound.OUTPUT)
        return output


@functools.cache
def _metered(kind: type[Node]) -> type[Node]:
    return type(kind.__name__, (_Metered, kind), {})


class _BoundedSequence:
    """What a ``for`` loops over: never text, never more than ``MAX_LOOP_ITEMS`` items."""

    def __init__(self, expression: FilterExpression) -> None:
        self.expression = expression

    def resolve(self, context: Context, ignore_failures: bool = False) -> Any:
        values = self.expression.resolve(context, ignore_failures)
        budget = _current()
        if isinstance(values, str | bytes):
            raise budget.fail(Bound.LOOP_OVER_TEXT, str(self.expression))
        if values is None:
            return values
        if not hasattr(values, "__len__"):
            values = [item for _, item in zip(range(MAX_LOOP_ITEMS + 1), values, strict=False)]
        if len(values) > MAX_LOOP_ITEMS:
            raise budget.fail(Bound.LOOP_ITEMS, str(self.expression))
        budget.step(len(values))
        return values

    def __str__(self) -> str:
        return str(self.expression)


def _bounded_for(parser: Parser, token: Token) -> Node:
    depth = getattr(parser, "loop_depth", 0) + 1
    if depth > MAX_LOOP_NESTING:
        raise TemplateTooCostly(Bound.LOOP_NESTING)
    parser.loop_depth = depth  # type: ignore[attr-defined]
    try:
        node: Any = defaulttags.do_for(parser, token)
    finally:
        parser.loop_depth = depth - 1  # type: ignore[attr-defined]
    node.sequence = _BoundedSequence(node.sequence)
    return node


# -- filters and variables ---------------------------------------------------------------


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)  # keeps is_safe, needs_autoescape… and the signature Django checks
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _current()
        budget.step()
        size = budget.measure(value) + sum(budget.measure(arg) for arg in args)
        _check_growth(name, value, args, budget)
        result = func(value, *args, **kwargs)
        budget.process(size + budget.measure(result))
        return result

    return bounded


def _check_growth(name: str, value: Any, args: tuple[Any, ...], budget: _Budget) -> None:
    """Filters whose result can be far longer than what they are given: checked first."""
    numbers = _NUMBER.findall(str(args[0])) if name in _SIZED_FILTERS and args else []
    if any(int(number) > budget.limit for number in numbers):
        raise budget.fail(Bound.WIDTH, name)
    if name == "floatformat":
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return
        if _decimal_size(number) > budget.limit:
            raise budget.fail(Bound.WIDTH, name)
    # Each item joined gets the separator: the result is about n × |separator| + the items.
    joined = name == "join" and args and isinstance(value, list | tuple)
    if joined and len(value) * value_size(args[0], budget.limit) > budget.limit:
        raise budget.fail(Bound.VALUE, name)


# Names of methods of the values a template sees: ``{{ text.encode.hex }}`` would call
# them. ``title`` (a link's) and the dict views stay: their results are no longer.
_METHODS = frozenset(
    name
    for kind in (str, bytes, list, tuple, dict, int, float, bool, datetime, date, daytime)
    for name in dir(kind)
    if not name.startswith("_") and callable(getattr(kind, name))
) - {"title", "items", "keys", "values"}
_METHODS |= frozenset(dir(timedelta)) - {"days", "seconds", "microseconds"}


def _check_lookups(expression: FilterExpression) -> None:
    variables = [expression.var]
    variables += [arg for _, args in expression.filters for lookup, arg in args if lookup]
    for variable in variables:
        if isinstance(variable, Variable) and variable.lookups:
            for bit in variable.lookups[1:]:
                if bit in _METHODS:
                    raise TemplateTooCostly(Bound.METHOD, str(variable.var))


# -- the engine --------------------------------------------------------------------------


class _BoundedParser(Parser):
    def parse(self, parse_until: Iterable[str] | None = None) -> NodeList:
        self.depth = getattr(self, "depth", 0) + 1
        try:
            if self.depth > MAX_NESTING:
                raise TemplateTooCostly(Bound.NESTING)
            return super().parse(parse_until)
        finally:
            self.depth -= 1

    def extend_nodelist(self, nodelist: NodeList, node: Node, token: Token) -> None:
        writes = not any(
            isinstance(getattr(node, name, None), NodeList) for name in node.child_nodelists
        )
        node.__class__ = _metered(type(node))  # type: ignore[arg-type]
        node.writes = writes  # type: ignore[attr-defined]
        super().extend_nodelist(nodelist, node, token)

    def compile_filter(self, token: str) -> FilterExpression:
        expression = super().compile_filter(token)
        _check_lookups(expression)
        return expression


class _BoundedTemplate(Template):
    def compile_nodelist(self) -> NodeList:
        # Django's, with the bounded parser.
        lexer = DebugLexer(self.source) if self.engine.debug else Lexer(self.source)
        parser = _BoundedParser(
            lexer.tokenize(),
            self.engine.template_libraries,
            self.engine.template_builtins,
            self.origin,
        )
        try:
            nodelist = parser.parse()
        except Exception as error:
            token = getattr(error, "token", None)
            if self.engine.debug and token is not None:
                error.template_debug = self.get_exception_info(error, token)  # type: ignore[attr-defined]
            raise
        self.extra_data = parser.extra_data
        return nodelist


def _library() -> Library:
    library = Library()
    for name in ALLOWED_TAGS:
        library.tags[name] = defaulttags.register.tags[name]
    library.tags["for"] = _bounded_for
    for name, func in defaultfilters.register.filters.items():
        library.filters[name] = _bounded_filter(name, func)
    return library


class FormatEngine(Engine):
    """No loaders, no libraries but the bounded one."""

    default_builtins: ClassVar[list[str]] = []

    def __init__(self, *, debug: bool = False) -> None:
        super().__init__(
            autoescape=True, debug=debug, loaders=[], libraries={}, string_if_invalid=""
        )

    def get_template_builtins(self, builtins: list[str]) -> list[Library]:
        return [_LIBRARY]

    def from_string(self, template_code: str) -> Template:
        if len(template_code) > MAX_SOURCE:
            raise TemplateTooCostly(Bound.SOURCE)
        forbidden = _UNAVAILABLE.search(template_code)
        if forbidden:
            raise TemplateSyntaxError(
                # Told apart by its first word: see ``unavailable_tag``.
                f"unavailable {forbidden.group(1)}"
            )
        return _BoundedTemplate(template_code, engine=self)


_UNAVAILABLE = re.compile(r"{%\s*(" + "|".join(UNAVAILABLE_TAGS) + r")\b")
_LIBRARY = _library()


def unavailable_tag(error: TemplateSyntaxError) -> str | None:
    """The tag a template may not use, if that is what ``error`` is about."""
    message = str(error.args[0]) if error.args else ""
    return message.removeprefix("unavailable ") if message.startswith("unavailable ") else None


def render_bounded(template: Template, variables: dict[str, Any], *, limit: int) -> str:
    """``template`` over ``variables``: at most ``limit`` characters, within every bound.

    Raises ``TemplateTooCostly`` as soon as a bound is hit (and whatever a filter raises).
    """
    budget = _Budget(limit=limit, deadline=time.monotonic() + DEADLINE_SECONDS)
    token = _budget.set(budget)
    try:
        output = template.render(Context(variables, autoescape=True))
    finally:
        _budget.reset(token)
    if budget.exceeded is not None:  # hit inside an {% if %} condition, which hid it
        raise budget.exceeded
    return output
