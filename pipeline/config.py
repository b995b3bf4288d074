"""Settings: packaged defaults in dask.config's ``daskjudge`` namespace, a run config on top.

A config has a few run keys (inputs, outputs, dataset, pass@k) and one section per concern:

==========  ===============================================================================
``judge``   how a test is judged: default comparator, limits, checker limits, early exit
``cluster`` where tests run: scheduler, workers, slots, isolation, partitions, retries
``serve``   ``daskjudge serve``: address, port, body and request limits, batching window
``reward``  RL rewards: ``binary``, ``fraction`` or ``score``, and what an SE rollout gets
``llm``     the OpenAI-compatible endpoint ``daskjudge judges`` asks for checkers
``sample``  ``daskjudge sample`` / ``eval`` (checked by :mod:`pipeline.evalsuite.settings`)
==========  ===============================================================================

The most used keys have flat short forms (``time_limit_s``, ``early_exit``, ``judge: lines``,
``serve_port`` …, see :data:`SHORT`): run configs, command-line options, verl's
``reward_kwargs`` and ``DASK_DASKJUDGE__TIME_LIMIT_S`` use them. Resolved once into a typed,
frozen :class:`Config`; nothing else reads dask.config. Every key is checked when the config
loads (unknown key, wrong type, unknown judge), before a cluster starts.

>>> c = Config.load(overrides={"judge": "float:1e-6", "time_limit_s": 5, "k": [1, 2]})
>>> c.judge.comparator, c.judge.time_limit_s, c.k
('float:1e-6', 5.0, (1, 2))
>>> c.replace(early_exit=True).judge.early_exit, c.replace(serve={"port": 0}).serve.port
(True, 0)
"""

from __future__ import annotations

import copy
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
class Judging:
    """How a test is judged. Every key here can change a verdict (see :data:`HASHED`)."""

    comparator: str = "lines"
    """Comparator for problems whose ``judge`` column is null (``judges.names()``)."""
    time_limit_s: float = 2.0
    """CPU seconds per test when the problem gives none."""
    memory_limit_mb: int = 512
    wall_factor: float = 2.0
    """Wall-clock backstop = ``wall_factor`` × time limit + 1 s."""
    processes: int = 8
    """RLIMIT_NPROC per test (threads count)."""
    output_limit_mb: int = 16
    """stdout cap per test: OLE above it."""
    checker_time_limit_s: float = 5.0
    """CPU seconds per check for a special judge (its own limit, not the program's)."""
    checker_memory_limit_mb: int = 512
    early_exit: bool = False
    """Stop a solution at its first failing test (the rest are SKIP)."""

    def validate(self, where: str) -> None:
        try:
            judges.get(self.comparator)
        except judges.JudgeSpecError as exc:
            raise ConfigError(f"{where}judge: {exc}") from None
        if judges.is_checker(self.comparator):
            raise ConfigError(f"{where}judge: {self.comparator!r} cannot be the default: a "
                              f"checker is set per problem, with its source in the 'checker' "
                              f"column")
        _positive(self, where + "judge.", "time_limit_s", "memory_limit_mb", "wall_factor",
                  "processes", "output_limit_mb", "checker_time_limit_s",
                  "checker_memory_limit_mb")


@dataclass(frozen=True)
class Cluster:
    """Where the tests run."""

    scheduler: str | None = None
    """Address or scheduler file of a running cluster (else ``DASK_SCHEDULER_ADDRESS``, else
    an embedded LocalCluster)."""
    workers: int | None = None
    """Embedded cluster: worker processes (null: 1)."""
    slots: int | None = None
    """Sandbox slots per worker (null: the worker's threads, its cores)."""
    isolation: str = "auto"
    """``auto`` | ``full`` | ``rootless`` | ``none``; ``CI=true`` accepts only ``full``."""
    partitions: int | None = None
    """Partitions of a scoring run (null: 4 × the cluster's slots)."""
    retries: int = 2
    """Sandbox failures retried per test before SE."""
    dashboard: str = ":8787"
    """Embedded cluster's dashboard address (a taken port falls back to a free one)."""

    def validate(self, where: str) -> None:
        if self.isolation not in ("auto", "full", "rootless", "none"):
            raise ConfigError(f"{where}cluster.isolation must be auto, full, rootless or none; "
                              f"got {self.isolation!r}")
        for key in ("slots", "workers", "partitions"):
            v = getattr(self, key)
            if v is not None and v < 1:
                raise ConfigError(f"{where}cluster.{key} must be at least 1, got {v}")
        if self.retries < 0:
            raise ConfigError(f"{where}cluster.retries must be 0 or more")


