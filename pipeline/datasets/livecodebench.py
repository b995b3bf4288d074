"""LiveCodeBench ``code_generation_lite`` (MIT): stdin and functional (LeetCode) problems.

Rows: ``question_id``, ``question_title``, ``question_content``, ``platform``,
``contest_id``, ``contest_date``, ``starter_code``, ``difficulty``, ``public_test_cases``
(JSON text), ``private_test_cases`` (JSON text, or base64 of zlib of a pickle of JSON text),
``metadata`` (JSON text; ``func_name`` for functional problems). Tests are the public then
the private ones (``n_public`` says how many are public); each is
``{"input", "output", "testtype": "stdin" | "functional"}``, converted by
:func:`pipeline.groundtruth.problem_from_ground_truth` (functional input: one JSON argument
per line). ``starter_code``, ``difficulty``, ``platform`` and ``contest_date`` are kept as
extra columns.

Solutions in C++, Java, Go, Rust or JavaScript are called by a harness generated from the
problem's ``signature`` (:mod:`pipeline.sandbox.languages.function.signature`). LiveCodeBench
has only the Python starter code, which serves when nothing else does (its ``int`` is read
as 32-bit). A row that carries more is kept: a ``signature`` field (one declaration, or an
object of one per language), or LeetCode's own ``codeSnippets`` (``[{"langSlug": "cpp",
"code": …}, …]``, as LeetCode's API gives them), whose C++, Java, Go, Rust and JavaScript
starters become the ``signature`` column as a JSON object by language.

Encoded private tests are decoded only with ``trust=True`` (``--trust`` on the command line):
decoding unpickles, and unpickling can run code. Even then the unpickler here refuses every
class and function reference, so only plain strings, numbers and containers can come out.

The dataset's loading script is not run; point SOURCE at its ``test*.jsonl`` files (or a
folder of them).
"""

from __future__ import annotations

import base64
import io as _io
import json
import pickle
import zlib

from ..groundtruth import problem_from_ground_truth
from .rows import Upstream, difficulty

DEFAULT_SOURCE = "livecodebench/code_generation_lite"


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: the private tests "
                                     f"should hold only JSON text")


def decode_private(text: str, *, trust: bool, where: Upstream) -> list:
    """The private tests: JSON text, or (with ``trust``) base64/zlib/pickle-encoded JSON text."""
    if not text:
        return []
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    if not trust:
        raise where.error("private_test_cases are encoded (base64/zlib/pickle); decoding "
                          "unpickles, so it is done only when asked: pass --trust "
                          "(trust=True) for a source you trust")
    try:
        raw = zlib.decompress(base64.b64decode(text))
        value = _PlainUnpickler(_io.BytesIO(raw)).load()
        return json.loads(value) if isinstance(value, (str, bytes)) else value
    except Exception as exc:       # binascii, zlib, pickle and JSON errors alike
        raise where.error(f"private_test_cases could not be decoded: "
                          f"{type(exc).__name__}: {exc}") from None


def convert(rows: list[dict], options, notes: list[str]):
    problems = []
    for i, row in enumerate(rows):
        up = Upstream("livecodebench", i, row, row.get("question_id"))
        pid = str(up.need("question_id", (str, int)))
        public = up.json_field("public_test_cases")
        private = decode_private(up.get("private_test_cases", ""), trust=options.trust, where=up)
        meta = up.get("metadata", "{}")
        try:
            p = problem_from_ground_truth(list(public) + list(private), problem_id=pid,
                                          data_source="livecodebench",
                                          extra_info={"metadata": meta})
        except ValueError as exc:
            raise up.error(str(exc)) from None
        p.update(starter_code=up.get("starter_code", ""), difficulty=difficulty(row.get("difficulty")),
                 platform=row.get("platform"), contest_date=row.get("contest_date"),
                 n_public=len(public), signature=signatures(row, up))
        problems.append(p)
    return problems, []


# LeetCode's langSlug for each language whose solutions a harness calls.
_SLUGS = {"cpp": "cpp", "java": "java", "golang": "go", "rust": "rust", "javascript": "javascript"}


def signatures(row: dict, up: Upstream) -> str | None:
    """The ``signature`` column of a row: its own ``signature``, else its LeetCode
    ``codeSnippets`` as ``{"language": starter}`` JSON, else ``None`` (the Python starter).

    >>> signatures({"codeSnippets": [{"langSlug": "cpp", "code": "int f(int a) {}"},
    ...                              {"langSlug": "python3", "code": "def f(self, a: int):"}]},
    ...            Upstream("livecodebench", 0, {}))
    '{"cpp": "int f(int a) {}"}'
    """
    given = row.get("signature")
    if isinstance(given, dict):
        given = json.dumps(given)
    if isinstance(given, str) and given.strip():
        return given
    snippets = row.get("codeSnippets") or row.get("code_snippets")
    if isinstance(snippets, str):
        snippets = up.json_field("codeSnippets" if "codeSnippets" in row else "code_snippets")
    if not snippets:
        return None
    if not isinstance(snippets, list) or not all(isinstance(x, dict) for x in snippets):
        raise up.error("codeSnippets must be a list of {langSlug, code}")
    table = {_SLUGS[x.get("langSlug")]: x["code"] for x in snippets
             if x.get("langSlug") in _SLUGS and isinstance(x.get("code"), str)}
    return json.dumps(table) if table else None
