"""The condition language: parsing, missing semantics, precedence, rejection with positions."""

from __future__ import annotations

import numpy as np
import pytest

from thuocdo.frameworks.engine import expr
from thuocdo.frameworks.engine.batch import _eval

KNOWN = {
    "S1": expr.RefInfo("single", ("yes", "no", "partly")),
    "S2": expr.RefInfo("multi", ("web", "shop", "none")),
    "B": expr.RefInfo("boolean"),
    "N": expr.RefInfo("number"),
    "K": expr.RefInfo("scale"),
}


def ev(source: str, env: dict) -> bool:
    cond = expr.parse(source)
    assert expr.check(cond, KNOWN, "X", set()) == []
    return expr.evaluate(cond.root, env)


FULL = {"S1": "yes", "S2": frozenset({"web"}), "B": True, "N": 12.0, "K": 3.0}


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        ("S1 == 'yes'", FULL, True),
        ('S1 == "no"', FULL, False),
        ("S1 != 'no'", FULL, True),
        ("'web' in S2", FULL, True),
        ("'shop' in S2", FULL, False),
        ("B", FULL, True),
        ("not B", FULL, False),
        ("B == false", FULL, False),
        ("N >= 12", FULL, True),
        ("N > 12", FULL, False),
        ("N < 12.5", FULL, True),
        ("K <= 3", FULL, True),
        ("N > K", FULL, True),
        ("N >= -1", FULL, True),
        # missing: every comparison false except !=, `in` false, bare boolean false
        ("S1 == 'yes'", {}, False),
        ("S1 != 'yes'", {}, True),
        ("N < 5", {}, False),
        ("N >= 5", {}, False),
        ("N != 5", {}, True),
        ("'web' in S2", {}, False),
        ("not 'web' in S2", {}, True),
        ("B", {}, False),
        ("B == true", {}, False),
        ("B == false", {}, False),
        ("N == K", {"N": 1.0}, False),
        ("N != K", {"N": 1.0}, True),
        # precedence: not > and > or
        ("true or false and false", {}, True),
        ("(true or false) and false", {}, False),
        ("not false and false", {}, False),
        ("not (false and false)", {}, True),
        ("false or not false", {}, True),
        ("S1 == 'no' or S1 == 'yes' and N > 10", FULL, True),
        ("(S1 == 'no' or S1 == 'yes') and N > 20", FULL, False),
        ("not not B", FULL, True),
        ("1 == 1", {}, True),
        ("'a' != 'a'", {}, False),
    ],
)
def test_evaluate(source, env, expected):
    assert ev(source, env) is expected


@pytest.mark.parametrize(
    ("source", "code", "pos"),
    [
        ("__import__('os').system('x')", "expr.call_not_allowed", 10),
        ("a.b", "expr.attribute_not_allowed", 1),
        ("f(x)", "expr.call_not_allowed", 1),
        ("x[0]", "expr.subscript_not_allowed", 1),
        ("1 +", "expr.unknown_operator", 2),
        ("S1 == 'yes", "expr.unterminated_string", 6),
        ("S1 = 'yes'", "expr.unknown_operator", 3),
        ("S1 === 'yes'", "expr.unknown_operator", 3),
        ("S1 == 'a' && B", "expr.unknown_operator", 10),
        ("S1 ==", "expr.unexpected_end", 5),
        ("(B", "expr.unexpected_end", 2),
        ("B)", "expr.unexpected_token", 1),
        ("S1 == 'a' == 'b'", "expr.unexpected_token", 10),
        ("B and", "expr.unexpected_end", 5),
        ("B ; 1", "expr.unknown_operator", 2),
        ("lambda: 1", "expr.unknown_operator", 6),
        ("S1 == `x`", "expr.bad_character", 6),
        ("N > 1 if B else 2", "expr.unexpected_token", 6),
        ("", "expr.unexpected_end", 0),
        ("'a'.upper()", "expr.attribute_not_allowed", 3),
    ],
)
def test_rejected_with_position(source, code, pos):
    with pytest.raises(expr.ExprError) as info:
        expr.parse(source)
    assert (info.value.code, info.value.pos) == (code, pos)
    assert info.value.params["column"] == pos + 1


