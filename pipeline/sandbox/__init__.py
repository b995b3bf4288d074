"""The sandbox: runs one program on one input under limits and isolation.

It knows nothing of Dask, tables or judges; it reports what happened (:class:`Outcome`).

>>> from pipeline.sandbox import SlotPool, Program, Limits
>>> with SlotPool(1) as pool:
...     pool.run(Program("print(sum(map(int, input().split())))", stdin=b"1 2"), Limits()).stdout
b'3\\n'
"""

from .pool import DegradedIsolation, SlotPool
from .slot import Slot
from .records import Record, RecordKind
from .values import Interactor, Limits, Outcome, Program, SandboxError, Status

__all__ = ["DegradedIsolation", "Interactor", "Limits", "Outcome", "Program", "Record", "RecordKind",
           "SandboxError", "Slot", "SlotPool", "Status"]
