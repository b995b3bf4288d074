"""A problem row and a template to the prompt sent to the model.

>>> from pipeline.evalsuite.settings import Template
>>> t = Template.from_dict({"system": "Be brief.", "user": "Write {entry_point} in {language}.\\n{starter}",
...                         "starter": "Start from:\\n{starter_code}"})
>>> build({"problem_id": "a", "entry_point": "f", "starter_code": ""}, t)
[{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Write f in python.\\n'}]
>>> build({"problem_id": "a", "prompt": "def f():\\n"},
...       Template.from_dict({"style": "completion", "prompt": "{prompt}"}))
'def f():\\n'
"""

from __future__ import annotations

import string

import pyarrow as pa

from ..config import ConfigError
from .settings import Template


class _Row(dict):
    def __missing__(self, key):
        raise ConfigError(f"the template uses {{{key}}}, but problem {self.get('problem_id')!r} "
                          f"has no {key!r} column")


def _fill(text: str, row: _Row, where: str) -> str:
    try:
        return string.Formatter().vformat(text, (), row)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"{where}: cannot fill the template: {exc} (write a literal brace "
                          f"as {{{{ or }}}})") from None


def build(problem: dict, template: Template) -> str | list[dict]:
    """The prompt of one problem: messages for a chat template, text for a completion one."""
    row = _Row({k: "" if v is None else v for k, v in problem.items()})
    row["language"] = template.language
    tests = problem.get("tests") or []
    row["first_test"] = tests[0].get("input", "") if tests else ""
    starter = problem.get("starter_code")
    row["starter"] = _fill(template.starter, row, template.source) if starter else ""
    if template.style == "completion":
        return _fill(template.prompt, row, template.source)
    messages = []
    if template.system:
        messages.append({"role": "system", "content": _fill(template.system, row, template.source)})
    messages.append({"role": "user", "content": _fill(template.user, row, template.source)})
    return messages


def build_all(problems: pa.Table, template: Template) -> dict[str, str | list[dict]]:
    """Prompts of every problem of a problems table, by problem id (table order)."""
    return {row["problem_id"]: build(row, template) for row in problems.to_pylist()}
