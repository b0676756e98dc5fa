"""Odoo's change notices gathered by connection and model: each record read once, one search for
Odoo 17's commit however many saves they came from, only the records Odoo does not show yet held
back."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.core.notice_apply import NoticeService, QueuedNotice, gather
from odoo_sync.core.pull_notices import not_yet_visible_at
from odoo_sync.core.warm_cache import CachedEntityLists
from odoo_sync.sync.model import OdooChangeMessage, RecordOutcome, SyncAction
from tests.unit.automation.test_notices_ahead_of_odoo import FakeOdoo

TENANT, CONNECTION = "ten_0123456789abcdef", "con_0123456789abcdef"
EARLY, LATE = "2026-11-22 15:57:01.587528", "2026-11-22 15:57:03.100000"


def message(
    *ids: int, write_date: str | None = EARLY, model: str = "res.partner", connection: str = CONNECTION
) -> OdooChangeMessage:
    return OdooChangeMessage(
        tenant_id=TENANT,
        connection_id=connection,
        odoo_model=model,
        odoo_ids=list(ids),
        write_date=write_date,
        received_at="2026-11-22T15:57:04Z",
    )


def queued(key: str, notice: OdooChangeMessage, patient: bool = True) -> QueuedNotice:
    return QueuedNotice(key, notice, patient)


@dataclass
class Odoo17(FakeOdoo):
    """Answers a domain of ('|' ...) ('&', ids, write_date) terms: `shown` maps id -> its write_date."""

    shown: dict[int, str] = field(default_factory=dict)

    def execute(self, model: str, method: str, args: Any = (), kwargs: Any = None) -> Any:
        self.calls.append((model, method, [list(args), kwargs]))
        [domain] = args
        terms = [item for item in domain if item not in ("|", "&")]
        found = set()
        for ids, since in zip(terms[::2], terms[1::2], strict=True):
            found |= {i for i in ids[2] if i in self.shown and self.shown[i] >= since[2]}
        return sorted(found)


@dataclass
class Pages:
    applied: list[tuple[str, list[int]]] = field(default_factory=list)

    def apply(
        self, tenant_id: str, connection_id: str, entity: str, odoo_ids: Any, **_: Any
    ) -> list[RecordOutcome]:
        self.applied.append((entity, list(odoo_ids)))
        return [
            RecordOutcome(
                local_id=f"odoo:{i}",
                action=SyncAction.UPDATED,
                started_at=EARLY,
                completed_at=EARLY,
                duration_ms=1,
            )
            for i in odoo_ids
        ]


def service(odoo: FakeOdoo, pages: Pages) -> NoticeService:
    views = [
        SimpleNamespace(entity=SimpleNamespace(name=name, odoo_model=model))
        for name, model in (
            ("customer", "res.partner"),
            ("vendor", "res.partner"),
            ("product", "product.template"),
        )
    ]
    entities = CachedEntityLists(SimpleNamespace(entities=lambda tenant_id: views))
    connections = SimpleNamespace(client=lambda tenant_id, connection_id: odoo)
    return NoticeService(entities, connections, pages)


def test_notices_are_gathered_by_connection_and_model_in_first_seen_order():
    groups = gather(
        [
            queued("a", message(1)),
            queued("b", message(5, model="product.template")),
            queued("c", message(2, connection="con_fedcba9876543210")),
            queued("d", message(1, 3)),
        ]
    )

    assert [(g.connection_id, g.odoo_model, g.odoo_ids) for g in groups] == [
        (CONNECTION, "res.partner", [1, 3]),
        (CONNECTION, "product.template", [5]),
        ("con_fedcba9876543210", "res.partner", [2]),
    ]
    assert [[n.key for n in g.notices] for g in groups] == [["a", "d"], ["b"], ["c"]]


def test_a_record_awaits_its_newest_noticed_version_and_only_patient_notices_wait():
    [group] = gather(
        [
            queued("a", message(1, write_date=LATE)),
            queued("b", message(1, 2, write_date=EARLY)),
            queued("c", message(3, write_date=LATE), patient=False),  # its last delivery: read as it is
            queued("d", message(4, write_date=None)),  # no version to wait for
        ]
    )

    assert group.awaited() == {1: LATE, 2: EARLY}
    assert group.odoo_ids == [1, 2, 3, 4]


@given(st.lists(st.tuples(st.integers(1, 6), st.sampled_from([EARLY, LATE, None])), min_size=1, max_size=30))
def test_gathering_reads_each_noticed_record_once_whatever_the_duplicates(notices):
    [group] = gather([queued(str(n), message(i, write_date=w)) for n, (i, w) in enumerate(notices)])

    assert group.odoo_ids == sorted({i for i, _ in notices})
    for odoo_id, awaited in group.awaited().items():
        assert awaited == max(w for i, w in notices if i == odoo_id and w is not None)


def test_one_search_tells_which_records_odoo_17_does_not_show_at_their_version():
    odoo = Odoo17(17, shown={1: LATE, 2: EARLY, 3: EARLY})

    waiting = not_yet_visible_at(odoo, "res.partner", {1: LATE, 2: LATE, 3: EARLY, 4: EARLY})  # type: ignore[arg-type]

    assert waiting == {2, 4}
    [(_, _, [[domain], kwargs])] = odoo.calls
    assert domain == [
        "|",
        "&",
        ["id", "in", [3, 4]],
        ["write_date", ">=", EARLY],
        "&",
        ["id", "in", [1, 2]],
        ["write_date", ">=", LATE],
    ]
    assert kwargs == {"context": {"active_test": False}}  # an archived record counts


def test_a_gathering_is_applied_once_per_entity_on_its_model_and_holds_back_only_what_odoo_lacks():
    odoo, pages = Odoo17(17, shown={1: EARLY}), Pages()
    notices = [queued("a", message(1)), queued("b", message(2)), queued("c", message(1, write_date=None))]
    [group] = gather(notices)

    result = service(odoo, pages).apply_group(group)

    assert pages.applied == [("customer", [1]), ("vendor", [1])]  # one read each, never the product
    assert result.waiting == {2}
    assert [n.key for n in result.postponed(group)] == ["b"]
    assert len(result.outcomes) == 2


def test_odoo_19_posts_after_its_commit_and_is_not_asked():
    odoo, pages = Odoo17(19), Pages()
    [group] = gather([queued("a", message(1)), queued("b", message(2))])

    result = service(odoo, pages).apply_group(group)

    assert odoo.calls == []
    assert result.waiting == set()
    assert pages.applied == [("customer", [1, 2]), ("vendor", [1, 2])]


def test_nothing_is_read_when_every_record_waits_for_odoo():
    odoo, pages = Odoo17(17), Pages()
    [group] = gather([queued("a", message(1))])

    result = service(odoo, pages).apply_group(group)

    assert pages.applied == []
    assert (result.waiting, result.outcomes) == ({1}, [])
