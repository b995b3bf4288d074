"""The comparators beyond the defaults, table-driven, checked in both directions where the
rule is symmetric; each table holds the cases of the peers' comparison pitfalls (a prefix of
the answer, extra lines, CRLF, big integers, NaN and infinities, yes/no case)."""

from __future__ import annotations

import pytest

import judges
from judges import JudgeSpecError

BIG = str(10 ** 18)
BIG1 = str(10 ** 18 + 1)

# (judge, output, expected, accepted, symmetric)
CASES = [
    # the default judges on the same pitfalls (their own tables are in test_judges.py)
    ("lines", "Yes\n", "YES\n", False, True),
    ("lines", BIG1, BIG, False, True),
    ("lines", "nan\n", "nan", True, True),
    ("exact", "1\n", "1\n2\n", False, True),                      # prefix output
    ("exact", "1\n2\n3\n", "1\n2\n", False, True),
    ("exact", "yes\n", "YES\n", False, True),
    ("tokens", "1\r\n2\r\n", "1 2", True, True),                  # CRLF
    ("tokens", "1 2 3", "1 2", False, True),                        # extra token
    ("tokens", BIG1, BIG, False, True),
    ("tokens", "YES", "yes", False, True),
    ("float:1e-6", "1\r\n2.0000001\r\n", "1 2", True, False),     # CRLF
    ("float:1e-6", "1", "1 2", False, True),                        # prefix output
    ("float:1e-6", "1 2 3", "1 2", False, True),                    # extra token
    ("float:1e-6", BIG1, BIG, False, True),                         # big integers exact
    ("float:1e-6", "inf -inf nan", "inf -inf nan", True, True),
    ("float:1e-6", "nan", "0", False, True),
    ("float:1e-6", "YES", "yes", False, True),
    # ran: no expected output; what the program printed is never compared
    ("ran", "anything\n", "", True, True),
    ("ran", "", "something else", True, True),
    # yesno: yes/no words fold case, nothing else does
    ("yesno", "YES\n", "Yes\n", True, True),
    ("yesno", "no", "NO", True, True),
    ("yesno", "yes no\r\n", "Yes\nNo\n", True, True),       # CRLF, layout free
    ("yesno", "Yes\n", "No\n", False, True),
    ("yesno", "Yes\n", "Yes\nNo\n", False, True),            # prefix output
    ("yesno", "Yes\nNo\nNo\n", "Yes\nNo\n", False, True),    # an extra line
    ("yesno", "Possible\n", "possible\n", False, True),      # only yes/no fold
    ("yesno", "YES 3\n", "yes 03\n", False, True),
    ("yesno", BIG1, BIG, False, True),                       # big integers exact
    ("yesno", "nan inf", "nan inf", True, True),
    ("yesno", "Yess", "yes", False, True),
    # unordered lines (the default) and tokens: multisets
    ("unordered", "b\na\n", "a\nb\n", True, True),
    ("unordered:lines", "b  \r\na\r\n\n", "a\nb\n", True, True),   # CRLF, ends, trailing blank
    ("unordered:lines", "a b\n", "b a\n", False, True),            # within a line order counts
    ("unordered:lines", "a\n", "a\nb\n", False, True),             # prefix output
    ("unordered:lines", "a\nb\nb\n", "a\nb\n", False, True),       # an extra (repeated) line
    ("unordered:lines", "a\n\nb\n", "a\nb\n", False, True),        # an inner blank line counts
    ("unordered:tokens", "3 1 2", "1\n2\n3\n", True, True),
    ("unordered:tokens", "1 2", "1 2 2", False, True),             # multiplicity counts
    ("unordered:tokens", f"{BIG1} 1", f"1 {BIG}", False, True),
    ("unordered:tokens", "inf nan", "nan inf", True, True),
    ("unordered:tokens", "YES", "yes", False, True),
    # lcb: stripped lines, counts equal, Decimal-exact tokens
    ("lcb", "1 2\n3\n", "1 2\n3\n", True, True),
    ("lcb", "  1 2  \r\n3\r\n\n\n", "1 2\n3", True, True),        # CRLF, ends, trailing blanks
    ("lcb", "1\n", "1\n2\n", False, True),                         # prefix output
    ("lcb", "1\n2\n3\n", "1\n2\n", False, True),                   # an extra line
    ("lcb", "1\n\n2\n", "1\n2\n", False, True),                    # inner blank line counts
    ("lcb", "1.0 2", "1 2.000", True, True),                       # Decimal equality
    ("lcb", "1  2", "1 2", True, True),                            # inner spacing via Decimal
    ("lcb", "a  b", "a b", False, True),                           # ... but not for words
    ("lcb", "0.3333333", "0.333333", False, True),                 # no tolerance
    ("lcb", BIG1, BIG, False, True),                               # big integers exact
    ("lcb", "nan", "nan", True, True),                             # same text
    ("lcb", "nan 1", "nan 1.0", False, True),                      # Decimal NaN != NaN
    ("lcb", "inf", "Infinity", True, True),
    ("lcb", "1_000", "1000", True, True),
    ("lcb", "sNaN 1", "sNaN 1.0", False, True),
    ("lcb", "YES", "yes", False, True),
    # codecontests: lowercase tokens, |a - b| < 1e-5 as doubles
    ("codecontests", "YES\n", "yes", True, True),
    ("codecontests", "Hello World", "hello\nworld\n", True, True),
    ("codecontests", "1\r\n2\r\n", "1 2", True, True),             # CRLF
    ("codecontests", "1\n", "1\n2\n", False, True),                # prefix output
    ("codecontests", "1\n2\n3\n", "1\n2\n", False, True),          # an extra line
    ("codecontests", BIG1, BIG, True, True),                       # its false positive
    ("codecontests", "1.000001", "1", True, True),
    ("codecontests", "1.00002", "1", False, True),
    ("codecontests", "1000000.5", "1000000.0", False, True),       # absolute only
    ("codecontests", "nan", "nan", True, True),                    # identical token lists
    ("codecontests", "nan 1", "nan 2", False, True),
    ("codecontests", "nan 1", "nan 1.0", False, True),             # NaN pair fails
    ("codecontests", "inf 1", "inf 1.0", False, True),             # inf - inf is NaN
    ("codecontests", "+5", "5", True, True),
    ("codecontests", "1\f2", "1 2", False, True),                  # form feed is no separator
    ("codecontests", "1\v2", "1 2", True, True),
    # openr1: zip of stripped lines (truncation kept)
    ("openr1", "1\n2\n", "1\n2\n", True, False),
    ("openr1", "  1 \r\n2\r\n", "1\n2\n", True, False),          # CRLF, ends of lines
    ("openr1", "1\n", "1\n2\n", True, False),                      # prefix output passes
    ("openr1", "1\n2\n3\n", "1\n2", True, False),                  # extra line passes ...
    ("openr1", "1\n2\n3\n", "1\n2\n", False, False),              # ... unless a final newline
    ("openr1", "", "1\n", False, False),
    ("openr1", "1 2", "1  2", False, False),                         # inner spacing counts
    ("openr1", BIG1, BIG, False, False),
    ("openr1", "nan", "nan", True, False),
    ("openr1", "yes", "YES", False, False),
    # sandboxfusion: exact after rstrip("\n")
    ("sandboxfusion", "3\n\n", "3", True, True),
    ("sandboxfusion", "3\r\n", "3\n", False, True),                  # CRLF fails
    ("sandboxfusion", "3 \n", "3\n", False, True),                    # trailing space fails
    ("sandboxfusion", "1\n", "1\n2\n", False, True),                  # prefix output
    ("sandboxfusion", "1\n2\n3\n", "1\n2\n", False, True),
    ("sandboxfusion", "1.0", "1", False, True),
    ("sandboxfusion", BIG1, BIG, False, True),
    ("sandboxfusion", "nan inf", "nan inf", True, True),
    ("sandboxfusion", "Yes", "yes", False, True),
    # testlib-wcmp: tokens split on space/tab/CR/LF only, exact
    ("testlib-wcmp", "1 2\n", "1\n2", True, True),
    ("testlib-wcmp", "1\r\n2\r\n", "1 2", True, True),             # CRLF
    ("testlib-wcmp", "1\n", "1\n2\n", False, True),                # prefix output
    ("testlib-wcmp", "1\n2\n3\n", "1\n2\n", False, True),          # an extra line
    ("testlib-wcmp", "YES", "yes", False, True),                   # case counts
    ("testlib-wcmp", BIG1, BIG, False, True),
    ("testlib-wcmp", "1.0", "1", False, True),
    ("testlib-wcmp", "nan inf", "nan inf", True, True),
    ("testlib-wcmp", "1\v2", "1 2", False, True),                  # \v is part of a token
    ("testlib-wcmp", "", "", True, True),
]


