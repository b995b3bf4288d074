"""The trusted test process of a Python ``assert`` test.

It runs the test code in an interpreter the candidate never touched: forked from the
runner before the candidate's process, non-dumpable after it drops to the slot's uid (so
the candidate, same uid, can neither trace it nor open its descriptors), reading its code
and the test's secret from a memfd the candidate never held. The test code sees the
solution's names through its globals: a name it does not define is fetched from the
candidate's process, as data or as a :class:`Remote` handle whose every operation is a
request there. Equality, hashing and ordering of what comes back run here, on builtin
types; a handle equals only itself.

Its record, on its own pipe, carries the secret: ``completed`` only when the test code ran
to its end and the candidate's process neither ended nor broke the protocol meanwhile.
"""

from __future__ import annotations

import builtins
import json
import os

from . import wire
from .child import SETUP_FD, exit_code, prepare, set_up_failed, text_of

RESULT_FD, REQUEST_FD, REPLY_FD, CODE_FD = 3, 4, 5, 6
GONE = 86
"""The test process's exit status when the candidate's process ended first: the runner then
waits for that end, and reports it (its signal may be SIGXCPU: TLE, not WA)."""


class Gone(BaseException):
    """The candidate's process ended (or stopped answering) during the test."""


class SolutionError(Exception):
    """An exception of a type the solution defined, raised in its process."""


class _Link:
    """The request/reply channel to the candidate's process. Once it has failed, every
    further use fails the same way: a test that catches the error still cannot pass."""

    def __init__(self) -> None:
        self.failed: BaseException | None = None

    def ask(self, msg: dict, args: tuple = (), kwargs: dict | None = None):
        """Send ``msg``, return the decoded answer. ``args``/``kwargs`` are the test's own
        objects a call sent, updated in place when the solution mutated them."""
        if self.failed is not None:
            raise self.failed
        try:
            try:
                wire.write_frame(REQUEST_FD, msg)
            except OSError:
                raise Gone("the program ended during the test") from None
            reply = wire.read_frame(REPLY_FD)
            if reply is None:
                raise Gone("the program ended during the test")
            if type(reply) is not dict:
                raise wire.Broken("reply is not an object")
            return self._value(reply, msg, args, kwargs or {})
        except (Gone, wire.Broken) as exc:
            self.failed = exc
            raise

    def _value(self, reply: dict, msg: dict, args: tuple, kwargs: dict):
        if "ok" in reply:
            value = wire.decode(reply["ok"], Remote)
            if "w" in reply:
                self._write_back(reply["w"], args, kwargs)
            return value
        if reply.get("stop") is True and msg.get("op") == "next":
            raise StopIteration
        if type(reply.get("err")) is str:
            raise _rebuild(reply["err"], reply.get("msg"), reply.get("builtin") is True)
        raise wire.Broken("reply of no known kind")

    def _write_back(self, back, args: tuple, kwargs: dict) -> None:
        if type(back) is not list:
            raise wire.Broken("write-back")
        for item in back:
            if type(item) is not list or len(item) != 2:
                raise wire.Broken("write-back")
            key, value = item
            mine = (args[key] if type(key) is int and 0 <= key < len(args)
                    else kwargs.get(key) if type(key) is str else None)
            new = wire.decode(value, None)
            if type(mine) is not type(new):
                continue
            if type(mine) in (list, bytearray):
                mine[:] = new
            else:
                mine.clear()
                mine.update(new)


LINK = _Link()


def _rebuild(name: str, message, builtin: bool) -> BaseException:
    text = message if type(message) is str else ""
    cls = getattr(builtins, name, None) if builtin else None
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(text)
        except Exception:
            pass
    return SolutionError(f"{name}: {text}" if text else name)


def _send(value) -> dict:
    try:
        return wire.encode(value, _handle)
    except wire.NotPlain as exc:
        raise TypeError(f"cannot pass this value to the solution: {exc}") from None


def _handle(obj) -> int:
    if type(obj) is Remote:
        return object.__getattribute__(obj, "_h")
    raise wire.NotPlain(f"a {type(obj).__name__} made by the test code")


def _expect(value, *types):
    if type(value) not in types:
        raise wire.Broken(f"expected {types[0].__name__}, got {type(value).__name__}")
    return value


