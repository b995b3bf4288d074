"""Signatures of ``function`` problems: read from starter code, checked, spelled per language.

A compiled solution of a ``function`` problem is called by a harness generated from the
problem's signature: its ``signature`` column, else its starter code. The text is one
declaration (or a whole starter, ``class Solution { … }``) in any of these languages, or a
JSON object giving one per language (``{"cpp": "…", "java": "…"}``; a solution takes the one
of its own language, else the first):

=========== ================================================================================
python      ``def twoSum(self, nums: List[int], target: int) -> List[int]:`` (LiveCodeBench's
            starter code; ``int`` is 32-bit, ``float`` a double, ``str`` a string)
cpp         ``vector<int> twoSum(vector<int>& nums, int target)``
java        ``public int[] twoSum(int[] nums, int target)``
go          ``func twoSum(nums []int, target int) []int``
rust        ``pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32>``
javascript  ``var twoSum = function(nums, target)``: names only, no types
=========== ================================================================================

Types are read into one model (:class:`Type`): ``int`` (32-bit), ``long`` (64-bit),
``double``, ``bool``, ``char``, ``string`` and lists of these, nested to any depth. A
solution in the signature's own language is called with the types exactly as written
(``List<Integer>`` or ``int[]``, ``vector<long>`` or ``vector<long long>``); in another
language with that language's LeetCode spelling of the same model (:func:`spell`). Anything
else (maps, pairs, tree and list nodes, ``void``, unsigned and 16-bit types, ``float``) is
:class:`Unsupported`: the problem's failure, never the program's.

>>> s = parse("class Solution {\\npublic:\\n    vector<int> twoSum(vector<int>& nums, int target) {\\n",
...           "twoSum")
>>> s.language, [(p.name, p.type.kind) for p in s.params], s.returns.text
('cpp', [('nums', 'list'), ('target', 'int')], 'std::vector<int>')
>>> spell(s, s.params[0].type, "java"), spell(s, s.params[0].type, "rust")
('int[]', 'Vec<i32>')
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..syntax import close, mask

LANGUAGES = ("python", "cpp", "java", "go", "rust", "javascript")
UNSERIALISABLE = "daskjudge: return value not serialisable: "
"""What a harness writes on stderr (and nothing on fd 3) for a value it cannot write. It is
defined here, where every harness module imports from, and the package's record reader
looks for it."""
SCALARS = ("int", "long", "double", "bool", "char", "string")


class Unsupported(ValueError):
    """A signature (or a test's arguments) the harness cannot be made for."""


@dataclass(frozen=True)
class Type:
    """A parameter's or the return value's type: ``kind`` is one of :data:`SCALARS`,
    ``list`` (with ``item``) or ``any`` (JavaScript, untyped); ``text`` is its spelling in the
    signature's language (owned: ``&str`` is ``String``)."""

    kind: str
    item: "Type | None" = None
    text: str = ""


@dataclass(frozen=True)
class Param:
    name: str
    type: Type
    ref: str = ""
    """Rust only: ``&`` or ``&mut `` when the function borrows the argument."""


@dataclass(frozen=True)
class Signature:
    language: str
    """The language the signature is written in."""
    name: str
    params: tuple[Param, ...]
    returns: Type | None
    """``None`` when the signature has no types (JavaScript)."""


# ---------------------------------------------------------------------------- choosing
def choose(text: str | None, language: str) -> str | None:
    """The signature text for a solution in ``language``: the object's entry for it, else
    its first entry, else ``text`` itself.

    >>> choose('{"java": "int f()", "cpp": "long long f()"}', "cpp"), choose("int f()", "go")
    ('long long f()', 'int f()')
    """
    if not text or not text.strip():
        return None
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            table = json.loads(stripped)
        except json.JSONDecodeError:
            table = None
        if isinstance(table, dict):
            texts = {_canonical(k): v for k, v in table.items() if isinstance(v, str) and v.strip()}
            if not texts:
                return None
            return texts.get(language) or next(iter(texts.values()))
    return text


def _canonical(name: str) -> str:
    name = name.strip().lower()
    return {"c++": "cpp", "golang": "go", "js": "javascript", "python3": "python",
            "rs": "rust"}.get(name, name)


# ---------------------------------------------------------------------------- parsing
def parse(text: str, name: str) -> Signature:
    """The declaration of ``name`` (or its snake_case form, Rust's) in ``text``.

    >>> parse("def f(self, a: List[List[str]], b: float) -> bool:", "f").params[0].type.item.item
    Type(kind='string', item=None, text='str')
    >>> parse("func f(a, b int, s string) []byte {", "f").returns.item.kind
    'char'
    """
    names = [name] + ([snake(name)] if snake(name) != name else [])
    for finder in (_python, _go, _rust, _javascript, _c_family):
        for n in names:
            found = finder(text, n)
            if found is not None:
                return found
    raise Unsupported(f"no declaration of {name!r} in the signature")


def snake(name: str) -> str:
    """LeetCode's Rust name for a method: ``twoSum`` → ``two_sum``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _params(text: str) -> list[str]:
    """Parameter texts at top level (``<>`` count as brackets in a parameter list)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _python(text: str, name: str) -> Signature | None:
    m = re.search(rf"\bdef\s+{re.escape(name)}\s*\(", text)
    if m is None:
        return None
    end = close(text, m.end() - 1)
    params = []
    for p in _params(text[m.end():end]):
        p = p.split("=", 1)[0].strip()
        if p in ("self", "cls") or p.startswith("*") or p == "/":
            continue
        pname, _, ann = p.partition(":")
        if not ann.strip():
            raise Unsupported(f"parameter {pname.strip()!r} has no type")
        params.append(Param(pname.strip(), _py_type(ann.strip())))
    ret = re.match(r"\s*->\s*([^:]+):", text[end + 1:])
    if ret is None:
        raise Unsupported(f"{name!r} has no return type")
    return Signature("python", name, tuple(params), _py_type(ret.group(1).strip()))


_PY = {"int": "int", "float": "double", "bool": "bool", "str": "string"}


def _py_type(t: str) -> Type:
    t = t.replace("typing.", "").strip()
    m = re.fullmatch(r"(?:List|list)\[(.+)\]", t)
    if m:
        return Type("list", _py_type(m.group(1)), t)
    if t in _PY:
        return Type(_PY[t], None, t)
    raise Unsupported(f"type {t!r}")


def _go(text: str, name: str) -> Signature | None:
    masked = mask(text, "go")
    m = re.search(rf"\bfunc\b\s*(?:\([^)]*\)\s*)?{re.escape(name)}\s*\(", masked)
    if m is None:
        return None
    end = close(masked, m.end() - 1)
    params, pending = [], []
    for p in _params(text[m.end():end]):
        words = p.split(None, 1)
        if len(words) == 1:                 # a, b int: the type comes with the last name
            pending.append(words[0])
            continue
        t = _go_type(words[1].strip())
        params += [Param(n, t) for n in pending] + [Param(words[0], t)]
        pending = []
    if pending:
        raise Unsupported(f"parameters {', '.join(pending)} have no type")
    ret = re.match(r"\s*([^{\n]*)", text[end + 1:]).group(1).strip()
    if not ret:
        raise Unsupported(f"{name!r} returns nothing")
    return Signature("go", name, tuple(params), _go_type(ret))


_GO = {"int": "int", "int64": "long", "float64": "double", "bool": "bool", "byte": "char",
       "rune": "char", "string": "string"}


def _go_type(t: str) -> Type:
    t = re.sub(r"\s+", "", t)
    if t.startswith("[]"):
        item = _go_type(t[2:])
        return Type("list", item, "[]" + item.text)
    if t in _GO:
        return Type(_GO[t], None, t)
    raise Unsupported(f"type {t!r}")


def _rust(text: str, name: str) -> Signature | None:
    masked = mask(text, "rust")
    m = re.search(rf"\bfn\s+{re.escape(name)}\s*\(", masked)
    if m is None:
        return None
    end = close(masked, m.end() - 1)
    params = []
    for p in _params(text[m.end():end]):
        if re.fullmatch(r"&?\s*(?:'\w+\s+)?(?:mut\s+)?self", p):
            continue
        pname, _, t = p.partition(":")
        pname = re.sub(r"^mut\s+", "", pname.strip())
        ref, t = _rust_ref(t.strip())
        params.append(Param(pname, _rust_type(t), ref))
    ret = re.match(r"\s*->\s*([^{;]+?)\s*(?:where\b|[{;]|\Z)", text[end + 1:])
    if ret is None:
        raise Unsupported(f"{name!r} returns nothing")
    return Signature("rust", name, tuple(params), _rust_type(_rust_ref(ret.group(1))[1]))


def _rust_ref(t: str) -> tuple[str, str]:
    m = re.match(r"&\s*(?:'\w+\s+)?(mut\s+)?", t)
    if m is None:
        return "", t.strip()
    t = t[m.end():].strip()
    if t == "str":
        t = "String"
    elif t.startswith("[") and t.endswith("]"):
        t = f"Vec<{t[1:-1].strip()}>"
    return ("&mut " if m.group(1) else "&"), t


_RUST = {"i32": "int", "i64": "long", "f64": "double", "bool": "bool", "char": "char",
         "String": "string"}


def _rust_type(t: str) -> Type:
    t = re.sub(r"\s+", "", t)
    m = re.fullmatch(r"(?:std::vec::)?Vec<(.+)>", t)
    if m:
        item = _rust_type(m.group(1))
        return Type("list", item, f"Vec<{item.text}>")
    if t in _RUST:
        return Type(_RUST[t], None, t)
    raise Unsupported(f"type {t!r}")


def _javascript(text: str, name: str) -> Signature | None:
    masked = mask(text, "js")
    n = re.escape(name)
    m = (re.search(rf"\b(?:var|let|const)\s+{n}\s*=\s*(?:async\s+)?function\b[^(]*\(", masked)
         or re.search(rf"\bfunction\s+{n}\s*\(", masked)
         or re.search(rf"\b(?:var|let|const)\s+{n}\s*=\s*\(", masked))
    if m is None:
        return None
    end = close(masked, m.end() - 1)
    names = [p.split("=", 1)[0].strip() for p in _params(text[m.end():end])]
    return Signature("javascript", name, tuple(Param(p, Type("any")) for p in names), None)


_MODIFIERS = re.compile(r"\b(?:public|private|protected|static|final|synchronized|abstract|"
                        r"inline|virtual|constexpr|explicit|friend|override|native|strictfp)\b")


def _c_family(text: str, name: str) -> Signature | None:
    masked = mask(text, "java")
    for m in re.finditer(rf"\b{re.escape(name)}\s*\(", masked):
        head = masked[:m.start()]
        cut = max([head.rfind(c) for c in ";{}"]            # after `public:` too, not `std::`
                  + [k.start() for k in re.finditer(r"(?<!:):(?!:)", head)]) + 1
        ret = _MODIFIERS.sub(" ", text[cut:m.start()]).strip()
        if not ret or ret in ("return", "new") or ret.endswith((".", "->", "=", "(", ",")):
            continue                        # a call, not a declaration
        end = close(masked, m.end() - 1)
        params = _params(text[m.end():end])
        for language, read in (("java", _java_type), ("cpp", _cpp_type)):
            try:
                got = Signature(language, name, tuple(_c_param(p, read) for p in params),
                                read(ret))
            except Unsupported:
                continue
            if language == "java" and not _is_java(ret, params):
                try:                        # spelled the same in both: read it as C++
                    return Signature("cpp", name, tuple(_c_param(p, _cpp_type) for p in params),
                                     _cpp_type(ret))
                except Unsupported:
                    pass
            return got
        _cpp_type(ret)                      # neither reads it: say which type
        for p in params:
            _c_param(p, _cpp_type)
    return None


def _is_java(ret: str, params: list[str]) -> bool:
    return bool(re.search(r"\[\]|\bString\b|\bboolean\b|\bList\s*<|\b(?:Integer|Long|Double|"
                          r"Boolean|Character)\b", " ".join([ret, *params])))


def _c_param(p: str, read) -> Param:
    m = re.fullmatch(r"(.+?)([A-Za-z_$][\w$]*)\s*((?:\[\s*\])*)", p.strip(), re.S)
    if m is None:
        raise Unsupported(f"parameter {p!r}")
    return Param(m.group(2), read(m.group(1) + m.group(3)))     # `int a[]` is `int[] a`


_JAVA = {"int": "int", "long": "long", "double": "double", "boolean": "bool", "char": "char",
         "String": "string", "Integer": "int", "Long": "long", "Double": "double",
         "Boolean": "bool", "Character": "char"}


def _java_type(t: str) -> Type:
    t = re.sub(r"\s+", "", t.replace("final ", ""))
    t = re.sub(r"^java\.(?:lang|util)\.", "", t)
    if t.endswith("[]"):
        item = _java_type(t[:-2])
        if item.kind == "list" and not item.text.endswith("[]"):
            raise Unsupported(f"type {t!r}")    # an array of lists
        return Type("list", item, item.text + "[]")
    m = re.fullmatch(r"(?:List|ArrayList)<(.+)>", t)
    if m:
        item = _java_type(m.group(1))
        if item.text in ("int", "long", "double", "boolean", "char"):
            raise Unsupported(f"type {t!r}")
        return Type("list", item, f"List<{item.text}>")
    if t in _JAVA:
        return Type(_JAVA[t], None, t)
    raise Unsupported(f"type {t!r}")


_CPP = {"int": "int", "int32_t": "int", "long": "long", "longlong": "long", "longint": "long",
        "longlongint": "long", "int64_t": "long", "double": "double", "bool": "bool",
        "char": "char", "string": "string"}
_CPP_TEXT = {"longlong": "long long", "longint": "long", "longlongint": "long long",
             "string": "std::string"}


def _cpp_type(t: str) -> Type:
    t = re.sub(r"\bconst\b|&", "", t)
    t = re.sub(r"\s+", "", t.replace("std::", ""))
    m = re.fullmatch(r"vector<(.+)>", t)
    if m:
        item = _cpp_type(m.group(1))
        return Type("list", item, f"std::vector<{item.text}>")
    if t in _CPP:
        return Type(_CPP[t], None, _CPP_TEXT.get(t, t))
    raise Unsupported(f"type {t!r}")


# ---------------------------------------------------------------------------- spelling
_DEFAULT = {
    "cpp": {"int": "int", "long": "long long", "double": "double", "bool": "bool",
            "char": "char", "string": "std::string"},
    "java": {"int": "int", "long": "long", "double": "double", "bool": "boolean",
             "char": "char", "string": "String"},
    "go": {"int": "int", "long": "int64", "double": "float64", "bool": "bool", "char": "byte",
           "string": "string"},
    "rust": {"int": "i32", "long": "i64", "double": "f64", "bool": "bool", "char": "char",
             "string": "String"},
}


def spell(sig: Signature, t: Type, language: str) -> str:
    """How ``language`` declares a value of type ``t`` of ``sig``: as written when ``sig`` is
    in that language, else LeetCode's spelling there.

    >>> s = parse("public List<List<Integer>> f(long[] a)", "f")
    >>> spell(s, s.returns, "java"), spell(s, s.returns, "cpp"), spell(s, s.params[0].type, "go")
    ('List<List<Integer>>', 'std::vector<std::vector<int>>', '[]int64')
    """
    if sig.language == language:
        return t.text
    if t.kind == "any":
        raise Unsupported("the signature has no types")
    if t.kind != "list":
        return _DEFAULT[language][t.kind]
    item = spell(sig, t.item, language)
    return {"cpp": f"std::vector<{item}>", "java": f"{item}[]", "go": f"[]{item}",
            "rust": f"Vec<{item}>"}[language]


def int_bits(sig: Signature, t: Type, language: str) -> int:
    """The width of an integer parameter as ``language`` receives it (Go's ``int`` is 64-bit;
    JavaScript's numbers hold integers exactly up to 2**53)."""
    if language == "javascript":
        return 53
    if language == "go":
        return 32 if spell(sig, t, "go") == "int32" else 64
    return 32 if t.kind == "int" else 64
