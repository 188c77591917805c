"""A small, safe expression language for quality checks over a report's field values.

No ``eval``: a tokenizer, a recursive-descent parser building a tiny AST of tuples, and an evaluator that
only knows the operators and functions listed here.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum_expr (("==" | "!=" | "<" | "<=" | ">" | ">=") sum_expr)?
    sum_expr   := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := NUMBER | STRING | "true" | "false" | NAME | NAME "(" args ")" | "(" expr ")"
    args       := (PATTERN | expr) ("," (PATTERN | expr))*      PATTERN is ``prefix_*``

Functions: ``sum(...)``, ``count(...)`` (how many of the fields are present), ``abs(x)``, ``min(...)``,
``max(...)``, ``if_present(a, b)`` (``a`` when it is present, otherwise ``b``). A pattern ``candidate_*``
stands for every known field starting with ``candidate_``.

A field that is missing (absent, ``None`` or ``""``) makes the whole check *not applicable* unless it sits
inside ``sum``/``count``/``if_present``; so does a division by zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PASS = "pass"  # noqa: S105 — an outcome, not a password
FAIL = "fail"
NOT_APPLICABLE = "na"

FUNCTIONS = {"sum", "count", "abs", "min", "max", "if_present"}
KEYWORDS = {"and", "or", "not", "true", "false"}
COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
MAX_LENGTH = 2000

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>\d+(?:\.\d+)?)
      | (?P<string>"[^"]*"|'[^']*')
      | (?P<pattern>[A-Za-z_][A-Za-z0-9_]*\*)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|,)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, pattern, name, op, end
    text: str
    pos: int


class NotApplicable(Exception):  # noqa: N818 — a signal, not an error
    """Raised inside evaluation when a needed value is missing."""


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise ValueError(f"unexpected character {source[pos]!r} at position {pos}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str, known_fields: set[str] | None):
        self.tokens = tokenize(source)
        self.i = 0
        self.known = known_fields

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        if self.tok.kind in ("op", "name") and self.tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise ValueError(f"expected {text!r} at position {self.tok.pos}, found {self._found()}")

    def _found(self) -> str:
        return "end of expression" if self.tok.kind == "end" else repr(self.tok.text)

    def parse(self):
        node = self.expr()
        if self.tok.kind != "end":
            raise ValueError(f"unexpected {self._found()} at position {self.tok.pos}")
        return node

    def expr(self):
        node = self.and_expr()
        while self.accept("or"):
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.accept("and"):
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self):
        if self.accept("not"):
            return ("not", self.not_expr())
        return self.comparison()

    def comparison(self):
        node = self.sum_expr()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.take().text
            node = ("cmp", op, node, self.sum_expr())
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise ValueError(f"chained comparison at position {self.tok.pos}: use 'and'")
        return node

    def sum_expr(self):
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in "+-":
            node = ("arith", self.take().text, node, self.product())
        return node

    def product(self):
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            node = ("arith", self.take().text, node, self.unary())
        return node

    def unary(self):
        if self.accept("-"):
            return ("neg", self.unary())
        return self.atom()

    def atom(self):
        tok = self.tok
        if tok.kind == "number":
            self.take()
            return ("const", float(tok.text) if "." in tok.text else int(tok.text))
        if tok.kind == "string":
            self.take()
            return ("const", tok.text[1:-1])
        if tok.kind == "name" and tok.text in ("true", "false"):
            self.take()
            return ("const", tok.text == "true")
        if tok.kind == "name" and tok.text in KEYWORDS:
            raise ValueError(f"unexpected {tok.text!r} at position {tok.pos}")
        if tok.kind == "name":
            self.take()
            if self.tok.kind == "op" and self.tok.text == "(":
                return self.call(tok)
            if self.known is not None and tok.text not in self.known:
                raise ValueError(f"unknown field {tok.text!r} at position {tok.pos}")
            return ("field", tok.text)
        if tok.kind == "pattern":
            raise ValueError(f"pattern {tok.text!r} at position {tok.pos} is only allowed inside sum() or count()")
        if self.accept("("):
            node = self.expr()
            self.expect(")")
            return node
        raise ValueError(f"unexpected {self._found()} at position {tok.pos}")

    def call(self, name: Token):
        if name.text not in FUNCTIONS:
            raise ValueError(f"unknown function {name.text!r} at position {name.pos}")
        self.expect("(")
        args = []
        if not (self.tok.kind == "op" and self.tok.text == ")"):
            while True:
                args.append(self.argument(name))
                if not self.accept(","):
                    break
        self.expect(")")
        if not args:
            raise ValueError(f"{name.text}() at position {name.pos} needs at least one argument")
        if name.text == "abs" and len(args) != 1:
            raise ValueError(f"abs() at position {name.pos} takes one argument")
        if name.text == "if_present" and len(args) != 2:
            raise ValueError(f"if_present() at position {name.pos} takes two arguments")
        return ("call", name.text, tuple(args))

    def argument(self, func: Token):
        tok = self.tok
        if tok.kind != "pattern":
            return self.expr()
        if func.text not in ("sum", "count"):
            raise ValueError(f"pattern {tok.text!r} at position {tok.pos} is only allowed inside sum() or count()")
        self.take()
        prefix = tok.text[:-1]
        if self.known is not None:
            matches = tuple(sorted(f for f in self.known if f.startswith(prefix)))
            if not matches:
                raise ValueError(f"pattern {tok.text!r} at position {tok.pos} matches no field")
            return ("fields", matches)
        return ("pattern", prefix)


def parse(source: str, known_fields: Iterable[str] | None = None):
    """Parse ``source`` into an AST; with ``known_fields`` every name must be one of them.

    Raises ``ValueError`` naming the position of the first problem.
    """
    if len(source) > MAX_LENGTH:
        raise ValueError(f"expression longer than {MAX_LENGTH} characters")
    if not source.strip():
        raise ValueError("empty expression at position 0")
    known = set(known_fields) if known_fields is not None else None
    return _Parser(source, known).parse()


def field_names(node) -> set[str]:
    """Every field an AST refers to (patterns already expanded)."""
    kind = node[0]
    if kind == "field":
        return {node[1]}
    if kind == "fields":
        return set(node[1])
    if kind == "call":
        return set().union(*(field_names(a) for a in node[2]))
    if kind in ("and", "or"):
        return field_names(node[1]) | field_names(node[2])
    if kind in ("not", "neg"):
        return field_names(node[1])
    if kind in ("cmp", "arith"):
        return field_names(node[2]) | field_names(node[3])
    return set()


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _coerce(value: Any) -> Any:
    """Numbers sent as text (XML submissions) compare as numbers; "true"/"false" (XForm booleans) as booleans."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            pass
        if text == "true":
            return True
        if text == "false":
            return False
    return value


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    raise NotApplicable