class Remote:
    """An object that lives in the candidate's process; every use is a request there."""

    __slots__ = ("_h",)

    def __init__(self, h: int):
        object.__setattr__(self, "_h", h)

    def _ask(self, op: str, **kw):
        return LINK.ask({"op": op, "h": object.__getattribute__(self, "_h"), **kw})

    def __call__(self, *args, **kwargs):
        msg = {"op": "call", "h": object.__getattribute__(self, "_h"),
               "a": [_send(a) for a in args], "k": [[k, _send(v)] for k, v in kwargs.items()]}
        return LINK.ask(msg, args, kwargs)

    def __getattr__(self, name):
        return self._ask("ga", n=name)

    def __setattr__(self, name, value):
        self._ask("sa", n=name, v=_send(value))

    def __delattr__(self, name):
        self._ask("da", n=name)

    def __getitem__(self, key):
        return self._ask("gi", k=_send(key))

    def __setitem__(self, key, value):
        self._ask("si", k=_send(key), v=_send(value))

    def __delitem__(self, key):
        self._ask("di", k=_send(key))

    def __contains__(self, value):
        return _expect(self._ask("in", v=_send(value)), bool)

    def __iter__(self):
        it = self._ask("iter")
        return it if type(it) is Remote else iter(it)

    def __next__(self):
        return self._ask("next")

    def __len__(self):
        return _expect(self._ask("len"), int)

    def __bool__(self):
        return _expect(self._ask("bool"), bool)

    def __str__(self):
        return _expect(self._ask("str"), str)

    def __repr__(self):
        if LINK.failed is not None:
            return "<object of the program>"
        return _expect(self._ask("repr"), str)

    def __int__(self):
        return _expect(self._ask("int"), int)

    def __float__(self):
        return _expect(self._ask("float"), float)

    def __index__(self):
        return _expect(self._ask("index"), int)

    def __eq__(self, other):
        return type(other) is Remote and (object.__getattribute__(other, "_h")
                                          == object.__getattribute__(self, "_h"))

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(("remote", object.__getattribute__(self, "_h")))


class Names(dict):
    """The test code's globals: what it does not define comes from the solution.

    Builtins are the test's own, but for the entry point: MBPP 126's solution is named
    ``sum``. Any other builtin a solution redefines (an ``abs`` that returns 0) stays the
    real one for the test.
    """

    entry_point: str | None = None

    def __missing__(self, name):
        # CPython asks a dict subclass for builtins too, before its own builtins lookup.
        if name in _BUILTINS and name != self.entry_point:
            return _BUILTINS[name]
        value = LINK.ask({"op": "get", "n": name})
        self[name] = value
        return value


_BUILTINS = vars(builtins)


def _record(obj: dict, nonce: str) -> None:
    data = json.dumps({**obj, "nonce": nonce}, allow_nan=True).encode()
    try:
        while data:
            data = data[os.write(RESULT_FD, data):]
    except OSError:
        pass


def _read_code() -> tuple[str, str]:
    chunks = []
    while True:
        chunk = os.read(CODE_FD, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(CODE_FD)
    nonce, _, code = b"".join(chunks).decode("utf-8", "surrogatepass").partition("\n")
    return nonce, code


def main(req: dict, init: dict, fds: dict[int, int]) -> None:
    """The forked test process's whole life. Never returns."""
    try:
        prepare(req, init, fds, private=True)
        nonce, code = _read_code()
    except BaseException as exc:
        set_up_failed(exc)
    os.close(SETUP_FD)
    os._exit(_run(code, nonce, req.get("entry_point")))


def _run(code: str, nonce: str, entry_point: str | None) -> int:
    try:
        first = wire.read_frame(REPLY_FD)
    except wire.Broken:
        first = {}
    if first is None:
        _record({"status": "exited"}, nonce)          # ended while loading
        return GONE
    if type(first) is not dict or first.get("ready") is not True:
        load = first.get("load") if type(first) is dict else None
        if type(load) is dict and load.get("status") in ("syntax", "raised"):
            _record({k: load[k] for k in ("status", "type", "message")
                     if type(load.get(k)) is str}, nonce)
        else:
            _record({"status": "garbled", "message": "the program broke the test protocol"},
                    nonce)
        return 0
    g = Names(__name__="__main__", __builtins__=builtins)
    g.entry_point = entry_point
    try:
        exec(compile(code, "test.py", "exec", dont_inherit=True), g)
    except SystemExit as exc:
        if LINK.failed is None:
            _record({"status": "exited", "exit_code": exit_code(exc)}, nonce)
    except BaseException as exc:
        if LINK.failed is None:
            _record({"status": "raised", "type": type(exc).__name__,
                     "message": text_of(exc)}, nonce)
    else:
        if LINK.failed is None:
            _record({"status": "completed"}, nonce)
    if isinstance(LINK.failed, Gone):
        _record({"status": "exited"}, nonce)
        return GONE
    if LINK.failed is not None:
        _record({"status": "garbled", "message": f"the program broke the test protocol: "
                                                 f"{text_of(LINK.failed)}"}, nonce)
    return 0
