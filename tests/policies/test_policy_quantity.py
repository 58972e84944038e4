"""Exact Kubernetes quantity parsing (policies/rules/_quantity.py)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.rules._quantity import GIB, parse_quantity, to_gib

KI, MI, TI = 2**10, 2**20, 2**40


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("1", 1),
        ("1Ki", KI),
        ("1Mi", MI),
        ("1Gi", GIB),
        ("1Ti", TI),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        ("1k", 1000),
        ("1M", 10**6),
        ("1G", 10**9),
        ("1T", 10**12),
        ("1P", 10**15),
        ("1E", 10**18),
        ("100m", Fraction(1, 10)),
        ("5u", Fraction(5, 10**6)),
        ("5n", Fraction(5, 10**9)),
        ("1e3", 1000),
        ("1E3", 1000),
        ("1e+3", 1000),
        ("25e-1", Fraction(5, 2)),
        ("0.5Gi", 512 * MI),
        ("1.5Ti", 1536 * GIB),
        (".5", Fraction(1, 2)),
        ("+1Ki", KI),
        ("-1Gi", -GIB),
        ("0.1", Fraction(1, 10)),
        ("1024Gi", TI),
    ],
)
def test_parse(text: str, value: int | Fraction) -> None:
    assert parse_quantity(text) == value


def test_one_tebibyte_is_1024_gibibytes() -> None:
    assert parse_quantity("1Ti") == parse_quantity("1024Gi")
    assert to_gib("1Ti") == 1024


def test_decimal_and_binary_units_differ() -> None:
    assert parse_quantity("1G") < parse_quantity("1Gi")
    assert parse_quantity("1.1T") > parse_quantity("1Ti")


@pytest.mark.parametrize(
    ("number", "value"), [(100, 100), (100.0, 100), (1.5, Fraction(3, 2)), (0.1, Fraction(1, 10))]
)
def test_numbers(number: float, value: Fraction) -> None:
    assert parse_quantity(number) == value


@pytest.mark.parametrize(
    "junk",
    [
        "",
        " ",
        " 1Gi",
        "1Gi ",
        "1 Gi",
        "1GB",
        "1gi",
        "1K",
        "1KB",
        "Gi",
        "1e",
        "1e3Mi",
        "1.2.3",
        "abc",
        "0x10",
        "1iB",
        "1Gii",
        "--1",
        "1e1000000",
        "∞",
        "\uff11",  # fullwidth digit one
    ],
)
def test_junk_is_rejected_with_a_clear_error(junk: str) -> None:
    with pytest.raises(ValueError, match="invalid Kubernetes quantity"):
        parse_quantity(junk)


@pytest.mark.parametrize("junk", [None, True, [], {}, float("nan"), float("inf")])
def test_non_quantities_are_rejected(junk: object) -> None:
    with pytest.raises(ValueError, match="invalid Kubernetes quantity"):
        parse_quantity(junk)  # type: ignore[arg-type]


def test_error_names_the_input() -> None:
    with pytest.raises(ValueError) as info:
        parse_quantity("10GB")
    assert str(info.value).startswith("invalid Kubernetes quantity '10GB': expected a number")


naturals = st.integers(min_value=0, max_value=10**15)


@given(naturals)
def test_gi_is_1024_mi(n: int) -> None:
    assert parse_quantity(f"{n}Gi") == parse_quantity(f"{n * 1024}Mi")


@given(naturals)
def test_ti_is_1024_gi(n: int) -> None:
    assert parse_quantity(f"{n}Ti") == parse_quantity(f"{n * 1024}Gi")


@given(naturals)
def test_decimal_suffixes_match_exponents(n: int) -> None:
    assert parse_quantity(f"{n}k") == parse_quantity(f"{n}e3") == n * 1000
    assert parse_quantity(f"{n}M") == parse_quantity(f"{n * 1000}k")
    assert parse_quantity(f"{n}m") * 1000 == n


@given(naturals)
def test_plain_integers_and_numbers(n: int) -> None:
    assert parse_quantity(str(n)) == n == parse_quantity(n)


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_decimals_are_exact(d: Decimal) -> None:
    text = format(d, "f")
    assert parse_quantity(text) == Fraction(d)
    assert parse_quantity(text + "Gi") == Fraction(d) * GIB


@given(naturals, naturals)
def test_order_is_preserved(a: int, b: int) -> None:
    assert (parse_quantity(f"{a}Gi") < parse_quantity(f"{b}Gi")) == (a < b)


@given(
    st.text(min_size=1, max_size=12).filter(
        lambda s: any(c not in "0123456789.+-eEinumkMGTP" for c in s)
    )
)
def test_text_outside_the_grammar_alphabet_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="invalid Kubernetes quantity"):
        parse_quantity(text)
