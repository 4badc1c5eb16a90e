"""A small, safe formula language for computed indicators.

Grammar (parsed by hand; nothing is ever passed to ``eval``)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("+" | "-") unary | primary
    primary := NUMBER | CODE | FUNC "(" [expr ("," expr)*] ")" | "(" expr ")"

- ``×`` and ``÷`` are accepted for ``*`` and ``/``; ``−`` (U+2212) for ``-``.
- NUMBER uses a dot for decimals: ``12.5``, ``1e3``.
- CODE is an indicator code. Codes are slugs and may contain hyphens, dots and underscores
  (``de-share-gdp``), so subtraction between two codes needs spaces: ``a - b``. Any code can
  also be written in braces: ``{de-share-gdp}``.
- FUNC is one of ``sum``, ``min``, ``max`` (at least one argument; ``;`` may separate
  arguments too).

Evaluation of a missing input, or a division by zero, gives a *missing* result with the reason
rather than an exception. Cycles between formulas are reported with the path that closes them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

MAX_LENGTH = 4000
MAX_DEPTH = 64

_FUNCTIONS: dict[str, Callable[[list[float]], float]] = {
    "sum": lambda xs: math.fsum(xs),
    "min": min,
    "max": max,
}


class FormulaError(ValueError):
    """A formula cannot be parsed or checked; Vietnamese and English messages, position."""

    def __init__(self, message_vi: str, message_en: str, *, position: int | None = None) -> None:
        where = f" (vị trí/position {position})" if position is not None else ""
        super().__init__(f"{message_vi} / {message_en}{where}")
        self.message_vi = message_vi
        self.message_en = message_en
        self.position = position


class FormulaCycleError(FormulaError):
    def __init__(self, cycle: list[str]) -> None:
        path = " → ".join(cycle)
        super().__init__(
            f"Công thức tham chiếu vòng tròn: {path}",
            f"Circular formula reference: {path}",
        )
        self.cycle = cycle


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node: TypeAlias = Num | Ref | Neg | BinOp | Call


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    kind: str  # num, code, op, lparen, rparen, comma, end
    text: str
    pos: int


_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_CODE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*")
_BRACED_RE = re.compile(r"\{\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*\}")
_OPS = {"+": "+", "-": "-", "−": "-", "*": "*", "×": "*", "/": "/", "÷": "/"}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _OPS:
            tokens.append(_Token("op", _OPS[ch], i))
            i += 1
        elif ch == "(":
            tokens.append(_Token("lparen", ch, i))
            i += 1
        elif ch == ")":
            tokens.append(_Token("rparen", ch, i))
            i += 1
        elif ch in ",;":
            tokens.append(_Token("comma", ch, i))
            i += 1
        elif ch == "{":
            m = _BRACED_RE.match(text, i)
            if not m:
                raise FormulaError(
                    "Mã chỉ tiêu trong dấu {} không hợp lệ",
                    "Invalid indicator code in braces",
                    position=i,
                )
            tokens.append(_Token("code", m.group(1), i))
            i = m.end()
        elif (m := _NUMBER_RE.match(text, i)) is not None:
            end = m.end()
            if end < len(text) and (text[end].isalpha() or text[end] == "_"):
                raise FormulaError(
                    f"Số viết sai: '{text[i : end + 1]}…'",
                    f"Malformed number: '{text[i : end + 1]}…'",
                    position=i,
                )
            tokens.append(_Token("num", m.group(0), i))
            i = end
        elif (m := _CODE_RE.match(text, i)) is not None:
            tokens.append(_Token("code", m.group(0), i))
            i = m.end()
        else:
            raise FormulaError(
                f"Ký tự không được phép: '{ch}'", f"Character not allowed: '{ch}'", position=i
            )
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(
                f"Công thức lồng nhau quá sâu (tối đa {MAX_DEPTH} mức)",
                f"Formula nested too deeply (at most {MAX_DEPTH} levels)",
                position=self.tok.pos,
            )

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise FormulaError("Công thức trống", "Empty formula", position=0)
        node = self.expr()
        if self.tok.kind != "end":
            raise FormulaError(
                f"Thừa '{self.tok.text}' sau biểu thức",
                f"Unexpected '{self.tok.text}' after the expression",
                position=self.tok.pos,
            )
        return node

    def expr(self) -> Node:
        self.enter()
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance().text
            node = BinOp(op, node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.advance().text
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance().text
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand) if op == "-" else operand
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return Num(float(tok.text))
        if tok.kind == "code":
            self.advance()
            if self.tok.kind == "lparen":
                return self.call(tok)
            return Ref(tok.text)
        if tok.kind == "lparen":
            self.advance()
            node = self.expr()
            self.expect_rparen(tok.pos)
            return node
        if tok.kind == "end":
            raise FormulaError(
                "Công thức kết thúc giữa chừng", "Formula ends unexpectedly", position=tok.pos
            )
        raise FormulaError(
            f"Không mong đợi '{tok.text}'", f"Unexpected '{tok.text}'", position=tok.pos
        )

    def call(self, name: _Token) -> Node:
        func = name.text.lower()
        if func not in _FUNCTIONS:
            raise FormulaError(
                f"Hàm không được hỗ trợ: '{name.text}' (chỉ có {', '.join(_FUNCTIONS)})",
                f"Unsupported function: '{name.text}' (available: {', '.join(_FUNCTIONS)})",
                position=name.pos,
            )
        open_pos = self.advance().pos
        args: list[Node] = []
        if self.tok.kind == "rparen":
            raise FormulaError(
                f"Hàm {func}() cần ít nhất một đối số",
                f"Function {func}() needs at least one argument",
                position=name.pos,
            )
        args.append(self.expr())
        while self.tok.kind == "comma":
            self.advance()
            args.append(self.expr())
        self.expect_rparen(open_pos)
        return Call(func, tuple(args))

    def expect_rparen(self, open_pos: int) -> None:
        if self.tok.kind != "rparen":
            raise FormulaError(
                f"Thiếu dấu ')' cho dấu '(' ở vị trí {open_pos}",
                f"Missing ')' for the '(' at position {open_pos}",
                position=self.tok.pos,
            )
        self.advance()


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class EvalResult:
    value: float | None
    missing: tuple[str, ...] = ()
    reason_vi: str = ""
    reason_en: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None


class _Missing(Exception):  # noqa: N818 - internal control flow, not an error type
    def __init__(self, codes: tuple[str, ...], reason_vi: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.codes = codes
        self.reason_vi = reason_vi
        self.reason_en = reason_en


def _refs(node: Node, out: set[str]) -> None:
    if isinstance(node, Ref):
        out.add(node.code)
    elif isinstance(node, Neg):
        _refs(node.operand, out)
    elif isinstance(node, BinOp):
        _refs(node.left, out)
        _refs(node.right, out)
    elif isinstance(node, Call):
        for arg in node.args:
            _refs(arg, out)


@dataclass(frozen=True)
class Formula:
    text: str
    ast: Node

    def dependencies(self) -> frozenset[str]:
        out: set[str] = set()
        _refs(self.ast, out)
        return frozenset(out)

    def evaluate(self, values: Mapping[str, float | None]) -> EvalResult:
        """Evaluate with ``values``; absent, ``None`` or non-finite inputs make it missing."""
        absent = sorted(
            c
            for c in self.dependencies()
            if values.get(c) is None or not math.isfinite(float(values[c]))  # type: ignore[arg-type]
        )
        if absent:
            joined = ", ".join(absent)
            return EvalResult(
                None,
                tuple(absent),
                f"Thiếu số liệu đầu vào: {joined}",
                f"Missing input value(s): {joined}",
            )
        try:
            value = _eval(self.ast, values)
        except _Missing as exc:
            return EvalResult(None, exc.codes, exc.reason_vi, exc.reason_en)
        if not math.isfinite(value):
            return EvalResult(None, (), "Kết quả không hữu hạn", "The result is not finite")
        return EvalResult(value)


def _eval(node: Node, values: Mapping[str, float | None]) -> float:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        v = values[node.code]
        assert v is not None
        return float(v)
    if isinstance(node, Neg):
        return -_eval(node.operand, values)
    if isinstance(node, BinOp):
        left = _eval(node.left, values)
        right = _eval(node.right, values)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            raise _Missing((), "Phép chia cho 0", "Division by zero")
        return left / right
    return _FUNCTIONS[node.func]([_eval(a, values) for a in node.args])


def parse(text: str, *, known_codes: frozenset[str] | set[str] | None = None) -> Formula:
    """Parse ``text``; with ``known_codes`` every referenced code must be one of them."""
    if not isinstance(text, str):
        raise FormulaError("Công thức phải là chuỗi ký tự", "A formula must be a string")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"Công thức dài quá {MAX_LENGTH} ký tự", f"Formula longer than {MAX_LENGTH} characters"
        )
    formula = Formula(text, _Parser(text).parse())
    if known_codes is not None:
        unknown = sorted(formula.dependencies() - set(known_codes))
        if unknown:
            hint_vi = hint_en = ""
            if any("-" in c for c in unknown):
                hint_vi = "; phép trừ giữa hai mã cần có dấu cách: a - b"
                hint_en = "; subtraction between two codes needs spaces: a - b"
            raise FormulaError(
                f"Mã chỉ tiêu không tồn tại: {', '.join(unknown)}{hint_vi}",
                f"Unknown indicator code(s): {', '.join(unknown)}{hint_en}",
            )
    return formula


def _as_formula(f: Formula | str) -> Formula:
    return f if isinstance(f, Formula) else parse(f)


def find_cycle(formulas: Mapping[str, Formula | str]) -> list[str] | None:
    """A dependency cycle among ``formulas`` as ``[a, b, …, a]``, or ``None``."""
    parsed = {code: _as_formula(f) for code, f in formulas.items()}
    deps = {code: sorted(f.dependencies() & parsed.keys()) for code, f in parsed.items()}
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(parsed, white)
    for root in sorted(parsed):
        if colour[root] != white:
            continue
        # iterative depth-first search keeping the current path
        path: list[str] = [root]
        iters = [iter(deps[root])]
        colour[root] = grey
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                colour[path.pop()] = black
                iters.pop()
                continue
            if colour[nxt] == grey:
                return [*path[path.index(nxt) :], nxt]
            if colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                iters.append(iter(deps[nxt]))
    return None


def check_cycles(formulas: Mapping[str, Formula | str]) -> None:
    """Raise :class:`FormulaCycleError` naming the cycle if the formulas refer to themselves."""
    cycle = find_cycle(formulas)
    if cycle is not None:
        raise FormulaCycleError(cycle)


def evaluation_order(formulas: Mapping[str, Formula | str]) -> list[str]:
    """Computed codes in an order where every formula comes after the formulas it uses."""
    parsed = {code: _as_formula(f) for code, f in formulas.items()}
    check_cycles(parsed)
    order: list[str] = []
    done: set[str] = set()

    def visit(code: str) -> None:
        stack = [(code, iter(sorted(parsed[code].dependencies() & parsed.keys())))]
        while stack:
            current, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                if current not in done:
                    done.add(current)
                    order.append(current)
            elif nxt not in done:
                stack.append((nxt, iter(sorted(parsed[nxt].dependencies() & parsed.keys()))))

    for code in sorted(parsed):
        if code not in done:
            visit(code)
    return order


def evaluate_all(
    formulas: Mapping[str, Formula | str], values: Mapping[str, float | None]
) -> dict[str, EvalResult]:
    """Evaluate every computed indicator, feeding results into later formulas.

    A computed code that is also in ``values`` is recomputed (the formula wins). A result that
    is missing makes the formulas using it missing too, with the reason naming it.
    """
    parsed = {code: _as_formula(f) for code, f in formulas.items()}
    env: dict[str, float | None] = dict(values)
    results: dict[str, EvalResult] = {}
    for code in evaluation_order(parsed):
        result = parsed[code].evaluate(env)
        results[code] = result
        env[code] = result.value
    return results
