"""The JavaScript harness of a ``function`` problem: a preload and one line after the solution.

``dj_function.js`` runs first (``node --require``): it reads the arguments from stdin and
parses them with its own copies of the built-ins it uses, taken before the solution runs
(so a patched ``JSON`` or ``Object.prototype`` changes nothing), and defines a global
``__dj_call`` that cannot be replaced. The line after the solution hands it the entry point
(a function, or ``Solution`` whose method it is, called on a fresh instance); it calls it,
writes the JSON of the value returned on fd 3, and ends the process. Numbers go as they are
(JavaScript has one number type; integers beyond 2**53 are refused by the argument check),
strings, booleans, ``null``, arrays and plain objects as JSON, a ``Set`` as ``{"$set": …}``, a
``Map`` as ``{"$dict": …}``, a ``BigInt`` as an integer; ``undefined``, functions and other
objects are not values.

>>> from pipeline.sandbox.languages.function.signature import Signature
>>> src = source("var f = function(a) { return a; };", Signature("javascript", "f", (), None), "f")
>>> src.files["main.js"].splitlines()[-1]
";__dj_call(typeof f === 'function' ? f : undefined, typeof Solution === 'function' ? Solution : undefined);"
"""

from __future__ import annotations

import re

from .. import Source
from .signature import UNSERIALISABLE, Signature, Unsupported

PRELOAD = r"""'use strict';
(() => {
  const fs = require('fs');
  const readFileSync = fs.readFileSync, writeSync = fs.writeSync;
  const parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray;
  const keys = Object.keys, getPrototypeOf = Object.getPrototypeOf, ObjectProto = Object.prototype;
  const call = Function.prototype.call;
  const c = (f) => call.bind(f);
  const tagOf = c(Object.prototype.toString), bigintString = c(BigInt.prototype.toString);
  const mapForEach = c(Map.prototype.forEach), setForEach = c(Set.prototype.forEach);
  const apply = Reflect.apply, construct = Reflect.construct, exit = process.exit;
  const TAGS = ['$tuple', '$set', '$frozenset', '$dict', '$complex'];
  const includes = c(Array.prototype.includes);
  let args;
  try {
    args = parse(readFileSync(0, 'utf8'));
  } catch (e) {
    writeSync(2, 'daskjudge harness: the arguments are not JSON (' + e + ')\n');
    exit(3);
  }
  class NotValue extends Error {}
  const ser = (v, depth) => {
    if (depth > 200) throw new NotValue('nested too deeply');
    switch (typeof v) {
      case 'boolean': return v ? 'true' : 'false';
      case 'number': return v !== v ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : stringify(v);
      case 'string': return stringify(v);
      case 'bigint': return bigintString(v);
      case 'object': break;
      default: throw new NotValue(typeof v);
    }
    if (v === null) return 'null';
    const d = depth + 1;
    if (isArray(v)) {
      let out = '[';
      for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + ser(v[i], d);
      return out + ']';
    }
    const tag = tagOf(v);
    if (tag === '[object Set]') {
      const items = [];
      setForEach(v, (x) => { items[items.length] = ser(x, d); });
      return '{"$set":[' + items.join(',') + ']}';
    }
    if (tag === '[object Map]') {
      const pairs = [];
      mapForEach(v, (x, k) => { pairs[pairs.length] = '[' + ser(k, d) + ',' + ser(x, d) + ']'; });
      return '{"$dict":[' + pairs.join(',') + ']}';
    }
    const proto = getPrototypeOf(v);
    if (tag !== '[object Object]' || (proto !== ObjectProto && proto !== null)) throw new NotValue(tag);
    const ks = keys(v);
    if (ks.length === 1 && includes(TAGS, ks[0])) {
      return '{"$dict":[[' + stringify(ks[0]) + ',' + ser(v[ks[0]], d) + ']]}';
    }
    let out = '{';
    for (let i = 0; i < ks.length; i++) out += (i ? ',' : '') + stringify(ks[i]) + ':' + ser(v[ks[i]], d);
    return out + '}';
  };
  const run = (fn, cls) => {
    const name = %(name)s;
    let result;
    if (typeof fn === 'function') result = apply(fn, undefined, args);
    else if (cls !== undefined && typeof cls.prototype[name] === 'function') {
      const self = construct(cls, []);              // a fresh instance per test
      result = apply(self[name], self, args);
    } else throw new TypeError('entry point ' + name + ' is neither a function nor a method of Solution');
    let text;
    try {
      text = ser(result, 0);
    } catch (e) {
      if (!(e instanceof NotValue)) throw e;
      writeSync(2, '%(unserialisable)s' + e.message + '\n');
      exit(0);
    }
    try {
      writeSync(3, text + '\n');
    } catch (e) {                                   // the channel was taken away
      writeSync(2, 'daskjudge harness: the result could not be written\n');
      exit(4);
    }
    exit(0);
  };
  Object.defineProperty(globalThis, '__dj_call', { value: run, writable: false, configurable: false, enumerable: false });
})();
"""


def source(code: str, sig: Signature, entry_point: str) -> Source:
    import json

    if not re.fullmatch(r"[A-Za-z_$][\w$]*", entry_point):
        raise Unsupported(f"{entry_point!r} is not a JavaScript name")
    preload = PRELOAD % {"name": json.dumps(entry_point), "unserialisable": UNSERIALISABLE}
    line = (f";__dj_call(typeof {entry_point} === 'function' ? {entry_point} : undefined, "
            f"typeof Solution === 'function' ? Solution : undefined);")
    return Source({"main.js": f"{code}\n{line}", "dj_function.js": preload},
                  ("node", "--max-old-space-size={mem}", "--stack-size=8000", "--require",
                   "{bin}/dj_function.js", "{bin}/main.js"))
