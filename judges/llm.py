"""A minimal client for any OpenAI-compatible chat-completions endpoint, over plain HTTP.

No vendor SDK: one POST to ``{base_url}/chat/completions`` with ``model`` and ``messages``
(or to ``{base_url}/completions`` with a ``prompt``), the key (if any) as a bearer token.
Works with hosted APIs and with local servers (vLLM, llama.cpp, Ollama, SGLang) that speak
the same protocol.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


class LLMError(RuntimeError):
    """The endpoint could not be reached or answered something unusable."""


@dataclass(frozen=True)
class LLM:
    """An endpoint and a model.

    >>> LLM("http://localhost:8000/v1/", "m").url
    'http://localhost:8000/v1/chat/completions'
    """

    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 120.0
    temperature: float = 0.0
    retries: int = 2
    """Retries on connection errors, 429 and 5xx (with a back-off)."""
    backoff_s: float = 1.0
    """The first retry's wait; each later one waits twice as long."""

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @classmethod
    def from_settings(cls, base_url: str | None, model: str | None,
                      api_key_env: str | None = "OPENAI_API_KEY") -> "LLM":
        """Settings from the config, with the environment as fallback: ``OPENAI_BASE_URL``
        for the URL, ``OPENAI_MODEL`` for the model, and the key from the variable named by
        ``api_key_env`` (keys never live in config files)."""
        base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        model = model or os.environ.get("OPENAI_MODEL")
        if not base_url or not model:
            raise LLMError("no LLM endpoint: set llm_base_url and llm_model in the config "
                           "(or OPENAI_BASE_URL and OPENAI_MODEL)")
        key = os.environ.get(api_key_env) if api_key_env else None
        return cls(base_url, model, key)

    def chat(self, messages: list[dict]) -> str:
        """The content of the first choice's message."""
        data = self.post("chat/completions", {"model": self.model, "messages": messages,
                                              "temperature": self.temperature})
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"{self.url}: no choices[0].message.content in the answer") from None
        if not isinstance(content, str):
            raise LLMError(f"{self.url}: message content is not text")
        return content

    def complete(self, prompt: str | list[dict], **params) -> Completion:
        """One sample: chat-style when ``prompt`` is a list of messages (``/chat/completions``),
        completion-style when it is text (``/completions``). ``params`` (temperature, top_p,
        max_tokens, seed, stop …) go into the request body as they are."""
        chat = not isinstance(prompt, str)
        body = {"model": self.model, **params}
        body["messages" if chat else "prompt"] = prompt
        path = "chat/completions" if chat else "completions"
        started = time.monotonic()
        data = self.post(path, body)
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] if chat else choice["text"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"{self.base_url}/{path}: no text in the answer's first choice") from None
        message = choice.get("message") or {}
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        usage = data.get("usage") or {}
        return Completion(text or "", choice.get("finish_reason"), usage.get("prompt_tokens"),
                          usage.get("completion_tokens"), time.monotonic() - started,
                          reasoning if isinstance(reasoning, str) else None)

    def post(self, path: str, body: dict) -> dict:
        """POST ``body`` to ``{base_url}/{path}``; the decoded JSON answer. Connection errors,
        timeouts, 429 and 5xx are retried ``retries`` times, waiting ``backoff_s`` and then
        twice as long each time (at most 30 s, or the server's ``Retry-After``)."""
        url = self.base_url.rstrip("/") + "/" + path
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last, wait = "", None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(wait if wait is not None else min(30.0, self.backoff_s * 2 ** (attempt - 1)))
            wait = None
            request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:300].decode('utf-8', 'replace')}"
                if exc.code == 429 or exc.code >= 500:
                    wait = _retry_after(exc.headers.get("Retry-After"))
                    continue
                raise LLMError(f"{url}: {last}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError,
                    http.client.HTTPException) as exc:
                last = str(exc) or type(exc).__name__
                continue
            except ValueError:
                raise LLMError(f"{url}: the answer is not JSON") from None
        raise LLMError(f"{url}: {last} (after {self.retries + 1} attempts)")


@dataclass(frozen=True)
class Completion:
    """One sampled answer and what the server said about it."""

    text: str
    finish_reason: str | None
    """``stop``, ``length`` (cut off by ``max_tokens``: truncated) …"""
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_s: float
    """Wall time of the request, retries included."""
    reasoning: str | None = None
    """Reasoning the server returned apart from the answer (``reasoning_content``)."""


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (numbers only; at most 60).

    >>> _retry_after("2"), _retry_after(None), _retry_after("Wed, 21 Oct 2015 07:28:00 GMT")
    (2.0, None, None)
    """
    try:
        return min(60.0, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None
