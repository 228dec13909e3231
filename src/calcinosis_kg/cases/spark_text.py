"""Python's text rules as Spark SQL: ``str.strip``, ``repr``, ``parsing.shown``, number syntax,
the ``:g`` and ``Decimal.normalize`` forms of a number.

Why a module: the field rules of the CSV reader (``spark_fields``, ``spark_labs``) must write the
very messages the polars reader writes (``'9,6' is not a number (…)``), and those messages
quote values the way Python prints them. Each function returns SQL text over a column or
expression ``x``; the driver builds it once, Spark evaluates it per row (no UDF).
"""

from __future__ import annotations

from calcinosis_kg.cases import parsing
from calcinosis_kg.cases.spark_shacl import q

#: what ``str.strip()`` removes (Python's whitespace, which Java's ``\s`` does not cover)
WS = r"[\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\z"
OTHER_DIGIT = r"[[\p{Nd}\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089]&&[^0-9]]"
CURIE = r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_.:-]+\z"


def strip(x: str) -> str:
    """``str.strip()`` as SQL (Python's whitespace, wider than Java's ``\\s``)."""
    return f"regexp_replace({x}, {q('^' + WS + '+|' + WS + '+$')}, '')"


def _escaped(x: str) -> str:
    out = f"replace({x}, '\\\\', '\\\\\\\\')"
    for char, code in (("\n", "\\\\n"), ("\r", "\\\\r"), ("\t", "\\\\t")):
        out = f"replace({out}, {q(char)}, '{code}')"
    return out


def pyrepr(x: str) -> str:
    """``repr(x)`` of a string (quotes, backslash, newline, tab escaped)."""
    e = _escaped(x)
    return (
        f"CASE WHEN instr({x}, \"'\") > 0 AND instr({x}, '\"') = 0 THEN concat('\"', {e}, "
        f'\'"\') ELSE concat("\'", replace({e}, "\'", "\\\\\'"), "\'") END'
    )


def shown(x: str, most: int = parsing.SHOWN) -> str:
    """``parsing.shown``: the repr cut to ``most`` characters, with the length."""
    r = pyrepr(x)
    return (
        f"CASE WHEN length({r}) <= {most} THEN {r} ELSE concat(substr({r}, 1, {most}), "
        f"'… (', format_number(length({x}), 0), ' characters)') END"
    )


def number_error(
    x: str, bound: float = parsing.PLAUSIBLE, plain_repr: bool = False, number: bool = False
) -> str:
    """The message ``parsing.number`` (``bound`` 1e9) or ``model._number`` (1e6, its own value
    shown as a repr) raises for the stripped text ``x``, or NULL when it is a number;
    ``number``: ``x`` is the repr of a JSON number (shown without quotes, as Python shows a
    float)."""
    why = (
        f"CASE WHEN instr({x}, '_') > 0 THEN \"digit separators such as '_' are not read\" "
        f"WHEN {x} RLIKE {q(OTHER_DIGIT)} THEN 'only the ASCII digits 0-9 are read' "
        "ELSE \"expected digits with an optional sign, '.' and exponent\" END"
    )
    name = x if number else pyrepr(x) if plain_repr else shown(x)
    return (
        f"CASE WHEN NOT {x} RLIKE {q(NUMBER)} THEN concat({shown(x)}, ' is not a number (', "
        f"{why}, ')') WHEN NOT coalesce(abs(try_cast({x} AS DOUBLE)) < {bound!r}D, FALSE) "
        f"THEN concat({name}, ' is not a plausible finite number') END"
    )


def plain(d: str) -> str:
    """``f"{Decimal.normalize():f}"`` of a decimal expression: no trailing zeros."""
    return (
        f"regexp_replace(regexp_replace(CAST({d} AS STRING), '(\\\\.[0-9]*?)0+$', '$1'), "
        "'\\\\.$', '')"
    )


def normalized(d: str) -> str:
    """``str(Decimal.normalize())``: like ``plain`` but 100 -> 1E+2."""
    p = plain(d)
    digits = f"regexp_extract({p}, '^-?([0-9]*?)(0*)$', 1)"
    zeros = f"length(regexp_extract({p}, '^-?[0-9]*?(0*)$', 1))"
    sign = f"CASE WHEN startswith({p}, '-') THEN '-' ELSE '' END"
    mantissa = (
        f"concat(substr({digits}, 1, 1), CASE WHEN length({digits}) > 1 THEN "
        f"concat('.', substr({digits}, 2)) ELSE '' END)"
    )
    return (
        f"CASE WHEN instr({p}, '.') > 0 OR {p} RLIKE '^-?0$' OR {zeros} = 0 THEN {p} "
        f"ELSE concat({sign}, {mantissa}, 'E+', CAST(length({digits}) - 1 + {zeros} AS "
        "STRING)) END"
    )


def general(x: str) -> str:
    """``f"{x:g}"`` of a double: Java's ``%.6g`` switches to an exponent at the same sizes as
    Python's; Python then drops the trailing zeros."""
    g = f"format_string('%.6g', {x})"
    return (
        f"regexp_replace(regexp_replace({g}, '(\\\\.[0-9]*?)0+(e|$)', '$1$2'), '\\\\.(e|$)', '$1')"
    )