@dataclass(frozen=True)
class Serving:
    """``daskjudge serve``."""

    host: str = "127.0.0.1"
    """The address it listens on (loopback unless told otherwise)."""
    port: int = 8080
    max_body_mb: float = 16.0
    """The largest request body accepted (413 above it)."""
    max_requests: int = 1024
    """Requests waiting or running at once (429 above it)."""
    batch_ms: float = 5.0
    """Requests arriving within this window go to the cluster together."""

    def validate(self, where: str) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"{where}serve.port must be 0 (any free port) to 65535, "
                              f"got {self.port}")
        _positive(self, where + "serve.", "max_body_mb", "max_requests")
        if self.batch_ms < 0:
            raise ConfigError(f"{where}serve.batch_ms must be 0 or more")


@dataclass(frozen=True)
class Rewarding:
    """RL rewards (:mod:`pipeline.reward`)."""

    mode: str = "binary"
    """``binary`` (1.0 iff every test passes), ``fraction`` of tests passed, or ``score``:
    the solution's points over the most it could get (IOI subtasks, judges' partial points;
    :mod:`pipeline.reduce`)."""
    on_se: str = "raise"
    """A rollout whose tests ended in SE: ``raise`` or ``nan`` (never a made-up 0)."""

    def validate(self, where: str) -> None:
        _choice(self, where + "reward.", "mode", ("binary", "fraction", "score"))
        _choice(self, where + "reward.", "on_se", ("raise", "nan"))


@dataclass(frozen=True)
class LLMEndpoint:
    """The OpenAI-compatible endpoint ``daskjudge judges`` asks for checkers."""

    base_url: str | None = None
    """Else ``OPENAI_BASE_URL``."""
    model: str | None = None
    """Else ``OPENAI_MODEL``."""
    api_key_env: str = "OPENAI_API_KEY"
    """The environment variable holding the endpoint's key (never the key itself)."""
    checker_attempts: int = 3
    """Answers tried per problem before giving up on a checker."""

    def validate(self, where: str) -> None:
        if self.checker_attempts < 1:
            raise ConfigError(f"{where}llm.checker_attempts must be at least 1")


SECTIONS = {"judge": Judging, "cluster": Cluster, "serve": Serving, "reward": Rewarding,
            "llm": LLMEndpoint}

SHORT = {
    "judge": ("judge", "comparator"),          # when its value is a string
    **{k: ("judge", k) for k in ("time_limit_s", "memory_limit_mb", "wall_factor", "processes",
                                 "output_limit_mb", "checker_time_limit_s",
                                 "checker_memory_limit_mb", "early_exit")},
    **{k: ("cluster", k) for k in ("scheduler", "workers", "slots", "isolation", "partitions",
                                   "retries", "dashboard")},
    **{f"serve_{k}": ("serve", k) for k in ("host", "port", "max_body_mb", "max_requests",
                                            "batch_ms")},
    "reward": ("reward", "mode"),              # when its value is a string
    "on_se": ("reward", "on_se"),
    "llm_base_url": ("llm", "base_url"), "llm_model": ("llm", "model"),
    "llm_api_key_env": ("llm", "api_key_env"), "checker_attempts": ("llm", "checker_attempts"),
}
"""Flat short forms of section keys: ``time_limit_s`` is ``judge.time_limit_s``."""

HASHED = (
    "format", "dataset", "dataset_subset", "dataset_split", "trust", "extract", "on_missing",
    "judge.comparator", "judge.time_limit_s", "judge.memory_limit_mb", "judge.wall_factor",
    "judge.processes", "judge.output_limit_mb", "judge.checker_time_limit_s",
    "judge.checker_memory_limit_mb", "judge.early_exit", "cluster.isolation",
)
"""The settings that can change a verdict: the config hash (and a resumed run's check) is
over these and nothing else. Where files live, how many workers, the ports, pass@k and the
reward mode do not change a test's verdict."""


