"""The ``sample`` section of a run config, and the prompt template it names.

Defaults are in ``pipeline/daskjudge.yaml`` (``daskjudge.sample``); a benchmark config sets
the template and the sampling parameters; the command line sets the model and the endpoint.
The endpoint's key is read from the environment variable named by ``api_key_env`` and is
never written anywhere.

>>> s = Sampling.from_section({"model": "m", "endpoint": "http://h/v1", "n": 4,
...                            "temperature": 0.8}, {})
>>> s.n, s.params()
(4, {'temperature': 0.8, 'top_p': 1.0, 'max_tokens': 2048})
>>> Sampling.from_section({"n": 0}, {})
Traceback (most recent call last):
...
pipeline.config.ConfigError: sample.n must be an integer of at least 1, got 0
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import ConfigError
from ..extract import RULES

STYLES = ("chat", "completion")


@dataclass(frozen=True)
class Template:
    """How a problem row becomes a prompt (a file in ``configs/prompts/``).

    style : ``chat`` (messages to ``/chat/completions``) or ``completion`` (text to
        ``/completions``: the model continues it).
    system, user : the chat messages (``system`` optional); ``prompt``: the completion text.
        ``{column}`` is the problem's column, ``{language}`` the language, ``{starter}`` the
        ``starter`` fragment when the problem has starter code (else nothing), and
        ``{first_test}`` the input of the problem's first test.
    language : the programs' language (the fences taken, the solutions' ``language``).
    extract : the rule that takes the code out of an answer (``pipeline.extract.RULES``).
    stop : stop strings sent with every request (with the section's own).
    """

    style: str = "chat"
    system: str | None = None
    user: str | None = None
    prompt: str | None = None
    starter: str = ""
    language: str = "python"
    extract: str = "last_block"
    stop: tuple[str, ...] = ()
    source: str = ""
    sha256: str = ""

    @classmethod
    def load(cls, path: str | Path) -> "Template":
        raw = Path(path).read_bytes()
        try:
            data = yaml.safe_load(raw) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        return cls.from_dict(data, source=str(path), sha256=hashlib.sha256(raw).hexdigest()[:16])

    @classmethod
    def from_dict(cls, data: dict, source: str = "template", sha256: str = "") -> "Template":
        """
        >>> Template.from_dict({"style": "completion", "prompt": "{prompt}", "extract": "whole"}).style
        'completion'
        >>> Template.from_dict({"style": "chat"})
        Traceback (most recent call last):
        ...
        pipeline.config.ConfigError: template: a chat template needs 'user'
        """
        known = {"style", "system", "user", "prompt", "starter", "language", "extract", "stop"}
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: a template is a mapping")
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"known: {', '.join(sorted(known))}")
        for key in known - {"stop"}:
            if data.get(key) is not None and not isinstance(data[key], str):
                raise ConfigError(f"{source}: {key} must be text")
        t = cls(**{k: v for k, v in data.items() if v is not None and k != "stop"},
                stop=tuple(_strings(data.get("stop") or [], f"{source}: stop")),
                source=source, sha256=sha256)
        if t.style not in STYLES:
            raise ConfigError(f"{source}: style must be chat or completion, got {t.style!r}")
        need = "user" if t.style == "chat" else "prompt"
        if not getattr(t, need):
            raise ConfigError(f"{source}: a {t.style} template needs {need!r}")
        if t.extract not in RULES:
            raise ConfigError(f"{source}: extract must be one of {', '.join(RULES)}")
        return t


@dataclass(frozen=True)
class Sampling:
    """The resolved ``sample`` section (see ``pipeline/daskjudge.yaml`` for each key)."""

    endpoint: str | None = None
    model: str | None = None
    api_key_env: str | None = "OPENAI_API_KEY"
    template: str | None = None
    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 2048
    seed: int | None = None
    stop: tuple[str, ...] = ()
    concurrency: int = 8
    retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 600.0
    reasoning: tuple[str, ...] = field(default=())
    on_truncated: str = "judge"

    @classmethod
    def from_section(cls, section: dict, overrides: dict, source: str | None = None) -> "Sampling":
        """The config's section, command-line ``overrides`` on top (None values ignored),
        the environment (``OPENAI_BASE_URL``, ``OPENAI_MODEL``) under both."""
        values = {**section, **{k: v for k, v in overrides.items() if v is not None}}
        values.setdefault("endpoint", None)
        values.setdefault("model", None)
        values["endpoint"] = values["endpoint"] or os.environ.get("OPENAI_BASE_URL")
        values["model"] = values["model"] or os.environ.get("OPENAI_MODEL")
        names = {f.name for f in cls.__dataclass_fields__.values()}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigError(f"sample: unknown key(s) {', '.join(map(repr, unknown))}")
        for key in ("n", "max_tokens", "concurrency"):
            _integer(values, key, 1)
        _integer(values, "retries", 0)
        if values.get("seed") is not None:
            _integer(values, "seed", 0)
        for key, low in (("temperature", 0.0), ("top_p", 0.0), ("backoff_s", 0.0),
                         ("timeout_s", 0.0)):
            v = values.get(key, getattr(cls, key))
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < low:
                raise ConfigError(f"sample.{key} must be a number of at least {low}, got {v!r}")
            values[key] = float(v)
        for key in ("endpoint", "model", "api_key_env", "template"):
            if values.get(key) is not None and not isinstance(values[key], str):
                raise ConfigError(f"sample.{key} must be text, got {values[key]!r}")
        values["stop"] = tuple(_strings(values.get("stop") or [], "sample.stop"))
        values["reasoning"] = tuple(_strings(values.get("reasoning") or [], "sample.reasoning"))
        for pattern in values["reasoning"]:
            try:
                re.compile(pattern, re.DOTALL)
            except re.error as exc:
                raise ConfigError(f"sample.reasoning: {pattern!r} is not a regex: {exc}") from None
        if values.get("on_truncated", "judge") not in ("judge", "fail"):
            raise ConfigError(f"sample.on_truncated must be judge or fail, "
                              f"got {values['on_truncated']!r}")
        return cls(**values)

    def params(self, template: Template | None = None) -> dict:
        """The sampling parameters of a request (and of the resume check)."""
        out = {"temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_tokens}
        stop = list(dict.fromkeys((template.stop if template else ()) + self.stop))
        if stop:
            out["stop"] = stop
        return out

    def require_endpoint(self) -> None:
        if not self.endpoint or not self.model:
            raise ConfigError("no model endpoint: give --endpoint and --model (or sample.endpoint "
                              "and sample.model in the config, or OPENAI_BASE_URL and OPENAI_MODEL)")

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def load_template(self, config_source: str | None) -> Template:
        """The template file: as given (relative to the current folder), else relative to
        the run config's folder."""
        if not self.template:
            raise ConfigError(f"{config_source or 'config'}: sample.template is not set; name "
                              f"a prompt template, e.g. configs/prompts/humaneval-chat.yaml")
        path = Path(self.template)
        if not path.is_file() and config_source and not path.is_absolute():
            beside = Path(config_source).parent / path
            path = beside if beside.is_file() else path
        if not path.is_file():
            raise ConfigError(f"sample.template: no such file {self.template!r}")
        return Template.load(path)


def _integer(values: dict, key: str, low: int) -> None:
    v = values.get(key, getattr(Sampling, key))
    if isinstance(v, bool) or not isinstance(v, int) or v < low:
        raise ConfigError(f"sample.{key} must be an integer of at least {low}, got {v!r}")
    values[key] = v


def _strings(value, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of text, got {value!r}")
    return list(value)