def _field_values(arg, values: Mapping[str, Any]) -> list[Any] | None:
    if arg[0] == "fields":
        return [values.get(name) for name in arg[1]]
    if arg[0] == "pattern":
        return [v for k, v in values.items() if k.startswith(arg[1])]
    return None


def _eval(node, values: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "field":
        value = values.get(node[1])
        if not _present(value):
            raise NotApplicable
        return _coerce(value)
    if kind == "neg":
        return -_number(_eval(node[1], values))
    if kind == "not":
        return not bool(_eval(node[1], values))
    if kind == "and":
        return bool(_eval(node[1], values)) and bool(_eval(node[2], values))
    if kind == "or":
        return bool(_eval(node[1], values)) or bool(_eval(node[2], values))
    if kind == "arith":
        left, right = _number(_eval(node[2], values)), _number(_eval(node[3], values))
        if node[1] == "+":
            return left + right
        if node[1] == "-":
            return left - right
        if node[1] == "*":
            return left * right
        if right == 0:
            raise NotApplicable
        return left / right
    if kind == "cmp":
        return _compare(node[1], _eval(node[2], values), _eval(node[3], values))
    if kind == "call":
        return _call(node[1], node[2], values)
    raise AssertionError(f"unknown node {kind}")  # pragma: no cover


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if isinstance(left, str) != isinstance(right, str):
        raise NotApplicable
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def _call(name: str, args: tuple, values: Mapping[str, Any]) -> Any:
    if name == "if_present":
        try:
            return _eval(args[0], values)
        except NotApplicable:
            return _eval(args[1], values)
    if name in ("sum", "count"):
        present: list[Any] = []
        for arg in args:
            many = _field_values(arg, values)
            if many is None:
                try:
                    present.append(_eval(arg, values))
                except NotApplicable:
                    continue
            else:
                present.extend(_coerce(v) for v in many if _present(v))
        if name == "count":
            return len(present)
        if not present:
            raise NotApplicable
        return sum(_number(v) for v in present)
    numbers = [_number(_eval(a, values)) for a in args]
    if name == "abs":
        return abs(numbers[0])
    return min(numbers) if name == "min" else max(numbers)


def evaluate(node, values: Mapping[str, Any]) -> str:
    """``PASS``, ``FAIL`` or ``NOT_APPLICABLE`` for a parsed expression over one report's values."""
    try:
        result = _eval(node, values)
    except NotApplicable:
        return NOT_APPLICABLE
    except (TypeError, OverflowError):
        return NOT_APPLICABLE
    return PASS if bool(result) else FAIL


def check(source: str, values: Mapping[str, Any]) -> str:
    """Parse and evaluate in one step (patterns match the report's own fields)."""
    return evaluate(parse(source), values)
