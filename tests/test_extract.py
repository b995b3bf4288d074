"""Code extraction from model answers: every rule, fence style and truncation."""

from __future__ import annotations

import pytest

from pipeline.extract import RULES, blocks, extract_code, language_of

ANSWER = """Let me think.

```python
def slow(): pass
```

Now a C++ version:

```cpp
int main() {}
```

Final answer:

```python3
print(sum(map(int, input().split())))
```

Complexity is O(n).
"""


def test_last_block_takes_the_last_block_in_the_language():
    assert extract_code(ANSWER) == "print(sum(map(int, input().split())))\n"


def test_last_block_never_takes_another_language():
    text = "```\nbare()\n```\n```cpp\nint main(){}\n```"
    assert extract_code(text) == "bare()\n"
    assert extract_code("```cpp\nint main(){}\n```") is None
    assert extract_code("```cpp\nint main(){}\n```", language="c++") == "int main(){}\n"


def test_any_block_takes_the_last_block_whatever_its_language():
    assert extract_code(ANSWER, rule="any_block") == "print(sum(map(int, input().split())))\n"
    assert extract_code("```py\na\n```\n```rust\nfn main(){}\n```", rule="any_block") == \
        "fn main(){}\n"


def test_whole_is_the_text_or_none_when_blank():
    assert extract_code("print(1)\n", rule="whole") == "print(1)\n"
    assert extract_code(" \n\t", rule="whole") is None


def test_no_fence_is_none():
    assert extract_code("I cannot solve this.") is None
    assert extract_code("") is None
    assert extract_code(None) is None


def test_unclosed_final_block_counts_and_a_partial_fence_is_dropped():
    assert extract_code("text\n```python\nprint(1)\nprint(2)\n") == "print(1)\nprint(2)\n"
    assert extract_code("```python\nprint(1)\n``") == "print(1)\n"
    assert extract_code("```python\nprint(1)\n`") == "print(1)\n"


def test_tildes_longer_fences_and_inner_backticks():
    text = "~~~python\ns = '```'\nprint(s)\n~~~"
    assert extract_code(text) == "s = '```'\nprint(s)\n"
    four = "````python\nx = '''\n```\n'''\n````"
    assert extract_code(four) == "x = '''\n```\n'''\n"


def test_crlf_and_indented_fence():
    assert extract_code("```python\r\nprint(1)\r\n```\r\n") == "print(1)\r\n"
    assert extract_code("   ```py\nprint(2)\n   ```") == "print(2)\n"


def test_info_string_aliases():
    assert [language_of(i) for i in ("py", "Python", "python3", "{.py}", "c++", "js", "golang",
                                     "rs", "")] == \
        ["python", "python", "python", "python", "cpp", "javascript", "go", "rust", None]
    assert blocks("```js title=x.js\nf()\n```") == [("js", "f()\n")]


def test_unknown_rule_is_an_error():
    assert RULES == ("last_block", "any_block", "whole")
    with pytest.raises(ValueError, match="unknown extract rule 'first'"):
        extract_code("x", rule="first")
