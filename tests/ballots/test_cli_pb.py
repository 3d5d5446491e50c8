"""`yishi tally` on the real Pabulib elections, and `yishi import-pb` / `yishi export round.pb`."""
import json
import os
import subprocess
import sys

import pytest

from tests import factories as f
from tests.conftest import ROOT, SHARED_DATA, shared_data
from yishi.ballots import rules
from yishi.cli import main
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

EXPECTED_PATH = SHARED_DATA / "pabulib" / "expected.json"
CASES = json.loads(EXPECTED_PATH.read_text()) if EXPECTED_PATH.is_file() else []
NAMES = [c["file"] for c in CASES] or ["missing"]
# MES through the command on the files where it takes well under a second; the
# large ones (Bialoleka, Lodz, Toulouse: seconds each) have their MES outcome
# checked once, in test_rules.py, instead of twice per run of the suite.
CHEAP_MES = [c["file"] for c in CASES if c["voters"] * c["projects"] < 500_000] or ["missing"]
TALLIES = [(name, "greedy") for name in NAMES] + [(name, "mes") for name in CHEAP_MES]


def _expected(name: str) -> dict:
    folder = shared_data("pabulib")
    return next(c for c in json.loads((folder / "expected.json").read_text()) if c["file"] == name)


@pytest.mark.pure
@pytest.mark.realdata
@pytest.mark.parametrize(("name", "rule"), TALLIES)
def test_tally_real_election_matches_expected(name, rule, capsys):
    case = _expected(name)
    main(["tally", str(SHARED_DATA / "pabulib" / name), "--rule", rule])
    out = json.loads(capsys.readouterr().out)
    assert set(out["selected"]) == set(case[f"{rule}_selected"])
    election = rules.parse_pb(SHARED_DATA / "pabulib" / name)
    assert out["cost"] == election.cost_of(out["selected"])
    assert out["cost"] <= case["budget"]


@pytest.mark.pure
@pytest.mark.realdata
def test_tally_command_in_its_own_process_prints_json():
    folder = shared_data("pabulib")
    done = subprocess.run([sys.executable, "-m", "yishi.cli", "tally",
                           str(folder / "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb"), "--rule", "mes"],
                          cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    case = _expected("Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb")
    assert sorted(out) == ["cost", "selected"]
    assert set(out["selected"]) == set(case["mes_selected"])


@pytest.mark.pure
def test_tally_unreadable_file_exits_with_message(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\n")
    with pytest.raises(SystemExit) as exc:
        main(["tally", str(bad)])
    # The same Chinese words as the upload page, nothing in English.
    assert str(exc.value) == "不是有效的 Pabulib（.pb）文件：缺少 PROJECTS 部分。"
    with pytest.raises(SystemExit) as exc:
        main(["tally", str(tmp_path / "absent.pb")])
    assert str(exc.value).startswith(f"无法读取 {tmp_path / 'absent.pb'}\uff1a")


def _yishi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yishi.cli", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


@pytest.mark.realdata
async def test_import_pb_then_export_round_trips_ballots(tmp_path):
    folder = shared_data("pabulib")
    source = folder / "Netherlands_Assen_2024.pb"
    places = await f.make_places(2)
    done = _yishi("import-pb", str(source), "--town", str(places["town"]))
    assert done.returncode == 0, done.stderr
    round_id = int(done.stdout.split("批次")[1].split("。")[0])
    round_ = await wishlists.get_round(round_id)
    assert round_.status is RoundStatus.counted

    out = tmp_path / "out.pb"
    done = _yishi("export", "round.pb", "--round", str(round_id), "--output", str(out))
    assert done.returncode == 0, done.stderr
    original, exported = rules.parse_pb(source), rules.parse_pb(out)
    assert exported.budget == original.budget
    assert len(exported.ballots) == len(original.ballots)
    # Projects get new ids; map them back through the names, then ballots agree as a multiset.
    back = {pid: next(o for o in original.projects.values() if (o.name or o.id)[:80] == p.name).id
            for pid, p in exported.projects.items()}
    assert sorted(sorted(back[p] for p in b) for b in exported.ballots) == \
        sorted(sorted(b) for b in original.ballots)
    assert {back[p] for p in rules.mes(exported)} == set(_expected("Netherlands_Assen_2024.pb")["mes_selected"])


def test_import_pb_unknown_town_exits_with_message(tmp_path):
    pb = tmp_path / "x.pb"
    pb.write_text("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\n"
                  "VOTES\nvoter_id;vote\n1;1\n")
    done = _yishi("import-pb", str(pb), "--town", "999999")
    assert done.returncode == 1
    assert "所选镇（街道）不存在。" in done.stderr
