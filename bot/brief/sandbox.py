"""A Jinja sandbox for the user's own templates, with bounded time and output.

Jinja's `SandboxedEnvironment` keeps a template away from Python's internals and caps
`range()`; it does not bound the work a template does. Here every block a template runs (each
loop pass, each branch, each macro call) checks a deadline, numbers that would make huge values
(`"x" * 10**9`, `10 ** 10 ** 10`, `"%0999999999d"`) are refused, and the output stops at
`MAX_OUTPUT` characters. Any violation raises `TemplateBudget`."""

from __future__ import annotations

import contextvars
import math
import re
import time
from collections.abc import Callable
from typing import Any

from jinja2.compiler import CodeGenerator
from jinja2.sandbox import SandboxedEnvironment, SecurityError

MAX_SECONDS = 2.0
MAX_OUTPUT = 200_000  # characters: fifty Telegram messages
MAX_NUMBER_ARGUMENT = 100_000  # widths, counts and repeats handed to filters and calls
_WIDE_FORMAT = re.compile(r"\d{6,}")  # a width or precision of a million characters or more

_deadline: contextvars.ContextVar[float] = contextvars.ContextVar("deadline", default=math.inf)


class TemplateBudget(SecurityError):
    """A user template took too long or said too much."""


class _CheckingCodeGenerator(CodeGenerator):
    """Compiles a call of `environment.tick()` into the start of every block."""

    def blockvisit(self, nodes: Any, frame: Any) -> None:
        self.writeline("environment.tick()")
        super().blockvisit(nodes, frame)


class BoundedSandbox(SandboxedEnvironment):
    code_generator_class = _CheckingCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%"})

    def tick(self) -> None:
        if time.monotonic() > _deadline.get():
            raise TemplateBudget(f"took longer than {MAX_SECONDS:g} s")

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*" and _repeats(left, right):
            _check_size(len(left) * right if isinstance(left, str | list | tuple) else 0)
            _check_size(len(right) * left if isinstance(right, str | list | tuple) else 0)
        if operator_ == "**" and _huge_power(left, right):
            raise TemplateBudget(f"number too large: {left} ** {right}")
        if operator_ == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise TemplateBudget("format width too large")
        return super().call_binop(context, operator_, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_arguments(args, kwargs)
        if getattr(__obj, "__name__", "") in ("format", "format_map"):
            owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", "")
            if isinstance(owner, str) and _WIDE_FORMAT.search(owner):
                raise TemplateBudget("format width too large")
        return super().call(__context, __obj, *args, **kwargs)

    def guard_filters(self) -> None:
        """Wrap every filter so that huge numeric arguments are refused (`center(10**9)`)."""
        for name, function in list(self.filters.items()):
            self.filters[name] = _checked(function, name == "format")


def render_bounded(render: Callable[[], Any]) -> str:
    """Run `template.generate` (given as `render`) within the time and output budget."""
    token = _deadline.set(time.monotonic() + MAX_SECONDS)
    try:
        pieces, size = [], 0
        for piece in render():
            size += len(piece)
            if size > MAX_OUTPUT:
                raise TemplateBudget(f"more than {MAX_OUTPUT} characters of output")
            pieces.append(piece)
        return "".join(pieces)
    finally:
        _deadline.reset(token)


def _checked(function: Callable[..., Any], is_format: bool = False) -> Callable[..., Any]:
    value_at = 1 if hasattr(function, "jinja_pass_arg") else 0  # after a context, if passed

    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[value_at + 1 :], kwargs)  # the value filtered may be any size
        value = args[value_at] if len(args) > value_at else None
        if is_format and isinstance(value, str) and _WIDE_FORMAT.search(value):
            raise TemplateBudget("format width too large")
        return function(*args, **kwargs)

    for attribute in ("jinja_pass_arg", "__name__", "__doc__"):  # Jinja reads the first
        if hasattr(function, attribute):
            setattr(checked, attribute, getattr(function, attribute))
    return checked


def _check_arguments(args: tuple, kwargs: dict) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and abs(value) > MAX_NUMBER_ARGUMENT:
            raise TemplateBudget(f"number too large for a template: {value}")


def _huge_power(base: Any, exponent: Any) -> bool:
    """More than 10,000 bits: `10 ** 10 ** 10` would compute for hours."""
    if not (isinstance(base, int) and isinstance(exponent, int)):
        return False
    return exponent > 0 and abs(base) > 1 and exponent * abs(base).bit_length() > 10_000


def _repeats(left: Any, right: Any) -> bool:
    sequences = str | list | tuple
    return (isinstance(left, sequences) and isinstance(right, int)) or (
        isinstance(right, sequences) and isinstance(left, int)
    )


def _check_size(size: int) -> None:
    if size > MAX_OUTPUT:
        raise TemplateBudget(f"value too large: {size} items")
