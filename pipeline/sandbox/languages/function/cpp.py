"""The C++ harness of a ``function`` problem: one ``main.cpp``, compiled once per solution.

The file is ``#include <bits/stdc++.h>`` (so the precompiled header applies), the reader and
writer below (namespace ``dj_fn``, standard names fully qualified, defined before the
solution so that none of its macros reach them), ``using namespace std;`` as LeetCode puts
it, the solution (a ``main`` of its own is renamed out of the way), then a ``main`` that
reads the arguments into variables of the signature's types, calls
``(new Solution())->NAME(…)`` when the solution declares ``Solution`` (else ``NAME(…)``) and
writes the value it returns. The writer takes whatever type the solution returns: integers,
``double``/``float`` (17 significant digits: the exact double), ``bool``, ``char``,
strings and any range of these.

>>> from pipeline.sandbox.languages.function.signature import parse
>>> text = source("class Solution { public: int f(vector<int>& a) { return a.size(); } };",
...               parse("int f(vector<int>& a)", "f"), "f").files["main.cpp"]
>>> text.startswith("#include <bits/stdc++.h>\\n"), "(new Solution())->f(a0)" in text
(True, True)
"""

from __future__ import annotations

import re

from .. import Source
from ..syntax import mask
from .signature import Signature, spell

RUNTIME = r"""#include <unistd.h>
namespace dj_fn {
[[noreturn]] inline void fail(const char* what, std::size_t at) {
  std::fprintf(stderr, "daskjudge harness: %s (byte %zu)\n", what, at);
  std::_Exit(3);
}
struct Input {
  std::string s;
  std::size_t at = 0;
  Input() {
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n > 0) s.append(buf, (std::size_t)n);
      else if (n == 0 || errno != EINTR) break;
    }
  }
  char peek() {
    while (at < s.size() && (s[at] == ' ' || s[at] == '\n' || s[at] == '\t' || s[at] == '\r')) ++at;
    return at < s.size() ? s[at] : '\0';
  }
  void expect(char c) {
    if (peek() != c) fail("unexpected character", at);
    ++at;
  }
  std::string token() {
    peek();
    std::size_t from = at;
    while (at < s.size() && (std::isalnum((unsigned char)s[at]) || s[at] == '-' || s[at] == '+'
                             || s[at] == '.')) ++at;
    if (from == at) fail("expected a value", at);
    return s.substr(from, at - from);
  }
};
inline void put_utf8(std::string& out, unsigned long c) {
  if (c < 0x80) out += (char)c;
  else if (c < 0x800) { out += (char)(0xC0 | (c >> 6)); out += (char)(0x80 | (c & 0x3F)); }
  else if (c < 0x10000) { out += (char)(0xE0 | (c >> 12)); out += (char)(0x80 | ((c >> 6) & 0x3F));
                          out += (char)(0x80 | (c & 0x3F)); }
  else { out += (char)(0xF0 | (c >> 18)); out += (char)(0x80 | ((c >> 12) & 0x3F));
         out += (char)(0x80 | ((c >> 6) & 0x3F)); out += (char)(0x80 | (c & 0x3F)); }
}
inline unsigned long hex4(Input& in) {
  if (in.at + 4 > in.s.size()) fail("short \\u escape", in.at);
  unsigned long v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = in.s[in.at++];
    v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : (fail("bad \\u escape", in.at), 0));
  }
  return v;
}
inline void read(Input& in, std::string& v) {
  in.expect('"');
  for (;;) {
    if (in.at >= in.s.size()) fail("unterminated string", in.at);
    char c = in.s[in.at++];
    if (c == '"') return;
    if (c != '\\') { v += c; continue; }
    if (in.at >= in.s.size()) fail("unterminated string", in.at);
    char e = in.s[in.at++];
    switch (e) {
      case '"': v += '"'; break;   case '\\': v += '\\'; break;  case '/': v += '/'; break;
      case 'b': v += '\b'; break;  case 'f': v += '\f'; break;   case 'n': v += '\n'; break;
      case 'r': v += '\r'; break;  case 't': v += '\t'; break;
      case 'u': {
        unsigned long c1 = hex4(in);
        if (c1 >= 0xD800 && c1 < 0xDC00 && in.at + 1 < in.s.size() && in.s[in.at] == '\\'
            && in.s[in.at + 1] == 'u') {
          in.at += 2;
          unsigned long c2 = hex4(in);
          if (c2 < 0xDC00 || c2 >= 0xE000) fail("bad surrogate pair", in.at);
          c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
        }
        put_utf8(v, c1);
        break;
      }
      default: fail("bad escape", in.at);
    }
  }
}
inline void read(Input& in, char& v) {
  std::string s;
  read(in, s);
  if (s.size() != 1) fail("expected one character", in.at);
  v = s[0];
}
inline void read(Input& in, bool& v) {
  std::string t = in.token();
  if (t == "true") v = true;
  else if (t == "false") v = false;
  else fail("expected a boolean", in.at);
}
template <class T>
std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>>
read(Input& in, T& v) {
  std::string t = in.token();
  errno = 0;
  char* end = nullptr;
  long long x = std::strtoll(t.c_str(), &end, 10);
  if (errno || *end || x < (long long)std::numeric_limits<T>::min()
      || x > (long long)std::numeric_limits<T>::max()) fail("expected an integer", in.at);
  v = (T)x;
}
template <class T>
std::enable_if_t<std::is_floating_point_v<T>> read(Input& in, T& v) {
  std::string t = in.token();
  char* end = nullptr;
  v = (T)std::strtod(t.c_str(), &end);        // NaN, Infinity and exponents included
  if (*end) fail("expected a number", in.at);
}
template <class T> void read(Input& in, std::vector<T>& v) {
  in.expect('[');
  if (in.peek() == ']') { ++in.at; return; }
  for (;;) {
    T x{};
    read(in, x);
    v.push_back(std::move(x));         // not back(): vector<bool> hands out proxies
    char c = in.peek();
    ++in.at;
    if (c == ']') return;
    if (c != ',') fail("expected , or ]", in.at);
  }
}

template <class T, class = void> struct is_range : std::false_type {};
template <class T> struct is_range<T, std::void_t<decltype(std::begin(std::declval<const T&>())),
    decltype(std::end(std::declval<const T&>()))>> : std::true_type {};

inline void put_string(std::string& out, const char* p, std::size_t n) {
  out += '"';
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)p[i];
    if (c == '"' || c == '\\') { out += '\\'; out += (char)c; }
    else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); out += b; }
    else out += (char)c;
  }
  out += '"';
}
template <class T> void put(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char>) {
    if ((unsigned char)v < 0x80) put_string(out, &v, 1);
    else { char b[12]; std::snprintf(b, sizeof b, "\"\\u%04x\"", (unsigned char)v); out += b; }
  } else if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>) out += std::to_string((long long)v);
    else out += std::to_string((unsigned long long)v);
  } else if constexpr (std::is_floating_point_v<T>) {
    double d = (double)v;
    if (std::isnan(d)) out += "NaN";
    else if (std::isinf(d)) out += d > 0 ? "Infinity" : "-Infinity";
    else { char b[40]; std::snprintf(b, sizeof b, "%.17g", d); out += b; }
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    std::string_view s(v);
    put_string(out, s.data(), s.size());
  } else if constexpr (is_range<T>::value) {
    out += '[';
    bool first = true;
    for (const auto& x : v) {
      if (!first) out += ',';
      first = false;
      put(out, static_cast<const std::decay_t<decltype(*std::begin(v))>&>(x));
    }
    out += ']';
  } else {
    static_assert(sizeof(T) == 0, "the solution returns a type the function kind cannot write");
  }
}
template <class T> void emit(const T& v) {
  std::string out;
  put(out, v);
  out += '\n';
  const char* p = out.data();
  std::size_t n = out.size();
  while (n) {
    ssize_t w = ::write(3, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail("the result could not be written", 0);   // the channel was taken away
    p += w;
    n -= (std::size_t)w;
  }
}
}  // namespace dj_fn
"""