@pytest.mark.parametrize("spec,output,expected,ok,symmetric", CASES)
def test_comparator(spec, output, expected, ok, symmetric):
    passed, message = judges.get(spec).check(output, expected)
    assert passed is ok
    assert (message == "") is ok
    if symmetric:
        assert judges.get(spec).check(expected, output)[0] is ok


def test_every_registered_judge_has_cases():
    covered = {c[0].partition(":")[0] for c in CASES}
    base = {"exact", "lines", "tokens", "float"}          # tables in test_judges.py
    assert set(judges.names()) - {"checker"} <= covered | base


@pytest.mark.parametrize("spec,output,expected,needle", [
    ("testlib-wcmp", "1 5", "1 2", "2nd words differ - expected: '2', found: '5'"),
    ("testlib-wcmp", "1", "1 2", "Unexpected EOF in the participants output"),
    ("unordered:tokens", "1 2", "1 2 2", "expected token '2' 2 time(s), got 1"),
    ("unordered", "a\nc", "a\nb", "expected line 'b'"),
    ("lcb", "1\n2\n3", "1\n2", "expected 2 lines, got 3"),
    ("codecontests", "1 x", "1 y", "token 2"),
    ("yesno", "yes maybe", "yes no", "token 2"),
])
def test_messages_locate_the_difference(spec, output, expected, needle):
    assert needle in judges.get(spec).check(output, expected)[1]


