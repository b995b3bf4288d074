"""Comparators and value comparison: table-driven, checked in both directions."""

from __future__ import annotations

import pytest

import judges
from judges import JudgeSpecError, equal

# (judge, output, expected, accepted)
CASES = [
    ("lines", "3\n", "3\n", True),
    ("lines", "3", "3\n", True),                         # missing final newline
    ("lines", "3   \n", "3\n", True),                    # trailing whitespace
    ("lines", "  3\n", "3\n", True),                     # leading whitespace on a line
    ("lines", "1\r\n2\r\n", "1\n2\n", True),             # CRLF
    ("lines", "1\n2\n\n\n", "1\n2\n", True),             # trailing blank lines
    ("lines", "1\n2\n3\n", "1\n2\n", False),             # an extra line
    ("lines", "1\n", "1\n2\n", False),                   # a missing line
    ("lines", "1\n\n2\n", "1\n2\n", False),              # an inner blank line counts
    ("lines", "1 2\n", "1  2\n", False),                 # inner spacing counts
    ("lines", "", "", True),
    ("lines", "Yes\n", "yes\n", False),                  # case counts
    ("exact", "a b\n", "a b\n", True),
    ("exact", "a b\r\n", "a b\n", True),
    ("exact", "a b", "a b\n", False),
    ("exact", "a b \n", "a b\n", False),
    ("tokens", "1  2\n3", "1 2 3\n", True),
    ("tokens", "1 2", "1 2 3", False),
    ("float:1e-6", "0.3333333", "0.333333333", True),
    ("float:1e-6", "0.33", "0.333333333", False),
    ("float:1e-6", "1000000.5", "1000000.0", True),     # relative tolerance
    ("float:1e-6", str(2 ** 200), str(2 ** 200), True),
    ("float:1e-6", str(2 ** 200), str(2 ** 200 - 1), False),   # big ints compare exactly
    ("float:1e-6", "1e18", str(10 ** 18), True),        # a float token vs an int token
    ("float:1e-6", "nan", "nan", True),
    ("float:1e-6", "inf", "-inf", False),
    ("float:1e-6", "1.0 abc", "1 abc", True),
    ("float:1e-6", "1.0 abd", "1 abc", False),
    ("float:1e-6", "1 2", "1 2 3", False),
]


@pytest.mark.parametrize("spec,output,expected,ok", CASES)
def test_comparator(spec, output, expected, ok):
    passed, message = judges.get(spec).check(output, expected)
    assert passed is ok
    assert (message == "") is ok


@pytest.mark.parametrize("spec,output,expected,ok",
                         [c for c in CASES if c[0] in ("tokens", "float:1e-6")
                          and "inf" not in c[1] and "1e18" not in c[1]])
def test_symmetric_comparators_are_symmetric(spec, output, expected, ok):
    assert judges.get(spec).check(expected, output)[0] is ok


def test_messages_locate_the_difference():
    ok, msg = judges.get("lines").check("1\n5\n", "1\n2\n")
    assert not ok and "line 2" in msg and "'2'" in msg and "'5'" in msg


@pytest.mark.parametrize("spec", ["", "nope", "lines:3", "float:abc", "float:-1", "float:0",
                                  "exact:x"])
def test_bad_specs_fail_at_load(spec):
    with pytest.raises(JudgeSpecError):
        judges.get(spec)


@pytest.mark.parametrize("actual,expected,eps,ok", [
    ([1, 2], [1, 2], None, True),                 # a tuple arrives as a list
    ([1, [2, 3]], [1, [2, 3]], None, True),
    ([1, 2], [2, 1], None, False),
    (True, 1, None, False),
    (1, True, None, False),
    (1, 1.0, None, True),
    (0.1 + 0.2, 0.3, None, False),
    (0.1 + 0.2, 0.3, 1e-9, True),
    ({"a": 1}, {"a": 1}, None, True),
    ({"a": 1}, {"a": 1, "b": 2}, None, False),
    ("1", 1, None, False),
    (None, None, None, True),
    (None, [], None, False),
    (2 ** 100, 2 ** 100 + 1, 1e-6, False),
])
def test_value_equality(actual, expected, eps, ok):
    assert equal(actual, expected, eps) is ok
