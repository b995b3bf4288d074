"""Sampling throughput: the bounded request pool against a model server of fixed latency.

    python benchmarks/sampling.py [--samples 200] [--latency 0.05] [--rounds 3]
                                  [--out benchmarks/results-sampling.json]

A local OpenAI-compatible server, in a process of its own, answers every request after
``--latency`` seconds (a stand-in for a model server's time per answer; it has a thread per
request in flight). ``pipeline.evalsuite.sampler.sample`` asks it for ``--samples`` samples (40
problems × n) at each ``concurrency``; the figure is samples per second, median over rounds,
and its ratio to one request at a time. With no latency, the time per sample is the client's
own cost (request, JSON, one fsync'd log line, extraction). A resume of a finished log is
timed too: no request is sent, the log is read back and the completions table rewritten.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's package

from pipeline.evalsuite.sampler import sample
from pipeline.evalsuite.settings import Sampling, Template

ANSWER = "```python\ndef f(x):\n    return x + 1\n```"


def _serve(latency: float, port_queue) -> None:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(latency)
            raw = json.dumps({"choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": ANSWER}}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 20}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    port_queue.put(server.server_address[1])
    server.serve_forever()


def serve(latency: float) -> tuple[multiprocessing.Process, str]:
    """The server in a process of its own: in the client's, the two would share one GIL."""
    queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_serve, args=(latency, queue), daemon=True)
    proc.start()
    return proc, f"http://127.0.0.1:{queue.get(timeout=30)}/v1"


def one_run(url: str, samples: int, concurrency: int) -> tuple[float, float]:
    problems = pa.table({"problem_id": [f"p{i}" for i in range(40)],
                         "prompt": [f"Write f number {i}." for i in range(40)]})
    template = Template.from_dict({"user": "{prompt}"})
    sampling = Sampling.from_section({"endpoint": url, "model": "bench", "n": samples // 40,
                                      "concurrency": concurrency, "api_key_env": None}, {})
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        run = sample(problems, template, sampling, benchmark="bench", folder=folder)
        fresh = time.perf_counter() - t
        assert run.samples == samples and run.complete, run.line()
        t = time.perf_counter()
        again = sample(problems, template, sampling, benchmark="bench", folder=folder)
        resumed = time.perf_counter() - t
        assert again.requested == 0
    return fresh, resumed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results-sampling.json")))
    args = ap.parse_args()
    results = {"samples": args.samples, "latency_s": args.latency, "rounds": args.rounds,
               "runs": []}
    for latency in (args.latency, 0.0):
        server, url = serve(latency)
        base = None
        for concurrency in (1, 8, 32):
            fresh, resumed = zip(*(one_run(url, args.samples, concurrency)
                                   for _ in range(args.rounds)))
            rate = args.samples / statistics.median(fresh)
            base = base or rate
            row = {"latency_s": latency, "concurrency": concurrency,
                   "samples_per_s": round(rate, 1), "vs_one_at_a_time": round(rate / base, 2),
                   "ms_per_sample": round(1000 / rate, 2),
                   "resume_s": round(statistics.median(resumed), 3)}
            results["runs"].append(row)
            print(row, flush=True)
        server.terminate()
        server.join()
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
