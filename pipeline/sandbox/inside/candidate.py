"""The candidate's process of a Python ``assert`` test: load the solution, answer requests.

The test code never runs here (it runs in :mod:`.tester`, a process the candidate cannot
reach): its code and secret are in a memfd among the runner's descriptors, all of which this
process closes before the solution's first line. It loads the solution as ``__main__`` and then
serves the test process's requests on two pipes: look up a name, call, get or set an
attribute, iterate, index. Results go back as data (:mod:`.wire`); an object that is not
data stays here and crosses as a handle, so nothing the candidate defines ever runs on the
test's side.
"""

from __future__ import annotations

import operator
import os

from . import wire
from .child import (SETUP_FD, compile_solution, exit_code, finish, prepare, read_all,
                    set_up_failed, text_of)

REPLY_FD, REQUEST_FD = 3, 4
_MUTABLE = (list, dict, set, bytearray)


def main(req: dict, init: dict, fds: dict[int, int], code_fd: int) -> None:
    """The forked child's whole life. Never returns. ``code_fd``: a memfd of the solution."""
    try:
        code = read_all(code_fd).decode("utf-8", "replace")
        prepare(req, init, fds)
    except BaseException as exc:
        set_up_failed(exc)
    os.close(SETUP_FD)
    compiled, failed = compile_solution(code)
    if failed is not None:
        _send({"load": failed})
        finish(1)
    import builtins
    import traceback
    g = {"__name__": "__main__", "__builtins__": builtins, "__file__": "solution.py"}
    try:
        exec(compiled, g)
    except SystemExit as exc:
        finish(exit_code(exc))
    except BaseException as exc:
        _send({"load": {"status": "raised", "type": type(exc).__name__,
                        "message": text_of(exc)}})
        try:
            traceback.print_exc()
        except BaseException:
            pass
        finish(1)
    _send({"ready": True})
    Server(g).serve()


def _send(obj) -> None:
    try:
        wire.write_frame(REPLY_FD, obj)
    except OSError:
        os._exit(0)                     # the test process is gone: nothing left to do
    except (TypeError, ValueError, RecursionError) as exc:
        wire.write_frame(REPLY_FD, {"err": type(exc).__name__, "msg": text_of(exc)})


class Server:
    """Answers requests against the solution's globals; keeps the objects it handed out."""

    def __init__(self, g: dict):
        self.g = g
        self.objects: dict[int, object] = {}

    def handle(self, obj) -> int:
        self.objects[id(obj)] = obj
        return id(obj)

    def resolve(self, i: int):
        try:
            return self.objects[i]
        except KeyError:
            raise wire.Broken("unknown handle") from None

    def serve(self) -> None:
        while True:
            try:
                msg = wire.read_frame(REQUEST_FD)
            except wire.Broken:
                os._exit(1)
            if msg is None:
                finish(0)
            try:
                reply = self.answer(msg)
            except wire.Broken:
                os._exit(1)
            _send(reply)

    def answer(self, msg) -> dict:
        try:
            value, back = self.run(msg)
            reply = {"ok": wire.encode(value, self.handle)}
            if back:
                reply["w"] = back
            return reply
        except StopIteration:
            return {"stop": True}
        except SystemExit as exc:               # the program ended itself mid-test
            finish(exit_code(exc))
        except wire.Broken:
            raise
        except BaseException as exc:
            t = type(exc)
            return {"err": t.__name__, "msg": text_of(exc), "builtin": t.__module__ == "builtins"}

    def run(self, msg: dict):
        op = msg["op"]
        dec = self.decode
        if op == "get":
            name = msg["n"]
            if name in self.g:
                return self.g[name], None
            raise NameError(f"name {name!r} is not defined")
        target = self.resolve(msg["h"])
        if op == "call":
            args = [dec(a) for a in msg["a"]]
            kwargs = {k: dec(v) for k, v in msg["k"]}
            result = target(*args, **kwargs)
            return result, self.written_back(args, kwargs)
        if op == "ga":
            return getattr(target, msg["n"]), None
        if op == "sa":
            setattr(target, msg["n"], dec(msg["v"]))
            return None, None
        if op == "da":
            delattr(target, msg["n"])
            return None, None
        if op == "gi":
            return target[dec(msg["k"])], None
        if op == "si":
            target[dec(msg["k"])] = dec(msg["v"])
            return None, None
        if op == "di":
            del target[dec(msg["k"])]
            return None, None
        if op == "in":
            return dec(msg["v"]) in target, None
        if op == "next":
            return next(target), None
        if op in _UNARY:
            return _UNARY[op](target), None
        raise wire.Broken(f"unknown op {op!r}")

    def decode(self, value):
        return wire.decode(value, self.resolve)

    def written_back(self, args: list, kwargs: dict) -> list:
        """The new contents of the mutable arguments (a test may check a sort in place)."""
        back = []
        for key, value in [*enumerate(args), *kwargs.items()]:
            if type(value) in _MUTABLE:
                try:
                    back.append([key, wire.encode(value, None)])
                except wire.NotPlain:
                    pass
        return back


_UNARY = {"iter": iter, "len": len, "bool": bool, "str": str, "repr": repr, "int": int,
          "float": float, "index": operator.index, "hash": hash}
