"""The migration that moves meetings' micro_project rows into project (same ids, then drops the
old table), run again on a micro_project table rebuilt as meetings had it."""
import importlib
from datetime import UTC, datetime

from tests import factories as f
from tests.conftest import ENGINE
from yishi.meetings.enums import SubmissionStatus
from yishi.meetings.tables import Submission
from yishi.projects import services
from yishi.projects.enums import PlanStatus, ProjectState
from yishi.projects.tables import Project
from yishi.wishlists import services as wishlists

move = importlib.import_module("yishi.projects.piccolo_migrations.projects_2026_12_06t06_09_24_000000")

OLD_TABLE = """CREATE TABLE micro_project (id INTEGER PRIMARY KEY, round INTEGER NOT NULL, item INTEGER NOT NULL,
    submission INTEGER NOT NULL, title VARCHAR(80) NOT NULL, cost_fen BIGINT NOT NULL, kind VARCHAR(12) NOT NULL,
    lead_unit VARCHAR(80) NOT NULL, status VARCHAR(12) NOT NULL, created_at TIMESTAMP NOT NULL)"""


async def test_move_rows_keeps_ids_and_drops_old_table():
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    items = await wishlists.items_of(r.id)
    now = datetime.now(UTC)
    sub = await Submission.insert(Submission(round=r.id, version=1, status=SubmissionStatus.approved, snapshot={},
                                             submitted_at=now, slot=f"{r.id}:1")).returning(Submission.id).run()
    await ENGINE.run_ddl(OLD_TABLE)
    await ENGINE.run_ddl(
        "INSERT INTO micro_project VALUES (41, {r}, {i}, {s}, '爱心座椅', 4800000, 'special', '大弯街道城管办', "
        "'approved', '2026-11-30 08:00:00')".format(r=r.id, i=items[1]["id"], s=sub[0]["id"]))
    await move.move_rows()
    p = await services.get_project(41)
    assert (p["title"], p["description"], p["cost_fen"], p["lead_unit_name"], p["state"], p["plan_status"]) == (
        "爱心座椅", "说明2", 4800000, "大弯街道城管办", ProjectState.planning, PlanStatus.draft)
    _places, (new_id,) = await f.make_projects(items=1)
    assert new_id > 41  # the sequence moved past the copied ids (PostgreSQL)
    gone = ("SELECT to_regclass('micro_project') AS t" if ENGINE.engine_type == "postgres"
            else "SELECT name AS t FROM sqlite_master WHERE name = 'micro_project'")
    assert [row["t"] for row in await ENGINE.run_ddl(gone)] in ([None], [])
    assert await Project.count() == 2
