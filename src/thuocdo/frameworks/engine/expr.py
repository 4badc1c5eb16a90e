"""The condition language of ``relevant``: tokenizer, recursive-descent parser, checker, evaluator.

Grammar (``not`` binds tighter than ``and``, which binds tighter than ``or``)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := atom [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") atom]
    atom       := CODE | 'string' | "string" | NUMBER | true | false

A bare atom must be true/false or a boolean criterion. Nothing is ever passed to ``eval``.
A reference to a criterion that is unanswered or not applicable is *missing*: every
comparison with it is false except ``!=`` (true), and ``in`` is false. Positions are 0-based
character offsets into the condition text (messages show them 1-based).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union

MAX_LENGTH = 2000
MAX_DEPTH = 50
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
COMPARE_OPS = ("==", "!=", "<=", ">=", "<", ">")
ORDERING_OPS = frozenset({"<", "<=", ">", ">="})
_OPERATOR_CHARS = set("=!<>+-*/%&|^~@:;?,")


class ExprError(Exception):
    """A syntax or reference problem at a character position."""

    def __init__(self, code: str, pos: int, **params: Any) -> None:
        self.code = code
        self.pos = pos
        self.params = {"column": pos + 1, **params}
        super().__init__(f"{code} at {pos}")


# ---------------------------------------------------------------- AST


@dataclass(frozen=True)
class Lit:
    """A literal: string, number (float) or boolean."""

    value: str | float | bool
    pos: int


@dataclass(frozen=True)
class Ref:
    """A reference to a criterion's answer."""

    code: str
    pos: int


Atom = Union[Lit, Ref]  # noqa: UP007


@dataclass(frozen=True)
class Compare:
    """``left op right``."""

    op: str
    left: Atom
    right: Atom
    pos: int


@dataclass(frozen=True)
class Member:
    """``'code' in MULTI``."""

    item: Atom
    container: Atom
    pos: int


@dataclass(frozen=True)
class Truth:
    """A bare atom used as true/false (a boolean criterion or literal)."""

    atom: Atom


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Node
    pos: int


@dataclass(frozen=True)
class BoolOp:
    """``a and b and ...`` or ``a or b or ...``."""

    op: Literal["and", "or"]
    operands: tuple[Node, ...]


Node = Union[Compare, Member, Truth, Not, BoolOp]  # noqa: UP007


@dataclass(frozen=True)
class Condition:
    """A parsed condition with its source text."""

    source: str
    root: Node

    def refs(self) -> list[Ref]:
        """Criterion references in source order."""
        out: list[Ref] = []
        _collect_refs(self.root, out)
        return out


def _collect_refs(node: Node, out: list[Ref]) -> None:
    if isinstance(node, Compare):
        out.extend(a for a in (node.left, node.right) if isinstance(a, Ref))
    elif isinstance(node, Member):
        out.extend(a for a in (node.item, node.container) if isinstance(a, Ref))
    elif isinstance(node, Truth):
        if isinstance(node.atom, Ref):
            out.append(node.atom)
    elif isinstance(node, Not):
        _collect_refs(node.operand, out)
    else:
        for operand in node.operands:
            _collect_refs(operand, out)


