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
                 n_public=len(public))
        problems.append(p)
    return problems, []
