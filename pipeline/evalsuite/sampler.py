"""Ask the model for every sample not in the log yet, a bounded number at a time.

Requests run on a pool of ``sample.concurrency`` threads (they wait on the network, not on
the CPU); this thread alone writes the log, one line per finished sample, in the order
they finish. A request that still fails after its retries is counted and left out of the
log, so the next run asks for it again; the samples that did finish are kept either way.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from judges.llm import LLM, LLMError

from .answers import answer
from .prompts import build_all
from .settings import Sampling, Template
from .store import TABLE, SampleLog, SamplingMismatch, write_table


@dataclass
class SampleRun:
    """What a sampling run did."""

    folder: Path
    table: Path
    samples: int
    """Samples in the completions table (problems × n, less those still missing)."""
    requested: int
    """Requests sent in this run (the rest came from the log)."""
    reused: int
    failed: int
    errors: list[str] = field(default_factory=list)
    truncated: int = 0
    no_code: int = 0

    @property
    def complete(self) -> bool:
        return self.failed == 0

    def line(self) -> str:
        return (f"{self.samples} samples ({self.requested} requested now, {self.reused} from "
                f"the log, {self.failed} failed); truncated {self.truncated}, "
                f"no code {self.no_code} -> {self.table}")


def _sha(prompt) -> str:
    raw = prompt if isinstance(prompt, str) else json.dumps(prompt, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def sample(problems: pa.Table, template: Template, sampling: Sampling, *, benchmark: str,
           folder: str | Path, progress: bool = False) -> SampleRun:
    """Fill ``folder`` with ``sampling.n`` samples of every problem and write its
    completions table (``completions.parquet``). See the module docstring."""
    sampling.require_endpoint()
    folder = Path(folder)
    prompts = build_all(problems, template)
    params = sampling.params(template)
    # What the requests depend on; each record also keeps its prompt's digest, checked below.
    identity = {"model": sampling.model, "benchmark": benchmark, "style": template.style,
                "params": params, "seed": sampling.seed}
    log = SampleLog(folder)
    done = log.open(identity)
    shas = {pid: _sha(p) for pid, p in prompts.items()}
    for (pid, i), record in done.items():
        if pid in shas and record.get("prompt_sha256") != shas[pid]:
            log.close()
            raise SamplingMismatch(f"{log.path}: problem {pid!r} sample {i} was asked with "
                                   f"another prompt (the dataset or the template changed)")
    wanted = [(pid, i) for pid in prompts for i in range(sampling.n)]
    jobs = [key for key in wanted if key not in done]
    llm = LLM(sampling.endpoint, sampling.model, sampling.api_key(),
              timeout_s=sampling.timeout_s, retries=sampling.retries, backoff_s=sampling.backoff_s)

    def ask(pid: str, i: int):
        seed = {} if sampling.seed is None else {"seed": sampling.seed + i}
        return llm.complete(prompts[pid], **params, **seed)

    failed, errors = 0, []
    pool = ThreadPoolExecutor(max_workers=sampling.concurrency, thread_name_prefix="sample")
    try:
        futures = {pool.submit(ask, pid, i): (pid, i) for pid, i in jobs}
        bar = tqdm(total=len(jobs), desc=f"sampling {sampling.model}", unit="sample",
                   file=sys.stderr, disable=not progress or not jobs)
        for future in as_completed(futures):
            pid, i = futures[future]
            bar.update()
            try:
                c = future.result()
            except LLMError as exc:
                failed += 1
                if len(errors) < 5:
                    errors.append(f"{pid} sample {i}: {exc}")
                continue
            record = {"problem_id": pid, "sample": i, "text": c.text, "reasoning": c.reasoning,
                      "finish_reason": c.finish_reason, "prompt_tokens": c.prompt_tokens,
                      "completion_tokens": c.completion_tokens,
                      "latency_s": round(c.latency_s, 4), "prompt_sha256": shas[pid],
                      "finished_at": time.time()}
            log.append(record)
            done[(pid, i)] = record
        bar.close()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        log.close()
    rows = []
    for pid, i in wanted:
        record = done.get((pid, i))
        if record is None:
            continue
        a = answer(record["text"], record.get("finish_reason"), patterns=sampling.reasoning,
                   language=template.language, rule=template.extract,
                   on_truncated=sampling.on_truncated)
        rows.append({**record, **a, "model": sampling.model, "benchmark": benchmark,
                     "solution_id": str(i), "language": template.language})
    table = write_table(rows, folder / TABLE)
    return SampleRun(folder, table, len(rows), len(jobs), len(wanted) - len(jobs), failed, errors,
                     sum(r["truncated"] for r in rows), sum(r["code"] is None for r in rows))