@dataclass(frozen=True)
class Config:
    """Everything a run needs besides its inputs' contents (see the module doc)."""

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
    k: tuple[int, ...] = (1, 5, 10)
    """pass@k columns of problems.parquet."""
    keep_output: int = 0
    """Bytes of each test's stdout and stderr kept in tests.parquet (0: none)."""
    allow_se: bool = False
    """Exit 0 even when some tests ended in SE."""
    extract: str = "last_block"
    """How code is taken out of a model's answer (``pipeline.extract.RULES``)."""
    on_missing: str = "empty"
    """An answer with no code: ``empty`` (judged as an empty program) or ``skip``."""
    judge: Judging = field(default_factory=Judging)
    cluster: Cluster = field(default_factory=Cluster)
    serve: Serving = field(default_factory=Serving)
    reward: Rewarding = field(default_factory=Rewarding)
    llm: LLMEndpoint = field(default_factory=LLMEndpoint)
    sample: dict = field(default_factory=dict, hash=False)
    """``daskjudge sample`` / ``eval``: how completions are asked of a model. Its keys are
    those of the packaged defaults, which fill the keys a config leaves out; the values are
    checked by :mod:`pipeline.evalsuite.settings`."""
    source: str | None = field(default=None, compare=False)
    """Where the run config was read from (for messages)."""

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: dict | None = None) -> "Config":
        """Defaults, then the YAML file at ``path``, then ``overrides`` (None values ignored).

        Relative input and output paths in a file are taken relative to the current
        directory, as a user typing the command expects.
        """
        values = nest(copy.deepcopy(dask.config.get("daskjudge")), "defaults: ")
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
            merge(values, nest(data.get("daskjudge", data), f"{path}: "))
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        merge(values, nest(given, ""))
        return cls.from_dict(values, source=source)

    @classmethod
    def of(cls, config: "Config | dict | str | Path | None") -> "Config":
        """A config from what an API caller passes: a Config, a dict of overrides, a YAML
        path, or None for the defaults.

        >>> Config.of({"judge": "tokens"}).judge.comparator, Config.of(None).judge.comparator
        ('tokens', 'lines')
        """
        if isinstance(config, cls):
            return config
        if isinstance(config, dict):
            return cls.load(overrides=config)
        return cls.load(config)

    @classmethod
    def from_dict(cls, values: dict, source: str | None = None) -> "Config":
        """A config from a complete mapping (sections nested or in their short forms)."""
        where = f"{source}: " if source else ""
        values = nest(values, where)
        names = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ConfigError(f"{where}unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"known: {', '.join(sorted(set(names) | set(SHORT)))}")
        clean = {}
        for key, value in values.items():
            if key in SECTIONS:
                clean[key] = _section(key, value, where)
            else:
                clean[key] = _coerce(key, value, names[key].type, where)
        cfg = cls(**clean, source=source)
        cfg.validate(where)
        return cfg

    def validate(self, where: str = "") -> None:
        for name in SECTIONS:
            getattr(self, name).validate(where)
        if not self.k or any(k < 1 for k in self.k):
            raise ConfigError(f"{where}k must be a list of positive integers, got {list(self.k)}")
        if self.keep_output < 0:
            raise ConfigError(f"{where}keep_output must be 0 or more")
        _choice(self, where, "extract", RULES)
        _choice(self, where, "on_missing", ("empty", "skip"))

    def replace(self, **changes) -> "Config":
        """A copy with ``changes`` (short forms, run keys, or a section as a dict of its
        keys); None values are ignored.

        >>> Config().replace(time_limit_s=3, cluster={"slots": 1}).judge.time_limit_s
        3.0
        """
        values = self.to_dict()
        merge(values, nest({k: v for k, v in changes.items() if v is not None}, ""))
        return Config.from_dict(values, source=self.source)

    def to_dict(self) -> dict:
        """Plain nested values (``summary.json``'s ``config``)."""
        d = dataclasses.asdict(self)
        d.pop("source")
        d["k"] = list(self.k)
        return d

    def hash(self) -> str:
        """A stable digest of the settings that change verdicts (:data:`HASHED`)."""
        d = self.to_dict()
        picked = {}
        for path in HASHED:
            value = d
            for part in path.split("."):
                value = value[part]
            picked[path] = value
        return hashlib.sha256(json.dumps(picked, sort_keys=True).encode()).hexdigest()[:16]


def nest(values: dict, where: str) -> dict:
    """``values`` with every short form moved into its section (a new dict).

    >>> nest({"time_limit_s": 3, "judge": "tokens", "k": [1]}, "")
    {'judge': {'time_limit_s': 3, 'comparator': 'tokens'}, 'k': [1]}
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in SECTIONS and isinstance(value, dict):
            merge(out.setdefault(key, {}), dict(value))
        elif key in SHORT and not (key in SECTIONS and isinstance(value, dict)):
            if key in SECTIONS and not isinstance(value, str):
                raise ConfigError(f"{where}{key} must be a section (a mapping) or the name "
                                  f"of its {SHORT[key][1]}, got {value!r}")
            section, name = SHORT[key]
            out.setdefault(section, {})[name] = value
        else:
            out[key] = value
    return out


def merge(into: dict, values: dict) -> dict:
    """Merge ``values`` into ``into``, sections key by key."""
    for key, value in values.items():
        if key in SECTIONS and isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key].update(value)
        else:
            into[key] = value
    return into


def _section(name: str, value: Any, where: str):
    cls = SECTIONS[name]
    if isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        raise ConfigError(f"{where}{name} must be a mapping of its keys, got {value!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ConfigError(f"{where}{name}: unknown key(s) {', '.join(map(repr, unknown))}; "
                          f"known: {', '.join(fields)}")
    return cls(**{k: _coerce(f"{name}.{k}", v, fields[k].type, where) for k, v in value.items()})


def _positive(obj, where: str, *keys: str) -> None:
    for key in keys:
        if getattr(obj, key) <= 0:
            raise ConfigError(f"{where}{key} must be positive, got {getattr(obj, key)}")


def _choice(obj, where: str, key: str, allowed) -> None:
    if getattr(obj, key) not in allowed:
        raise ConfigError(f"{where}{key} must be one of {', '.join(allowed)}; "
                          f"got {getattr(obj, key)!r}")


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
        # A free-form section (``sample``): the packaged defaults under the keys it leaves out.
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
