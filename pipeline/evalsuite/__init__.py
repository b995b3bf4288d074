"""The evaluation loop: ask a model for completions of a benchmark's problems, then score them.

``daskjudge sample`` builds one prompt per problem from a template in ``configs/prompts/``,
asks an OpenAI-compatible server (vLLM, SGLang, TGI, a hosted API) for ``n`` samples of each
through a bounded pool of concurrent requests, and appends every finished sample to a log as
it arrives, so an interrupted run picks up where it stopped. ``daskjudge eval`` then scores
the samples through the normal pipeline and writes a results table per model and benchmark;
``daskjudge compare`` puts the results of several models side by side.

Modules: :mod:`.settings` (the ``sample`` config section and the template), :mod:`.prompts`
(a problem row to a prompt), :mod:`.answers` (reasoning cut out, code taken out),
:mod:`.store` (the append-only log and the completions table), :mod:`.sampler` (the request
pool), :mod:`.results` (pass@k per model × benchmark, the comparison), :mod:`.command`
(the command line).
"""
