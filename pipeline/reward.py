"""RL rewards for verl (and other trainers): a training step's rollouts scored on the cluster.

Three entry points, all with verl's argument names, all backed by one process-wide
:class:`RewardScorer` created on first use (it keeps its Dask client and its workers' warm
sandbox slots between steps, so a step pays no start-up):

- :func:`compute_score` — verl's custom reward signature, one rollout per call
  (``custom_reward_function.name: compute_score``).
- :func:`compute_scores` — a whole step at once, as verl's ``batch`` reward manager calls it:
  ``compute_scores(data_sources=, solution_strs=, ground_truths=, extra_infos=, **kwargs)``.
- :func:`compute_score_async` — the single-rollout signature as a coroutine. verl's reward
  loop awaits all rollouts of a chunk together; concurrent calls are gathered into one batch
  (one pipeline run) and each caller gets its own result.

Every rollout's ground truth (any shape :mod:`pipeline.groundtruth` reads) becomes a problem,
its code is taken out of the completion by the ``extract`` rule, identical (problem, code)
pairs are judged once, and the pipeline's stages (expand, execute, reduce) do the judging on
the cluster: this module adds none.

Each rollout's result is a dict (verl logs every key but ``score`` as ``reward_extra_info``)::

    {"score": 1.0, "acc": 1.0, "verdict": "AC", "passed": 10, "total": 10,
     "first_failure": -1, "time_s": 0.031, "duplicate": False}

``score`` follows the ``reward`` setting: ``binary`` (1.0 when every test passes, else 0.0),
``fraction`` (tests passed / tests) or ``score`` (the solution's points over the most it
could get: IOI subtasks and judges' partial points, :mod:`pipeline.reduce`). ``acc`` is the
binary all-pass either way.
``first_failure`` is the index of the first non-AC test (-1 when none), ``time_s`` the CPU
seconds of the rollout's tests, ``duplicate`` whether an identical rollout earlier in the
batch was judged in its place. With ``early_exit: true`` a rollout stops at its first
failing test (the rest are SKIP): the cheap way to compute a binary reward, and refused with
``reward: fraction`` and ``reward: score``, whose counts it would cut short.

A completion with no code block is judged as an empty program (``on_missing: empty``), or
not run at all (``on_missing: skip``: score 0.0, verdict ``NO_CODE``).

Infrastructure failures are never a 0: a rollout whose tests end in SE (after the sandbox's
retries) makes the step raise :class:`RewardInfraError` (``on_se: raise``, the default; verl
stops the run rather than train on a made-up reward), or gets ``score`` and ``acc`` NaN with
verdict ``SE`` (``on_se: nan``; mask those rollouts before computing advantages).

A ground truth that cannot be read is a data error, not a reward: the call raises
``ValueError`` naming the rollout and what is wrong with it.

Keyword arguments named like a config key (``reward``, ``early_exit``, ``extract``,
``time_limit_s`` …, e.g. from verl's ``custom_reward_function.reward_kwargs``) apply to that
call; the cluster keys (``scheduler``, ``workers``, ``slots``, ``isolation``, ``dashboard``)
are fixed when the scorer starts. Other keyword arguments (verl passes some, such as
``reward_router_address``) are ignored.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import json
import math
import threading
import time
import uuid
import weakref
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

# Absolute imports: verl may load this file by path (custom_reward_function.path) as well
# as by package (pkg://pipeline.reward).
from pipeline import cluster, events, expand, io, worker
from pipeline.config import SECTIONS, SHORT, Config, ConfigError
from pipeline.extract import extract_code
from pipeline.groundtruth import problem_from_ground_truth

NO_CODE = "NO_CODE"
"""Verdict of a rollout with no code when ``on_missing`` is ``skip``."""

_RUN_KEYS = tuple(f for f in Config.__dataclass_fields__
                  if f not in SECTIONS and f not in ("source", "problems", "solutions", "out"))
_NAME_HINTS = ("fn_name", "func_name", "entry_point", "metadata")
_PROBLEM_CACHE = 8192


class RewardInfraError(RuntimeError):
    """Some rollouts could not be judged: their tests ended in SE after the retries."""


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _key(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=_json_default)


class RewardScorer:
    """A long-lived scorer: one Dask client and its warm sandbox slots, many steps.

    ``config`` is a :class:`~pipeline.config.Config`, a dict of overrides or a YAML path;
    ``client`` an existing ``distributed.Client`` (not closed by :meth:`close`). Without a
    client the scorer connects to the config's ``scheduler`` or ``DASK_SCHEDULER_ADDRESS``, or
    starts an embedded LocalCluster, when it is first used (or on :meth:`start`).

    Example, in a script (the embedded cluster starts its workers with ``spawn``)::

        from pipeline.reward import RewardScorer

        if __name__ == "__main__":
            with RewardScorer({"early_exit": True}) as scorer:
                for batch in steps:
                    results = scorer.score(batch.data_sources, batch.completions,
                                           batch.ground_truths, batch.extra_infos)
                    rewards = [r["score"] for r in results]
    """

    def __init__(self, config: Config | dict | str | Path | None = None, *, client=None):
        self.config = Config.of(config)
        _check(self.config)
        self._given = client
        self._client = None
        self._stack: ExitStack | None = None
        self._lock = threading.Lock()
        self._problems: dict[tuple, dict | ValueError] = {}
        self._batchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.last_step: dict = {}
        """What the last :meth:`score` call did: rollouts, judged, duplicates, time …"""
        self.info: dict = {}
        """The sandbox's health on each worker when the scorer started."""
        self._run = f"reward-{uuid.uuid4().hex[:8]}"
        self._steps = 0
        self._last_run: str | None = None
        """Each step is a run on the Verifier page: ``reward-ID-stepN``."""

    # ----------------------------------------------------------------------- lifetime

    def start(self) -> "RewardScorer":
        """Connect (or start the embedded cluster) and wait until every sandbox slot is warm."""
        with self._lock:
            if self._client is None:
                stack = ExitStack()
                client = stack.enter_context(cluster.connect(self.config, self._given))
                self.info = client.run(worker.sandbox_info)
                self._stack, self._client = stack, client
        return self

    @property
    def client(self):
        return self.start()._client

    def close(self) -> None:
        """Close the client and the embedded cluster if this scorer started them."""
        with self._lock:
            if self._stack is not None:
                self._stack.close()
            self._stack = self._client = None

    def __enter__(self) -> "RewardScorer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------------- scoring

    def score(self, data_sources: Sequence, solution_strs: Sequence[str],
              ground_truths: Sequence, extra_infos: Sequence | None = None,
              **kwargs) -> list[dict]:
        """Score one step's rollouts; one result dict per rollout, in order (see module doc)."""
        started = time.monotonic()
        cfg = self._step_config(kwargs)
        n = len(solution_strs)
        data_sources = list(data_sources) if data_sources is not None else [None] * n
        ground_truths = list(ground_truths)
        extra_infos = list(extra_infos) if extra_infos is not None else [None] * n
        if not len(data_sources) == len(ground_truths) == len(extra_infos) == n:
            raise ValueError(f"{n} solution_strs but {len(data_sources)} data_sources, "
                             f"{len(ground_truths)} ground_truths and {len(extra_infos)} "
                             f"extra_infos; give one of each per rollout")

        problems: dict[str, dict] = {}
        solutions: dict[tuple[str, str], dict] = {}
        keys: list[tuple[str, str] | None] = []
        pids: list[str] = []
        duplicate: list[bool] = []
        for i in range(n):
            row = self._problem(i, data_sources[i], ground_truths[i], extra_infos[i])
            problems.setdefault(row["problem_id"], row)
            pids.append(row["problem_id"])
            code = extract_code(solution_strs[i], rule=cfg.extract)
            if code is None and cfg.on_missing == "skip":
                keys.append(None)
                duplicate.append(False)
                continue
            key = (row["problem_id"], "c" + _digest(code or ""))
            duplicate.append(key in solutions)
            solutions.setdefault(key, {"problem_id": key[0], "solution_id": key[1],
                                       "language": "python", "code": code or ""})
            keys.append(key)

        self._last_run = None
        judged, n_tests, test_verdicts = self._judge(problems, list(solutions.values()), cfg)
        results = []
        for i, key in enumerate(keys):
            if key is None:
                r = {"score": 0.0, "acc": 0.0, "verdict": NO_CODE, "passed": 0,
                     "total": len(problems[pids[i]]["tests"]), "first_failure": 0, "time_s": 0.0}
            else:
                r = dict(judged[key])
            r["duplicate"] = duplicate[i]
            results.append(r)
        verdicts = Counter(r["verdict"] for r in results)
        self.last_step = {
            "rollouts": n, "problems": len(problems), "judged": len(solutions),
            "duplicates": sum(duplicate), "no_code": verdicts.get(NO_CODE, 0),
            "tests": n_tests, "test_verdicts": test_verdicts, "verdicts": dict(verdicts),
            "reward": cfg.reward.mode, "early_exit": cfg.judge.early_exit,
            "run": self._last_run,
            "wall_s": round(time.monotonic() - started, 3),
        }
        return results

    def _step_config(self, kwargs: dict) -> Config:
        """The scorer's config with a call's keyword arguments that name config keys (short
        forms such as ``early_exit``, run keys, or a section as a dict); the cluster's keys
        are fixed when the scorer starts."""
        step = {k: v for k, v in kwargs.items()
                if k in SHORT or k in SECTIONS or k in _RUN_KEYS}
        if not step:
            return self.config
        cfg = self.config.replace(**step)
        if cfg.cluster != self.config.cluster:
            fixed = [k for k in step if k == "cluster" or SHORT.get(k, ("",))[0] == "cluster"]
            raise ConfigError(f"{', '.join(fixed)} cannot change per call: they are fixed "
                              f"when the scorer starts (pipeline.reward.configure)")
        _check(cfg)
        return cfg

    def _problem(self, i: int, data_source, ground_truth, extra_info) -> dict:
        info = extra_info if isinstance(extra_info, dict) else {}
        hints = _key({k: info.get(k) for k in _NAME_HINTS if info.get(k) is not None})
        key = (_key(ground_truth), hints)
        row = self._problems.get(key)
        if row is None:
            try:
                row = problem_from_ground_truth(ground_truth, problem_id="rollout",
                                                data_source=data_source, extra_info=info)
                content = {k: v for k, v in row.items() if k != "problem_id"}
                row["problem_id"] = "p" + _digest(_key(content))
            except ValueError as exc:
                row = exc
            if len(self._problems) >= _PROBLEM_CACHE:
                self._problems.clear()
            self._problems[key] = row
        if isinstance(row, ValueError):
            where = f"rollout {i}" + (f" (data_source {data_source})" if data_source else "")
            raise ValueError(f"{where}: {row}".replace("problem 'rollout'", "this rollout"))
        return row

    def _judge(self, problems: dict[str, dict], solutions: list[dict],
               cfg: Config) -> tuple[dict[tuple[str, str], dict], int, dict]:
        """Run the step's unique solutions on the cluster (:func:`pipeline.worker.run_solutions`:
        expand, run, reduce per solution): a result dict per (problem, code id), the number
        of tests run and their verdict counts."""
        if not solutions:
            return {}, 0, {}
        wanted = {s["problem_id"] for s in solutions}
        used = [p for pid, p in problems.items() if pid in wanted]
        resolved = expand.resolve(io.read_problems(used), cfg)
        sols = pd.DataFrame(solutions)
        client = self.client
        slots = sum(len(i.get("slots", [])) for i in self.info.values()) or 1
        chunks = max(1, min(len(sols), 4 * slots))
        bounds = [len(sols) * k // chunks for k in range(chunks + 1)]
        n_tests = dict(zip(resolved["problem_id"].astype(object), resolved["tests"].map(len)))
        expected = sum(n_tests[p] for p in sols["problem_id"])
        self._steps += 1
        run = self._last_run = f"{self._run}-step{self._steps}"
        events.run_started(client, run, rows=expected, partitions=chunks, slots=self.info)
        started, failed = time.monotonic(), True
        try:
            futures = []
            for a, b in zip(bounds, bounds[1:]):
                part = sols.iloc[a:b].reset_index(drop=True)
                need = resolved[resolved["problem_id"].astype(object).isin(set(part["problem_id"]))]
                futures.append(client.submit(worker.run_solutions, part,
                                             need.reset_index(drop=True), cfg, run,
                                             pure=False, resources={"sandbox": 1}))
            parts = client.gather(futures)
            failed = False
        finally:
            events.run_finished(client, run, round(time.monotonic() - started, 3), failed=failed)
        tests = pd.concat([t for t, _ in parts], ignore_index=True)
        per_solution = pd.concat([s for _, s in parts], ignore_index=True)
        if len(tests) != expected or len(per_solution) != len(sols):
            raise RuntimeError(f"incomplete results: {len(tests)} test rows for {expected} "
                               f"(solution, test) pairs, {len(per_solution)} solutions for "
                               f"{len(sols)}")
        verdict = tests["verdict"].astype(object)
        out = {}
        se = []
        for s in per_solution.itertuples(index=False):
            key = (s.problem_id, s.solution_id)
            if pd.isna(s.accepted):
                se.append(key)
                score = acc = math.nan
            else:
                acc = 1.0 if s.accepted else 0.0
                score = {"binary": acc, "fraction": float(s.pass_fraction),
                         "score": float(s.score) / float(s.max_score)}[cfg.reward.mode]
            out[key] = {"score": score, "acc": acc, "verdict": str(s.verdict),
                        "passed": int(s.n_passed), "total": int(s.n_tests),
                        "first_failure": -1 if pd.isna(s.first_failure) else int(s.first_failure),
                        "time_s": round(float(s.time_s), 6)}
        if se and cfg.reward.on_se == "raise":
            messages = tests.loc[verdict == "SE", "message"].astype(object).fillna("")
            detail = "; ".join(sorted(set(m[:200] for m in messages)))[:1000]
            raise RewardInfraError(f"{len(se)} of {len(solutions)} solutions could not be "
                                   f"judged (SE after {cfg.cluster.retries} retries): {detail}. "
                                   f"Set on_se: nan to get NaN rewards for them instead")
        return out, len(tests), dict(Counter(verdict))

    # ----------------------------------------------------------------------- async

    async def score_async(self, data_source, solution_str: str, ground_truth,
                          extra_info: dict | None = None, **kwargs) -> dict:
        """One rollout, gathered with the other calls awaiting on this event loop."""
        loop = asyncio.get_running_loop()
        batcher = self._batchers.get(loop)
        if batcher is None:
            batcher = self._batchers[loop] = _Batcher(self, loop)
        return await batcher.submit((data_source, solution_str, ground_truth, extra_info), kwargs)


def _check(cfg: Config) -> None:
    if cfg.reward.mode in ("fraction", "score") and cfg.judge.early_exit:
        raise ConfigError(f"reward: {cfg.reward.mode} needs every test run; early_exit cuts "
                          f"the counts short (use it with reward: binary)")


class _Batcher:
    """Gathers concurrent :meth:`RewardScorer.score_async` calls into one :meth:`score`.

    A batch is sent when no call has arrived for ``quiet_s`` (verl's reward loop starts every
    rollout of its chunk at once, so they arrive within milliseconds), or ``max_wait_s``
    after its first call, whichever is first. Batches run in the loop's default executor.
    """

    def __init__(self, scorer: RewardScorer, loop: asyncio.AbstractEventLoop,
                 quiet_s: float = 0.05, max_wait_s: float = 1.0):
        self.scorer, self.loop = scorer, loop
        self.quiet_s, self.max_wait_s = quiet_s, max_wait_s
        self.pending: list[tuple[tuple, dict, asyncio.Future]] = []
        self.first = 0.0
        self.timer: asyncio.TimerHandle | None = None

    async def submit(self, item: tuple, kwargs: dict) -> dict:
        future = self.loop.create_future()
        if not self.pending:
            self.first = self.loop.time()
        self.pending.append((item, kwargs, future))
        if self.timer is not None:
            self.timer.cancel()
        delay = min(self.quiet_s, self.first + self.max_wait_s - self.loop.time())
        self.timer = self.loop.call_later(max(0.0, delay), self.flush)
        return await future

    def flush(self) -> None:
        batch, self.pending, self.timer = self.pending, [], None
        groups: dict[str, list] = {}
        for entry in batch:
            groups.setdefault(_key(entry[1]), []).append(entry)
        for entries in groups.values():
            columns = list(zip(*(item for item, _, _ in entries)))
            job = self.loop.run_in_executor(
                None, lambda c=columns, kw=entries[0][1]: self.scorer.score(*c, **kw))
            job.add_done_callback(lambda done, e=entries: _deliver(done, e))


def _deliver(done: asyncio.Future, entries: list) -> None:
    error = done.exception()
    for i, (_, _, future) in enumerate(entries):
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(done.result()[i])


# --------------------------------------------------------------------------- module level

_scorer: RewardScorer | None = None
_scorer_lock = threading.Lock()


def configure(config: Config | dict | str | Path | None = None, *, client=None) -> RewardScorer:
    """Replace the process-wide scorer (closing the old one) and return it.

    Call it once before training to choose a config or hand over a client; without it the
    first reward call makes a scorer from the packaged defaults, ``DASK_DASKJUDGE__*``
    variables and ``DASK_SCHEDULER_ADDRESS``.
    """
    global _scorer
    with _scorer_lock:
        if _scorer is not None:
            _scorer.close()
        _scorer = RewardScorer(config, client=client)
        return _scorer


def get_scorer() -> RewardScorer:
    """The process-wide scorer, created on first use."""
    global _scorer
    with _scorer_lock:
        if _scorer is None:
            _scorer = RewardScorer()
        return _scorer


@atexit.register
def _close() -> None:
    if _scorer is not None:
        _scorer.close()


def compute_score(data_source, solution_str: str, ground_truth, extra_info: dict | None = None,
                  **kwargs) -> dict:
    """verl's custom reward function: one rollout → its result dict (``score`` and details).

    Each call is a pipeline run of its own; for a whole step use :func:`compute_scores` or
    :func:`compute_score_async`.
    """
    return get_scorer().score([data_source], [solution_str], [ground_truth], [extra_info],
                              **kwargs)[0]


def compute_scores(data_sources: Sequence, solution_strs: Sequence[str], ground_truths: Sequence,
                   extra_infos: Sequence | None = None, **kwargs) -> list[dict]:
    """A whole step's rollouts at once, as verl's batch reward manager calls it."""
    return get_scorer().score(data_sources, solution_strs, ground_truths, extra_infos, **kwargs)


async def compute_score_async(data_source, solution_str: str, ground_truth,
                              extra_info: dict | None = None, **kwargs) -> dict:
    """:func:`compute_score` as a coroutine; concurrent calls are judged as one batch."""
    return await get_scorer().score_async(data_source, solution_str, ground_truth, extra_info,
                                          **kwargs)
