"""The audit trail's hash chain: intact it verifies; a row changed or deleted directly in the
database is found, and the first bad entry named; concurrent appends still form one chain."""
from __future__ import annotations

import asyncio

from yishi.core import audit
from yishi.core.tables import AuditEntry


async def _entries(n: int) -> list[int]:
    for i in range(n):
        await audit.record("test.thing.done", object_type="thing", object_id=i, note=f"第{i}条", amount=i * 100)
    return [r["id"] for r in await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id).run()]


async def test_audit_chain_intact_verifies_every_entry():
    ids = await _entries(5)
    verdict = await audit.verify()
    assert (verdict.checked, verdict.bad_id) == (5, None)
    assert verdict.head.entry_id == ids[-1]
    assert verdict.head == await audit.head()


async def test_audit_chain_changed_row_is_named():
    ids = await _entries(5)
    await AuditEntry.update({AuditEntry.data: '{"amount":999,"note":"第2条"}'}).where(AuditEntry.id == ids[2]).run()
    verdict = await audit.verify()
    assert (verdict.bad_id, verdict.reason, verdict.checked) == (ids[2], "content", 2)


async def test_audit_chain_changed_actor_is_named():
    ids = await _entries(3)
    await AuditEntry.update({AuditEntry.actor_name: "别人"}).where(AuditEntry.id == ids[0]).run()
    assert (await audit.verify()).bad_id == ids[0]


async def test_audit_chain_deleted_row_names_the_entry_after_it():
    ids = await _entries(5)
    await AuditEntry.delete().where(AuditEntry.id == ids[1]).run()
    verdict = await audit.verify()
    assert (verdict.bad_id, verdict.reason) == (ids[2], "prev")


async def test_audit_chain_concurrent_appends_form_one_chain():
    await asyncio.gather(*(audit.record("test.thing.done", object_type="thing", object_id=i) for i in range(60)))
    verdict = await audit.verify()
    assert (verdict.checked, verdict.bad_id) == (60, None)


async def test_audit_head_of_an_action_is_that_entry():
    await _entries(2)
    await audit.record("ballot.round.counted", object_type="round", object_id=7)
    await _entries(1)
    h = await audit.head_of("ballot.round.counted", "round", 7)
    row = await AuditEntry.select(AuditEntry.action, AuditEntry.hash).where(AuditEntry.id == h.entry_id).first().run()
    assert row == {"action": "ballot.round.counted", "hash": h.hash}