_SOLUTION = re.compile(r"\b(?:class|struct)\s+Solution\b")


def source(code: str, sig: Signature, entry_point: str) -> Source:
    """The build's source: runtime, solution, and a ``main`` for ``sig``."""
    lines = ["int main() {", "  dj_fn::Input dj_in;", "  dj_in.expect('[');"]
    names = []
    for i, p in enumerate(sig.params):
        if i:
            lines.append("  dj_in.expect(',');")
        lines.append(f"  {spell(sig, p.type, 'cpp')} a{i}{{}};")
        lines.append(f"  dj_fn::read(dj_in, a{i});")
        names.append(f"a{i}")
    lines.append("  dj_in.expect(']');")
    call = f"{entry_point}({', '.join(names)})"
    if _SOLUTION.search(mask(code, "cpp")):
        call = f"(new Solution())->{call}"           # a fresh instance, as for Python
    lines += [f"  dj_fn::emit({call});", "  return 0;", "}"]
    text = ("#include <bits/stdc++.h>\n" + RUNTIME + "using namespace std;\n"
            "#define main dj_solution_main\n#line 1 \"solution.cpp\"\n" + code
            + "\n#undef main\n#line 1 \"harness.cpp\"\n" + "\n".join(lines) + "\n")
    return Source({"main.cpp": text}, ("{bin}/main",))