def test_too_long_and_too_deep():
    with pytest.raises(expr.ExprError) as info:
        expr.parse("B or " * 500 + "B")
    assert info.value.code == "expr.too_long"
    with pytest.raises(expr.ExprError) as info:
        expr.parse("(" * 60 + "B" + ")" * 60)
    assert info.value.code == "expr.too_deep"
    with pytest.raises(expr.ExprError) as info:
        expr.parse("not " * 60 + "B")
    assert info.value.code == "expr.too_deep"


@pytest.mark.parametrize(
    ("source", "codes"),
    [
        ("LATER == 'x'", [("expr.forward_reference", 0)]),
        ("X == 'x'", [("expr.self_reference", 0)]),
        ("Q9 > 1", [("expr.unknown_reference", 0)]),
        ("S1 == 'maybe'", [("expr.unknown_option", 6)]),
        ("'blog' in S2", [("expr.unknown_option", 0)]),
        ("'yes' in S1", [("expr.in_requires_multi", 6)]),
        ("S2 == 'web'", [("expr.type_mismatch", 3)]),
        ("N == 'x'", [("expr.type_mismatch", 2)]),
        ("B == 1", [("expr.type_mismatch", 2)]),
        ("S1 < 'yes'", [("expr.ordering_not_numeric", 3)]),
        ("S1", [("expr.not_boolean", 0)]),
        ("N and B", [("expr.not_boolean", 0)]),
        ("S1 == S1 or N > 1", [("expr.type_mismatch", 3)]),
        (
            "LATER == 'x' and Q9 > 1",
            [("expr.forward_reference", 0), ("expr.unknown_reference", 17)],
        ),
    ],
)
def test_checker(source, codes):
    cond = expr.parse(source)
    problems = expr.check(cond, KNOWN, "X", {"LATER"})
    assert [(p.code, p.pos) for p in problems] == codes


def test_batch_evaluator_matches_scalar():
    """Vectorised evaluation of the same conditions over present/missing rows."""
    from thuocdo.frameworks.engine.batch import _Crit

    def crit(code: str, options: tuple[str, ...] = ()) -> _Crit:
        return _Crit(
            0, code, "", 1, 1, 100, None, True, None, np.zeros(1), np.zeros(0), (), 0, 1,
            {o: i for i, o in enumerate(options)}, (),
        )  # fmt: skip

    rows = [FULL, {}, {"S1": "no", "S2": frozenset(), "B": False, "N": 0.0, "K": 5.0}]
    s1 = np.array([0, -1, 1], dtype=np.int16)
    s2 = np.array([1, 0, 0], dtype=np.uint64)
    b = np.array([1, -1, 0], dtype=np.int8)
    n = np.array([12.0, np.nan, 0.0])
    k = np.array([3.0, np.nan, 5.0])
    present = np.array([True, False, True])
    ctx = {
        "S1": (s1, present, crit("S1", KNOWN["S1"].options)),
        "S2": (s2, present, crit("S2", KNOWN["S2"].options)),
        "B": (b, present, crit("B")),
        "N": (n, present, crit("N")),
        "K": (k, present, crit("K")),
    }
    sources = [
        "S1 == 'yes'", "S1 != 'yes'", "'web' in S2", "not 'web' in S2", "B", "not B",
        "B == false", "N >= 12", "N != 5", "N < K", "N != K", "S1 == 'no' or N > 10 and B",
        "true", "not (false or B)", "1 < 2",
    ]  # fmt: skip
    for source in sources:
        root = expr.parse(source).root
        got = _eval(root, ctx, 3)
        assert got.tolist() == [expr.evaluate(root, r) for r in rows], source
