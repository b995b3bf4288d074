"""Python ``function`` problems with richer values: sets, Counter/defaultdict/OrderedDict,
namedtuples, complex numbers, dicts with other keys than str, tuple arguments.

The encoding (:mod:`pipeline.sandbox.inside.tagged`) and the comparison (:mod:`judges.values`)
are tested on their own, then every type right and wrong through the real sandbox and the
execute stage (a subclass with a lying ``__eq__`` never passes).
"""

from __future__ import annotations

import collections
import json
import math
import typing

import pytest

from judges.values import equal, parse
from pipeline.config import Config
from pipeline.execute import execute_partition
from pipeline.expand import expand_partition, resolve
from pipeline.io import InputError, read_problems, read_solutions
from pipeline.sandbox.inside import tagged

Point = collections.namedtuple("Point", "x y")


class Typed(typing.NamedTuple):
    a: int
    b: str = "z"


# ------------------------------------------------------------------ the encoding itself

@pytest.mark.parametrize("value", [
    None, True, 0, -(10 ** 30), 1.5, "é\n\"", [1, [2]], (1, (2, "a")), (), set(), {1, 2},
    frozenset({"a", (1, 2)}), {frozenset({1}), (2, 3)}, 3 - 4j, complex(0, -0.5),
    {"a": 1}, {1: "a", 2: [3]}, {(1, 2): {3: 4}}, {True: 1, None: 2, 1.5: 3},
    {"$set": [1]}, {"$tuple": 1, "x": 2}, {"$dict": {"$complex": (1, 2)}}, [{"$frozenset": []}],
])
def test_every_value_reads_back_as_itself(value):
    text = tagged.dumps(value)
    back = tagged.loads(text)
    assert back == value and type(back) is type(value)
    assert parse(text) == value


def test_library_types_are_written_as_what_they_compare_as():
    assert tagged.loads(tagged.dumps(collections.Counter("abca"))) == {"a": 2, "b": 1, "c": 1}
    assert tagged.dumps(collections.defaultdict(list, {1: [2]})) == '{"$dict": [[1, [2]]]}'
    assert tagged.dumps(collections.OrderedDict(b=1, a=2)) == '{"b": 1, "a": 2}'
    assert tagged.dumps(Point(1, 2)) == '{"$tuple": [1, 2]}'
    assert tagged.dumps(Typed(1)) == '{"$tuple": [1, "z"]}'
    # A set's members are written in the order of their JSON text: always the same text.
    assert tagged.dumps({"b", "a", "c"}) == '{"$set": ["a", "b", "c"]}'


def test_a_dict_that_looks_like_a_tag_is_written_as_a_dict():
    for key in tagged.TAGS:
        text = tagged.dumps({key: [1, 2]})
        assert json.loads(text) == {"$dict": [[key, [1, 2]]]}
        assert tagged.loads(text) == {key: [1, 2]}
    # Objects that are not exactly one tag are plain dicts on the way in.
    assert tagged.loads('{"$set": [1], "b": 2}') == {"$set": [1], "b": 2}
    assert tagged.loads('{"$other": [1]}') == {"$other": [1]}


class LyingSet(set):
    def __eq__(self, other):
        return True

    __hash__ = None


class LyingDict(dict):
    def __eq__(self, other):
        return True


class LyingTuple(tuple):
    _fields = ("x", "y")

    def __eq__(self, other):
        return True

    __hash__ = tuple.__hash__


class LyingPoint(Point):
    def __eq__(self, other):
        return True


LyingNamed = collections.namedtuple("LyingNamed", "x y")
LyingNamed.__eq__ = lambda self, other: True


class Meta(type):
    pass


@pytest.mark.parametrize("value", [
    LyingSet({1}), LyingDict(a=1), LyingTuple((1, 2)), LyingPoint(1, 2), LyingNamed(1, 2),
    collections.deque([1]), b"x", {1: object()}, {LyingTuple((1,)): 1}, [1, {2: {3: LyingSet()}}],
    Meta("T", (tuple,), {"_fields": ()})(),
])
def test_only_the_known_types_are_written(value):
    with pytest.raises(TypeError, match="unsupported return type"):
        tagged.encode(value)


@pytest.mark.parametrize("text", [
    '{"$set": 1}', '{"$complex": [1]}', '{"$complex": [true, 1]}', '{"$dict": [[1]]}',
    '{"$set": [{"a": 1}]}', '{"$dict": [[{"a": 1}, 2]]}', '{"$tuple": {"a": 1}}',
    "[" * 300 + "]" * 300,
])
def test_malformed_tags_are_refused(text):
    with pytest.raises(ValueError):
        tagged.loads(text)
    with pytest.raises(ValueError):
        parse(text)