@pytest.mark.parametrize("spec", ["yesno:1", "unordered:words", "lcb:x", "codecontests:1e-6",
                                  "testlib-wcmp:strict", "wcmp", "Lines", "checker:ioi",
                                  "openr1:x", "sandboxfusion:1"])
def test_bad_specs_fail(spec):
    with pytest.raises(JudgeSpecError):
        judges.get(spec)


def test_an_empty_parameter_means_the_default():
    assert judges.get("unordered:").spec == "unordered:lines"
    assert judges.get("float:").float_eps == 1e-6


def test_bad_judge_fails_at_input_load_naming_row_and_column():
    from pipeline.io import InputError, read_problems
    rows = [{"problem_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}]},
            {"problem_id": "b", "kind": "stdio", "judge": "unordered:words",
             "tests": [{"input": "", "output": ""}]}]
    with pytest.raises(InputError, match=r"row 1 \(problem_id 'b'\), column 'judge'.*'lines' or 'tokens'"):
        read_problems(rows)


def test_bad_judge_fails_at_config_load_naming_the_key():
    from pipeline.config import Config, ConfigError
    with pytest.raises(ConfigError, match="judge: unknown judge 'yes-no'"):
        Config.load(overrides={"judge": "yes-no"})
    assert Config.load(overrides={"judge": "unordered:tokens"}).judge.comparator == "unordered:tokens"
