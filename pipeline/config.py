"""Settings: packaged defaults in dask.config's ``daskjudge`` namespace, a run config on top.

Resolved once into a typed :class:`Config`; nothing else reads dask.config. Every key is
checked when the config loads (unknown key, wrong type, unknown judge), before a cluster
starts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask.config
import yaml

import judges

from .extract import RULES

_DEFAULTS = Path(__file__).with_name("daskjudge.yaml")
dask.config.update_defaults(yaml.safe_load(_DEFAULTS.read_text()))


class ConfigError(ValueError):
    """A run config that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Config:
    """Everything a scoring run needs besides its inputs' contents.

    >>> Config.load(overrides={"judge": "float:1e-6", "k": [1, 2]}).k
    (1, 2)
    """

    problems: str | None = None
    """Problems table: Parquet file or folder, or JSONL."""
    solutions: str | None = None
    """Solutions table: Parquet file or folder, or JSONL."""
    out: str | None = None
    """Output folder for tests/solutions/problems.parquet and summary.json."""
    format: str | None = None
    """Dataset adapter that makes the problems (``pipeline.datasets.FORMATS``); with it,
    ``solutions`` are model completions (code taken out by ``extract``), or, when not given,
    the dataset's reference solutions."""
    dataset: str | None = None
    """The adapter's source: a file, a folder or a Hugging Face id (null: its default)."""
    dataset_subset: str | None = None
    dataset_split: str | None = None
    trust: bool = False
    """Decode dataset encodings that run code when decoded (LiveCodeBench's pickled tests)."""
    judge: str = "lines"
    time_limit_s: float = 2.0
    memory_limit_mb: int = 512
    wall_factor: float = 2.0
    processes: int = 8
    output_limit_mb: int = 16
    checker_time_limit_s: float = 5.0
    """CPU seconds per check for a special judge (its own limit, not the program's)."""
    checker_memory_limit_mb: int = 512
    llm_base_url: str | None = None
    """OpenAI-compatible endpoint for ``daskjudge judges`` (else ``OPENAI_BASE_URL``)."""
    llm_model: str | None = None
    llm_api_key_env: str = "OPENAI_API_KEY"
    """The environment variable holding the endpoint's key (never the key itself)."""
    checker_attempts: int = 3
    k: tuple[int, ...] = (1, 5, 10)
    early_exit: bool = False
    isolation: str = "auto"
    slots: int | None = None
    workers: int | None = None
    scheduler: str | None = None
    partitions: int | None = None
    retries: int = 2
    keep_output: int = 0
    """Bytes of each test's stdout and stderr kept in tests.parquet (0: none)."""
    allow_se: bool = False
    dashboard: str = ":8787"
    extract: str = "last_block"
    """How code is taken out of a model's answer (``pipeline.extract.RULES``)."""
    on_missing: str = "empty"
    """An answer with no code: ``empty`` (judged as an empty program) or ``skip``."""
    reward: str = "binary"
    """RL reward (``pipeline.reward``): ``binary`` or ``fraction`` of tests passed."""
    on_se: str = "raise"
    """RL reward of a rollout whose tests ended in SE: ``raise`` or ``nan``."""
    serve_host: str = "127.0.0.1"
    """``daskjudge serve``: the address it listens on (loopback unless told otherwise)."""
    serve_port: int = 8080
    serve_max_body_mb: float = 16.0
    """``daskjudge serve``: the largest request body accepted (413 above it)."""
    serve_max_requests: int = 1024
    """``daskjudge serve``: requests waiting or running at once (429 above it)."""
    serve_batch_ms: float = 5.0
    """``daskjudge serve``: requests arriving within this window go to the cluster together."""
    sample: dict = field(default_factory=dict, hash=False)
    """``daskjudge sample`` / ``eval``: how completions are asked of a model. A section: its
    keys are those of the packaged defaults, which fill the keys a config leaves out; the
    values are checked by :mod:`pipeline.evalsuite.settings`."""
    source: str | None = field(default=None, compare=False)
    """Where the run config was read from (for messages)."""

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: dict | None = None) -> "Config":
        """Defaults, then the YAML file at ``path``, then ``overrides`` (None values ignored).

        Relative input and output paths in a file are taken relative to the current
        directory, as a user typing the command expects.
        """
        values: dict[str, Any] = dict(dask.config.get("daskjudge"))
        source = None
        if path is not None:
            source = str(path)
            try:
                data = yaml.safe_load(Path(path).read_text()) or {}
            except FileNotFoundError:
                raise ConfigError(f"{path}: no such config file") from None
            except yaml.YAMLError as exc:
                raise ConfigError(f"{path}: not valid YAML: {exc}") from None
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: a config is a mapping of keys to values")
            data = data.get("daskjudge", data)
            values.update(data)
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls.from_dict(values, source=source)

    @classmethod
    def of(cls, config: "Config | dict | str | Path | None") -> "Config":
        """A config from what an API caller passes: a Config, a dict of overrides, a YAML
        path, or None for the defaults.

        >>> Config.of({"judge": "tokens"}).judge, Config.of(None).judge
        ('tokens', 'lines')
        """
        if isinstance(config, cls):
            return config
        if isinstance(config, dict):
            return cls.load(overrides=config)
        return cls.load(config)

    @classmethod
    def from_dict(cls, values: dict, source: str | None = None) -> "Config":
        where = f"{source}: " if source else ""
        names = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ConfigError(f"{where}unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"known: {', '.join(sorted(names))}")
        clean = {}
        for key, value in values.items():
            clean[key] = _coerce(key, value, names[key].type, where)
        cfg = cls(**clean, source=source)
        cfg.validate(where)
        return cfg

    def validate(self, where: str = "") -> None:
        try:
            judges.get(self.judge)
        except judges.JudgeSpecError as exc:
            raise ConfigError(f"{where}judge: {exc}") from None
        if judges.is_checker(self.judge):
            raise ConfigError(f"{where}judge: {self.judge!r} cannot be the default: a checker "
                              f"is set per problem, with its source in the 'checker' column")
        for key in ("time_limit_s", "memory_limit_mb", "wall_factor", "processes",
                    "output_limit_mb", "checker_time_limit_s", "checker_memory_limit_mb"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"{where}{key} must be positive, got {getattr(self, key)}")
        if not self.k or any(k < 1 for k in self.k):
            raise ConfigError(f"{where}k must be a list of positive integers, got {list(self.k)}")
        if self.isolation not in ("auto", "full", "rootless", "none"):
            raise ConfigError(f"{where}isolation must be auto, full, rootless or none; "
                              f"got {self.isolation!r}")
        for key in ("slots", "workers", "partitions"):
            v = getattr(self, key)
            if v is not None and v < 1:
                raise ConfigError(f"{where}{key} must be at least 1, got {v}")
        if self.checker_attempts < 1:
            raise ConfigError(f"{where}checker_attempts must be at least 1")
        if not 0 <= self.serve_port <= 65535:
            raise ConfigError(f"{where}serve_port must be 0 (any free port) to 65535, "
                              f"got {self.serve_port}")
        for key in ("serve_max_body_mb", "serve_max_requests"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"{where}{key} must be positive, got {getattr(self, key)}")
        if self.serve_batch_ms < 0:
            raise ConfigError(f"{where}serve_batch_ms must be 0 or more")
        for key in ("retries", "keep_output"):
            if getattr(self, key) < 0:
                raise ConfigError(f"{where}{key} must be 0 or more")
        for key, allowed in _CHOICES.items():
            if getattr(self, key) not in allowed:
                raise ConfigError(f"{where}{key} must be one of {', '.join(allowed)}; "
                                  f"got {getattr(self, key)!r}")

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("source")
        d["k"] = list(self.k)
        return d

    def hash(self) -> str:
        """A stable digest of the settings that change verdicts (not where files live)."""
        d = self.to_dict()
        for key in ("problems", "solutions", "out", "scheduler", "workers", "dashboard",
                    "partitions", "keep_output", "allow_se", "reward", "on_se", "serve_host",
                    "serve_port", "serve_max_body_mb", "serve_max_requests", "serve_batch_ms"):
            d.pop(key)
        for key in ("llm_base_url", "llm_model", "llm_api_key_env", "checker_attempts", "sample"):
            d.pop(key)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


_CHOICES = {"extract": RULES, "on_missing": ("empty", "skip"), "reward": ("binary", "fraction"),
            "on_se": ("raise", "nan")}

_TYPES = {"str": str, "float": float, "int": int, "bool": bool, "dict": dict}


def _coerce(key: str, value: Any, annotation: str, where: str) -> Any:
    if value is None:
        if "None" in annotation:
            return None
        raise ConfigError(f"{where}{key} cannot be null")
    if key == "k":
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise ConfigError(f"{where}k must be a list of integers, got {value!r}")
        return tuple(sorted(set(value)))
    base = annotation.split(" | ")[0]
    want = _TYPES[base]
    if want is dict and isinstance(value, dict):
        # A section: the packaged defaults under the keys a config leaves out.
        defaults = dask.config.get(f"daskjudge.{key}", {})
        unknown = sorted(set(value) - set(defaults))
        if unknown:
            raise ConfigError(f"{where}{key}: unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"known: {', '.join(sorted(defaults))}")
        return {**defaults, **value}
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if want is str and isinstance(value, Path):
        return str(value)
    if not isinstance(value, want) or (want is int and isinstance(value, bool)):
        raise ConfigError(f"{where}{key} must be {base}, got {value!r}")
    return value