def test_comparison_rules():
    assert equal([1, (2, 3)], ((1, [2, 3])))                     # tuples equal lists
    assert equal({(1, 2), (3, 4)}, {(3, 4), (1, 2)})             # sets in any order
    assert not equal({1, 2}, [1, 2]) and not equal([1, 2], {1, 2})
    assert equal(frozenset({1}), {1})
    assert equal({(1, 2): 3}, {(1, 2): 3}) and not equal({(1, 2): 3}, {"(1, 2)": 3})
    assert not equal({1: "a"}, {"1": "a"})                        # int keys are not str keys
    assert not equal({True: 1}, {1: 1}) and not equal({True}, {1})   # booleans apart
    assert equal({1: 2}, {1.0: 2})                                 # numbers by value, as Python
    assert equal(1 + 2j, complex(1, 2.0000001), 1e-6) and not equal(1 + 2j, 1 + 3j, 1e-6)
    assert equal(2.0, complex(2, 1e-9), 1e-6) and not equal(2.0, 2 + 1e-9j)
    assert equal({0.1 + 0.2, 1.0}, {0.3, 1.0}, 1e-9) and not equal({0.1 + 0.2}, {0.3})
    assert not equal({0.3, 0.30000000001}, {0.3, 0.5}, 1e-6)      # one to one, not any
    assert equal({"a": {1, 2}}, {"a": {2, 1}})
    assert equal(float("nan"), float("nan")) and equal([math.inf], [math.inf], 1e-6)
    assert equal(10 ** 400, 10 ** 400, 1e-6) and not equal(10 ** 400, 1e300, 1e-6)


def test_problem_tables_refuse_values_that_are_not_values():
    def problem(inp, out):
        return [{"problem_id": "p", "kind": "function", "entry_point": "f",
                 "tests": [{"input": inp, "output": out}]}]

    read_problems(problem('[{"$tuple": [1]}, {"$set": []}]', '{"$dict": [[1, 2]]}'))
    with pytest.raises(InputError, match=r"tests\[0\]\.output.*not a value"):
        read_problems(problem("[1]", '{"$set": [[1], {"a": 1}]}'))
    with pytest.raises(InputError, match=r"tests\[0\]\.input.*not a value"):
        read_problems(problem('[{"$complex": "x"}]', "1"))


# ------------------------------------------------------------------ through the sandbox

def judge(pool, code, tests, judge=None):
    problems = read_problems([{"problem_id": "p", "kind": "function", "entry_point": "f",
                               "judge": judge, "time_limit_s": 2.0, "memory_limit_mb": 256,
                               "tests": [{"input": i, "output": o} for i, o in tests]}])
    solutions = read_solutions([{"problem_id": "p", "solution_id": "s", "code": code}], problems)
    config = Config().replace(wall_factor=1.5)
    rows = expand_partition(solutions.to_pandas(), resolve(problems, config))
    result = execute_partition(rows, pool.run_batch, config)
    return result["verdict"].tolist(), result["message"].tolist()


NT = "import collections\nP = collections.namedtuple('P', 'x y')\n"
RICH = [
    # (returns, expected JSON, verdict)
    ("{3, 1, 2}", '{"$set": [1, 2, 3]}', "AC"),
    ("{1, 2}", '{"$set": [1, 2, 3]}', "WA"),
    ("[1, 2, 3]", '{"$set": [1, 2, 3]}', "WA"),              # a list is not a set
    ("frozenset({(1, 2)})", '{"$set": [{"$tuple": [1, 2]}]}', "AC"),
    ("__import__('collections').Counter('abca')", '{"a": 2, "b": 1, "c": 1}', "AC"),
    ("__import__('collections').Counter([1, 1])", '{"$dict": [[1, 2]]}', "AC"),
    ("__import__('collections').Counter([1, 1])", '{"$dict": [[1, 3]]}', "WA"),
    ("__import__('collections').defaultdict(int, {(1, 2): 3})",
     '{"$dict": [[{"$tuple": [1, 2]}, 3]]}', "AC"),
    ("__import__('collections').defaultdict(int, {(1, 2): 3})", '{"$dict": [[[2, 1], 3]]}', "WA"),
    ("__import__('collections').OrderedDict([('b', 1), ('a', 2)])", '{"a": 2, "b": 1}', "AC"),
    ("__import__('collections').OrderedDict([('b', 1)])", '{"b": 2}', "WA"),
    ("P(1, [2])", "[1, [2]]", "AC"),
    ("P(1, 2)", '{"$tuple": [2, 1]}', "WA"),
    ("complex(3, -4)", '{"$complex": [3, -4]}', "AC"),
    ("complex(3, 4)", '{"$complex": [3, -4]}', "WA"),
    ("{1: 'a', 2: 'b'}", '{"$dict": [[2, "b"], [1, "a"]]}', "AC"),
    ("{1: 'a'}", '{"1": "a"}', "WA"),                         # an int key is not a str key
    ("{'$set': [1]}", '{"$dict": [["$set", [1]]]}', "AC"),     # a tag-like key stays a key
    ("{'$set': [1]}", '{"$set": [1]}', "WA"),
]


