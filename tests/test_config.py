"""The config: sections, their short forms, the checks at load time and the verdict hash."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.config import HASHED, SECTIONS, SHORT, Config, ConfigError, Judging


def test_sections_from_yaml_short_forms_and_environment(tmp_path, monkeypatch):
    path = tmp_path / "run.yaml"
    path.write_text("judge:\n  comparator: tokens\n  time_limit_s: 3\n"
                    "cluster: {slots: 1}\nserve_port: 9000\nreward: fraction\n")
    monkeypatch.setenv("DASK_DASKJUDGE__MEMORY_LIMIT_MB", "64")
    import dask.config
    dask.config.refresh()
    try:
        c = Config.load(path, overrides={"early_exit": True, "workers": None})
    finally:
        monkeypatch.delenv("DASK_DASKJUDGE__MEMORY_LIMIT_MB")
        dask.config.refresh()
    assert (c.judge.comparator, c.judge.time_limit_s, c.judge.memory_limit_mb,
            c.judge.early_exit) == ("tokens", 3.0, 64, True)
    assert (c.cluster.slots, c.cluster.workers, c.serve.port, c.reward.mode) == \
        (1, None, 9000, "fraction")
    # A section given whole keeps the defaults of the keys it leaves out.
    assert c.judge.wall_factor == Judging().wall_factor


@pytest.mark.parametrize("values, message", [
    ({"judge": {"comparator": "nope"}}, "judge: unknown judge 'nope'"),
    ({"judge": {"time_limit": 3}}, "judge: unknown key(s) 'time_limit'"),
    ({"time_limit_s": -1}, "judge.time_limit_s must be positive"),
    ({"cluster": {"isolation": "chroot"}}, "cluster.isolation must be auto, full"),
    ({"serve": {"port": 70000}}, "serve.port must be 0"),
    ({"reward": "partial"}, "reward.mode must be one of binary, fraction"),
    ({"judge": 3}, "judge must be a section"),
    ({"slots": "two"}, "cluster.slots must be int"),
    ({"colour": "blue"}, "unknown key(s) 'colour'"),
])
def test_bad_values_name_their_key(values, message):
    with pytest.raises(ConfigError) as err:
        Config.load(overrides=values)
    assert message in str(err.value)


def test_the_hash_covers_exactly_the_settings_that_change_verdicts():
    base = Config()
    # Every key of the judge section is in the explicit list: a new judging setting cannot
    # be left out of the hash by accident.
    assert {f"judge.{f.name}" for f in dataclasses.fields(Judging)} <= set(HASHED)
    changes = {"judge.comparator": "tokens", "judge.time_limit_s": 7.0,
               "judge.memory_limit_mb": 99, "judge.wall_factor": 3.0, "judge.processes": 3,
               "judge.output_limit_mb": 2, "judge.checker_time_limit_s": 1.0,
               "judge.checker_memory_limit_mb": 99, "judge.early_exit": True,
               "cluster.isolation": "full", "format": "mbpp", "dataset": "x",
               "dataset_subset": "y", "dataset_split": "z", "trust": True,
               "extract": "whole", "on_missing": "skip"}
    assert set(changes) == set(HASHED)
    for path, value in changes.items():
        section, _, key = path.rpartition(".")
        changed = base.replace(**({section: {key: value}} if section else {key: value}))
        assert changed.hash() != base.hash(), path
    same = base.replace(out="elsewhere", k=[3], workers=4, slots=1, serve_port=1,
                        reward="fraction", on_se="nan", keep_output=10, allow_se=True,
                        llm={"model": "m"}, scheduler="tcp://h:1", dashboard=":0")
    assert same.hash() == base.hash()


def test_short_forms_name_real_keys():
    for short, (section, key) in SHORT.items():
        assert key in {f.name for f in dataclasses.fields(SECTIONS[section])}, short


def test_replace_and_to_dict_round_trip():
    c = Config().replace(judge="float:1e-3", cluster={"slots": 2}, k=[1, 3])
    again = Config.from_dict(c.to_dict())
    assert again == c and again.hash() == c.hash()
    assert c.to_dict()["judge"]["comparator"] == "float:1e-3"
