"""Exact parsing of Kubernetes resource quantities (``resource.Quantity``).

Grammar (from ``k8s.io/apimachinery/pkg/api/resource``)::

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= [+-] (<digits> | <digits>.<digits>? | .<digits>)
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= e <signedInteger> | E <signedInteger>

Values are returned as :class:`fractions.Fraction`, so arithmetic and comparisons are
exact: ``parse_quantity("1Ti") == parse_quantity("1024Gi")`` and
``parse_quantity("0.5Gi") == parse_quantity("512Mi")``. No floating point is involved for
string input. Anything else (whitespace, unknown suffixes such as ``GB`` or ``K``, empty
strings, ``1e3Mi``) raises :class:`ValueError` naming the offending text.

Numbers are accepted too, because the Kubernetes provider lets programs pass an int for an
int-or-string quantity and the engine delivers every number as a float.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

__all__ = ["GIB", "parse_quantity", "to_gib"]

_BINARY: Final = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}
_DECIMAL: Final = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}

_QUANTITY_RE: Final = re.compile(
    r"""
    (?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))
    (?:
        (?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)
      | [eE](?P<exponent>[+-]?[0-9]+)
      | (?P<decimal>[numkMGTPE]?)
    )
    """,
    re.VERBOSE,
)

# Kubernetes itself refuses exponents this large; the bound also keeps Fraction sizes sane.
_MAX_EXPONENT: Final = 1000

GIB: Final = Fraction(2**30)
"""One gibibyte, the unit of an Azure file share's ``shareQuota``."""


def parse_quantity(value: str | int | float) -> Fraction:
    """Parse a Kubernetes quantity into its exact value in base units (bytes for storage)."""
    if isinstance(value, bool):
        raise ValueError(f"invalid Kubernetes quantity {value!r}: expected a string or number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"invalid Kubernetes quantity {value!r}: not a finite number")
        # repr() gives the shortest string that round-trips, so 1.5 stays exactly 3/2.
        return Fraction(Decimal(repr(value)))
    if not isinstance(value, str):
        raise ValueError(
            f"invalid Kubernetes quantity {value!r}: expected a string or number, "
            f"got {type(value).__name__}"
        )
    match = _QUANTITY_RE.fullmatch(value)
    if match is None:
        raise ValueError(
            f"invalid Kubernetes quantity {value!r}: expected a number with an optional "
            "suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent "
            "such as e3)"
        )
    try:
        number = Fraction(Decimal(match["number"]))
    except InvalidOperation as exc:  # pragma: no cover - the regex only admits decimals
        raise ValueError(f"invalid Kubernetes quantity {value!r}") from exc
    if match["binary"] is not None:
        return number * _BINARY[match["binary"]]
    if match["exponent"] is not None:
        exponent = int(match["exponent"])
        if abs(exponent) > _MAX_EXPONENT:
            raise ValueError(
                f"invalid Kubernetes quantity {value!r}: exponent {exponent} is out of range"
            )
        return number * Fraction(10) ** exponent
    return number * _DECIMAL[match["decimal"] or ""]


def to_gib(value: str | int | float) -> Fraction:
    """The quantity expressed in GiB (exact)."""
    return parse_quantity(value) / GIB