# ---------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class Token:
    """A lexical token; ``kind`` is one of ident, kw, str, num, op, lpar, rpar, punct, end."""

    kind: str
    text: str
    pos: int
    value: str | float | None = None


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens; raises ExprError on a bad character or string."""
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in " \t\r\n":
            i += 1
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i + 1
            while j < n and source[j].isascii() and (source[j].isalnum() or source[j] == "_"):
                j += 1
            word = source[i:j]
            tokens.append(Token("kw" if word in KEYWORDS else "ident", word, i))
            i = j
        elif (ch.isascii() and ch.isdigit()) or (
            ch == "-" and i + 1 < n and source[i + 1].isascii() and source[i + 1].isdigit()
        ):
            j = i + 1
            while j < n and source[j].isascii() and source[j].isdigit():
                j += 1
            if (
                j + 1 < n
                and source[j] == "."
                and source[j + 1].isascii()
                and source[j + 1].isdigit()
            ):
                j += 1
                while j < n and source[j].isascii() and source[j].isdigit():
                    j += 1
            text = source[i:j]
            tokens.append(Token("num", text, i, float(text)))
            i = j
        elif ch in "'\"":
            j = source.find(ch, i + 1)
            if j < 0:
                raise ExprError("expr.unterminated_string", i)
            text = source[i + 1 : j]
            if "\n" in text:
                raise ExprError("expr.unterminated_string", i)
            tokens.append(Token("str", source[i : j + 1], i, text))
            i = j + 1
        elif ch == "(":
            tokens.append(Token("lpar", ch, i))
            i += 1
        elif ch == ")":
            tokens.append(Token("rpar", ch, i))
            i += 1
        elif ch in ".[],":
            tokens.append(Token("punct", ch, i))
            i += 1
        elif ch in _OPERATOR_CHARS:
            j = i + 1
            while j < n and source[j] in _OPERATOR_CHARS:
                j += 1
            if j - i > 1 and source[j - 1] == "-" and j < n and source[j].isdigit():
                j -= 1  # "N>-1": the minus belongs to the number
            run = source[i:j]
            if run not in COMPARE_OPS:
                raise ExprError("expr.unknown_operator", i, token=run)
            tokens.append(Token("op", run, i))
            i = j
        else:
            raise ExprError("expr.bad_character", i, token=ch)
    tokens.append(Token("end", "", n))
    return tokens


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, tok: Token) -> ExprError:
        if tok.kind == "end":
            return ExprError("expr.unexpected_end", tok.pos)
        return ExprError("expr.unexpected_token", tok.pos, token=tok.text)

    def parse(self) -> Node:
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            raise self.fail(tok)
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("expr.too_deep", self.peek().pos)
        items = [self.and_expr()]
        while self.peek().kind == "kw" and self.peek().text == "or":
            self.take()
            items.append(self.and_expr())
        self.depth -= 1
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.peek().kind == "kw" and self.peek().text == "and":
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_expr(self) -> Node:
        tok = self.peek()
        if tok.kind == "kw" and tok.text == "not":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExprError("expr.too_deep", tok.pos)
            operand = self.not_expr()
            self.depth -= 1
            return Not(operand, tok.pos)
        if tok.kind == "lpar":
            self.take()
            node = self.expr()
            close = self.take()
            if close.kind != "rpar":
                raise self.fail(close)
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.atom()
        tok = self.peek()
        if tok.kind == "op":
            self.take()
            return Compare(tok.text, left, self.atom(), tok.pos)
        if tok.kind == "kw" and tok.text == "in":
            self.take()
            return Member(left, self.atom(), tok.pos)
        return Truth(left)

    def atom(self) -> Atom:
        tok = self.take()
        if tok.kind == "ident":
            nxt = self.peek()
            if nxt.kind == "lpar":
                raise ExprError("expr.call_not_allowed", nxt.pos)
            if nxt.kind == "punct" and nxt.text == ".":
                raise ExprError("expr.attribute_not_allowed", nxt.pos)
            if nxt.kind == "punct" and nxt.text == "[":
                raise ExprError("expr.subscript_not_allowed", nxt.pos)
            return Ref(tok.text, tok.pos)
        if tok.kind == "str":
            assert isinstance(tok.value, str)
            return self._no_postfix(Lit(tok.value, tok.pos))
        if tok.kind == "num":
            assert isinstance(tok.value, float)
            return self._no_postfix(Lit(tok.value, tok.pos))
        if tok.kind == "kw" and tok.text in ("true", "false"):
            return self._no_postfix(Lit(tok.text == "true", tok.pos))
        raise self.fail(tok)

    def _no_postfix(self, lit: Lit) -> Lit:
        nxt = self.peek()
        if nxt.kind == "punct" and nxt.text == ".":
            raise ExprError("expr.attribute_not_allowed", nxt.pos)
        if nxt.kind == "punct" and nxt.text == "[":
            raise ExprError("expr.subscript_not_allowed", nxt.pos)
        if nxt.kind == "lpar":
            raise ExprError("expr.call_not_allowed", nxt.pos)
        return lit


def parse(source: str) -> Condition:
    """Parse a condition; raises ExprError (with a position) on anything outside the grammar."""
    if len(source) > MAX_LENGTH:
        raise ExprError("expr.too_long", 0, length=len(source), limit=MAX_LENGTH)
    return Condition(source, _Parser(tokenize(source)).parse())


# ---------------------------------------------------------------- checker


@dataclass(frozen=True)
class RefInfo:
    """What the checker knows about an earlier criterion."""

    qtype: str
    options: tuple[str, ...] = ()


def _kind(atom: Atom, known: Mapping[str, RefInfo]) -> str | None:
    if isinstance(atom, Lit):
        if isinstance(atom.value, bool):
            return "bool"
        return "string" if isinstance(atom.value, str) else "number"
    info = known.get(atom.code)
    if info is None or info.qtype == "?":
        return None
    return {"single": "option", "multi": "multi", "boolean": "bool"}.get(info.qtype, "number")


def _show_atom(atom: Atom, known: Mapping[str, RefInfo]) -> str:
    if isinstance(atom, Ref):
        info = known.get(atom.code)
        return f"{atom.code} ({info.qtype})" if info else atom.code
    if isinstance(atom.value, bool):
        return "true" if atom.value else "false"
    if isinstance(atom.value, str):
        return repr(atom.value)
    return f"{atom.value:g}"


def check(
    cond: Condition,
    known: Mapping[str, RefInfo],
    self_code: str,
    later: frozenset[str] | set[str],
) -> list[ExprError]:
    """Resolve references (earlier criteria only) and check types; returns every problem."""
    problems: list[ExprError] = []
    for ref in cond.refs():
        if ref.code == self_code:
            problems.append(ExprError("expr.self_reference", ref.pos, token=ref.code))
        elif ref.code in later:
            problems.append(ExprError("expr.forward_reference", ref.pos, token=ref.code))
        elif ref.code not in known:
            problems.append(ExprError("expr.unknown_reference", ref.pos, token=ref.code))
    _check_node(cond.root, known, problems)
    return problems


def _check_option(opt: Atom, ref: Atom, known: Mapping[str, RefInfo], out: list[ExprError]) -> None:
    if isinstance(opt, Lit) and isinstance(ref, Ref) and isinstance(opt.value, str):
        info = known[ref.code]
        if opt.value not in info.options:
            out.append(
                ExprError("expr.unknown_option", opt.pos, token=opt.value, criterion=ref.code)
            )


def _check_node(node: Node, known: Mapping[str, RefInfo], out: list[ExprError]) -> None:
    if isinstance(node, BoolOp):
        for operand in node.operands:
            _check_node(operand, known, out)
    elif isinstance(node, Not):
        _check_node(node.operand, known, out)
    elif isinstance(node, Truth):
        kind = _kind(node.atom, known)
        if kind is not None and kind != "bool":
            out.append(ExprError("expr.not_boolean", node.atom.pos))
    elif isinstance(node, Member):
        item, cont = _kind(node.item, known), _kind(node.container, known)
        if item is None or cont is None:
            return
        if item != "string" or cont != "multi":
            out.append(ExprError("expr.in_requires_multi", node.pos))
            return
        _check_option(node.item, node.container, known, out)
    else:
        left, right = _kind(node.left, known), _kind(node.right, known)
        if left is None or right is None:
            return
        if node.op in ORDERING_OPS:
            if left != "number" or right != "number":
                out.append(ExprError("expr.ordering_not_numeric", node.pos, token=node.op))
            return
        pair = {left, right}
        if pair in ({"number"}, {"bool"}, {"string"}, {"option", "string"}):
            if left == "option":
                _check_option(node.right, node.left, known, out)
            elif right == "option":
                _check_option(node.left, node.right, known, out)
            return
        out.append(
            ExprError(
                "expr.type_mismatch",
                node.pos,
                left=_show_atom(node.left, known),
                right=_show_atom(node.right, known),
            )
        )


# ---------------------------------------------------------------- scalar evaluator

MISSING: Any = object()


def _value(atom: Atom, env: Mapping[str, Any]) -> Any:
    if isinstance(atom, Lit):
        return atom.value
    return env.get(atom.code, MISSING)


def evaluate(node: Node, env: Mapping[str, Any]) -> bool:
    """Evaluate a checked condition. ``env`` maps present criterion codes to their answers
    (option code, frozenset of option codes, bool or float); absent codes are missing."""
    if isinstance(node, Compare):
        a, b = _value(node.left, env), _value(node.right, env)
        if a is MISSING or b is MISSING:
            return node.op == "!="
        op = node.op
        if op == "==":
            return bool(a == b)
        if op == "!=":
            return bool(a != b)
        if op == "<":
            return bool(a < b)
        if op == "<=":
            return bool(a <= b)
        if op == ">":
            return bool(a > b)
        return bool(a >= b)
    if isinstance(node, Member):
        item, cont = _value(node.item, env), _value(node.container, env)
        if item is MISSING or cont is MISSING:
            return False
        return item in cont
    if isinstance(node, Truth):
        value = _value(node.atom, env)
        return value is True
    if isinstance(node, Not):
        return not evaluate(node.operand, env)
    if node.op == "and":
        return all(evaluate(o, env) for o in node.operands)
    return any(evaluate(o, env) for o in node.operands)


def is_finite_number(value: object) -> bool:
    """True for an int or float (not bool) that is finite and fits a float (an int of more
    than about 309 digits does not)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False
