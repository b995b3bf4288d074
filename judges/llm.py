"""A minimal client for any OpenAI-compatible chat-completions endpoint, over plain HTTP.

No vendor SDK: one POST to ``{base_url}/chat/completions`` with ``model`` and ``messages``,
the key (if any) as a bearer token. Works with hosted APIs and with local servers (vLLM,
llama.cpp, Ollama, SGLang) that speak the same protocol.
"""

from __future__ import annotations

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
    """Retries on connection errors, 429 and 5xx (with a short back-off)."""

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
        body = json.dumps({"model": self.model, "messages": messages,
                           "temperature": self.temperature}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(8.0, 0.5 * 2 ** attempt))
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    data = json.loads(response.read())
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:300].decode('utf-8', 'replace')}"
                if exc.code == 429 or exc.code >= 500:
                    continue
                raise LLMError(f"{self.url}: {last}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last = str(exc)
                continue
            except ValueError:
                raise LLMError(f"{self.url}: the answer is not JSON") from None
            try:
                content = data["choices"][0]["message"]["content"]
            except (KeyError, IndexError, TypeError):
                raise LLMError(f"{self.url}: no choices[0].message.content in the answer") from None
            if not isinstance(content, str):
                raise LLMError(f"{self.url}: message content is not text")
            return content
        raise LLMError(f"{self.url}: {last}")
