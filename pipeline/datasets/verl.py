"""verl's training parquet layout (RL datasets prepared for verl, e.g. by rllm or DeepCoder).

Rows: ``data_source``, ``prompt`` (chat messages), ``ability``, ``reward_model``
(``{"style": "rule", "ground_truth": ...}``), ``extra_info`` (``{split, index, ...}``). The
ground truth is in any shape :func:`pipeline.groundtruth.problem_from_ground_truth` reads
(APPS/TACO, PrimeIntellect, LiveCodeBench, stdin lists, canonical). Problem ids are
``<data_source>/<extra_info.index>`` (the row number when there is no index); the last user
message is kept as the extra column ``question``.
"""

from __future__ import annotations

from ..groundtruth import problem_from_ground_truth
from .rows import Upstream


def _plain(value):
    return value.tolist() if hasattr(value, "tolist") else value


def _question(prompt) -> str | None:
    prompt = _plain(prompt)
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list):
        users = [m.get("content") for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        return users[-1] if users else None
    return None


def convert(rows: list[dict], options, notes: list[str]):
    problems = []
    for i, row in enumerate(rows):
        up = Upstream("verl", i, row)
        rm = up.json_field("reward_model")
        extra = up.json_field("extra_info") if row.get("extra_info") else {}
        if not isinstance(rm, dict) or not isinstance(extra, dict):
            raise up.error("reward_model and extra_info must be objects")
        source = row.get("data_source") or "verl"
        index = extra.get("index")
        pid = str(extra.get("problem_id") or f"{source}/{index if index is not None else i}")
        up.key = pid
        if "ground_truth" not in rm:
            raise up.error("reward_model has no 'ground_truth'")
        try:
            p = problem_from_ground_truth(rm["ground_truth"], problem_id=pid, data_source=source,
                                          extra_info=extra)
        except ValueError as exc:
            raise up.error(str(exc)) from None
        p.update(data_source=source, question=_question(row.get("prompt")))
        problems.append(p)
    return problems, []
