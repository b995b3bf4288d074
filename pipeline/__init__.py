"""daskjudge's pipeline: Parquet → one row per test → sandboxed runs → pass rates.

>>> import pipeline
>>> sorted(pipeline.__all__)
['Config', 'ScoreResult', 'pass_at_k', 'score']
"""

from __future__ import annotations

__all__ = ["Config", "ScoreResult", "pass_at_k", "score"]

_EXPORTS = {"Config": ".config", "ScoreResult": ".api", "score": ".api", "pass_at_k": ".reduce"}


def __getattr__(name: str):
    # Lazy: ``import pipeline.sandbox`` (used by the judges layer) must not pull in Dask.
    if name in _EXPORTS:
        from importlib import import_module
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
