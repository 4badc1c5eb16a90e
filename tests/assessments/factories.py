"""Helpers of the assessments tests."""

from __future__ import annotations

import itertools

from stdnum.vn import mst

HANOI_COMMUNES = ("00004", "00292", "00577", "09700")  # Ba Đình, Bạch Mai, Bát Tràng, Ba Vì
DANANG_COMMUNE = "20275"  # An Hải
_serial = itertools.count(100000)


def tax_code() -> str:
    """A fresh valid 10-digit tax code."""
    while True:
        body = f"01{next(_serial):07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            return body + check