@pytest.mark.parametrize("returns,expected,verdict", RICH)
def test_rich_return_values(pool, returns, expected, verdict):
    got, messages = judge(pool, f"{NT}def f():\n    return {returns}\n", [("[]", expected)])
    assert got == [verdict], messages


@pytest.mark.parametrize("lying", [
    "class S(set):\n    def __eq__(self, o): return True\n    __hash__ = None\nR = S({9})",
    "class D(dict):\n    def __eq__(self, o): return True\nR = D(a=9)",
    "class T(tuple):\n    _fields = ('x', 'y')\n    def __eq__(self, o): return True\nR = T((9, 9))",
    "import collections\nclass N(collections.namedtuple('N', 'x y')):\n"
    "    def __eq__(self, o): return True\nR = N(9, 9)",
    "import collections\nN = collections.namedtuple('N', 'x y')\n"
    "N.__eq__ = lambda self, o: True\nR = N(9, 9)",
])
def test_a_subclass_with_a_lying_eq_never_passes(pool, lying):
    # Every expected value these could pose as, and each holds something else anyway.
    tests = [("[]", '{"$set": [1]}'), ("[]", '{"a": 1}'), ("[]", '{"$tuple": [1, 2]}'),
             ("[]", "[1, 2]")]
    got, messages = judge(pool, f"{lying}\ndef f():\n    return R\n", tests)
    assert got == ["WA"] * 4, messages
    assert all("unsupported return type" in m for m in messages), messages


def test_arguments_arrive_with_their_types(pool):
    code = ("def f(t, s, c, d, k):\n"
            "    assert type(t) is tuple and type(t[1]) is tuple, t\n"
            "    assert type(s) is set and type(c) is complex, (s, c)\n"
            "    assert type(d) is dict and list(d) == ['$set'], d\n"
            "    assert list(k) == [(1, 2)] and type(k[(1, 2)]) is frozenset, k\n"
            "    return t + (len(s), c * 2, d['$set'], k[(1, 2)])\n")
    args = ('[{"$tuple": [1, {"$tuple": [2]}]}, {"$set": [3, 4]}, {"$complex": [0, 1]},'
            ' {"$dict": [["$set", 5]]}, {"$dict": [[[1, 2], {"$frozenset": [6]}]]}]')
    expected = '[1, [2], 2, {"$complex": [0, 2]}, 5, {"$set": [6]}]'
    assert judge(pool, code, [(args, expected)])[0] == ["AC"]
    kwargs = ('{"t": {"$tuple": [1, {"$tuple": [2]}]}, "s": {"$set": []}, '
              '"c": {"$complex": [1, 1]}, "d": {"$dict": [["$set", 0]]}, '
              '"k": {"$dict": [[{"$tuple": [1, 2]}, {"$frozenset": []}]]}}')
    got = judge(pool, code, [(kwargs, '[1, [2], 0, {"$complex": [2, 2]}, 0, {"$frozenset": []}]')])
    assert got[0] == ["AC"], got[1]
    # A tuple argument that came as a list is a list: the function sees what the test says.
    got = judge(pool, "def f(t):\n    return type(t).__name__", [("[[1]]", '"list"'),
                                                                 ('[{"$tuple": [1]}]', '"tuple"')])
    assert got[0] == ["AC", "AC"], got[1]


def test_floats_inside_sets_dicts_and_complex_use_the_tolerance(pool):
    code = "def f():\n    return {0.1 + 0.2}, {'k': 1 / 3}, complex(1 / 3, 0)\n"
    expected = '[{"$set": [0.3]}, {"k": 0.333333}, {"$complex": [0.333333, 0]}]'
    assert judge(pool, code, [("[]", expected)], judge="float:1e-5")[0] == ["AC"]
    assert judge(pool, code, [("[]", expected)])[0] == ["WA"]
