"""A change notice Odoo 17 sent before committing: checked with one search, put back with a growing
delay (the messages of its group behind it wait behind it), and applied as Odoo has it on the last
try."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from odoo_sync.api import dependencies
from odoo_sync.core.pull_notices import NOTICE_DELAYS_S, NoticeAheadOfOdooError, check_visible
from odoo_sync.odoo.detection import ServerInfo
from odoo_sync.odoo.settings import Protocol
from odoo_sync.sync.model import OdooChangeMessage, RecordOutcome
from sync_worker import handler as worker
from tests.unit.bulk.test_sync_worker import CONNECTION, TENANT, invoke, sqs_record

OTHER_GROUP = f"{TENANT}#con_fedcba9876543210"
WRITE_DATE = "2026-11-22 15:57:01.587528"


def notice(odoo_id: int, write_date: str | None = WRITE_DATE) -> OdooChangeMessage:
    return OdooChangeMessage(
        tenant_id=TENANT,
        connection_id=CONNECTION,
        odoo_model="res.partner",
        odoo_ids=[odoo_id],
        write_date=write_date,
        received_at="2026-11-22T15:57:02Z",
    )


@dataclass
class FakeOdoo:
    major: int
    committed: set[int] = field(default_factory=set)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def server_info(self) -> ServerInfo:
        return ServerInfo(
            f"{self.major}.0", (self.major, 0, 0, "final", 0, ""), self.major, Protocol.XMLRPC, ""
        )

    def execute(self, model: str, method: str, args: Any = (), kwargs: Any = None) -> Any:
        self.calls.append((model, method, [list(args), kwargs]))
        [domain] = args
        return [record_id for record_id in domain[0][2] if record_id in self.committed]


@pytest.mark.parametrize("major", [17, 16])
def test_odoo_17_is_asked_once_whether_it_shows_the_noticed_version(major):
    odoo = FakeOdoo(major)

    with pytest.raises(NoticeAheadOfOdooError) as ahead:
        check_visible(odoo, notice(7))  # type: ignore[arg-type]

    assert ahead.value.ids == [7]
    assert odoo.calls == [
        (
            "res.partner",
            "search",
            [
                [[["id", "in", [7]], ["write_date", ">=", WRITE_DATE]]],
                {"context": {"active_test": False}},  # an archived record counts
            ],
        )
    ]
    odoo.committed.add(7)
    check_visible(odoo, notice(7))  # type: ignore[arg-type]


def test_odoo_19_and_notices_without_a_version_are_not_checked():
    for odoo, message in ((FakeOdoo(19), notice(7)), (FakeOdoo(17), notice(7, write_date=None))):
        check_visible(odoo, message)  # type: ignore[arg-type]
        assert odoo.calls == []


@dataclass
class Notices:
    """The pull service's notice path, with Odoo behind by the ids in `ahead`."""

    ahead: set[int] = field(default_factory=set)
    calls: list[tuple[list[int], bool]] = field(default_factory=list)

    def apply_change(
        self, message: OdooChangeMessage, *, wait_for_commit: bool = True
    ) -> list[RecordOutcome]:
        self.calls.append((message.odoo_ids, wait_for_commit))
        if wait_for_commit and set(message.odoo_ids) & self.ahead:
            raise NoticeAheadOfOdooError(message.odoo_model, message.odoo_ids, str(message.write_date))
        return []


@pytest.fixture
def notices(aws, monkeypatch: pytest.MonkeyPatch) -> Notices:
    service = Notices()
    monkeypatch.setattr(dependencies, "notice_service", lambda: service)
    monkeypatch.setattr(worker.metrics, "namespace", "OdooSyncTests")
    return service


@pytest.fixture
def postponed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(receipt handle, seconds) of each message the worker made SQS hand back later."""
    done: list[tuple[str, int]] = []
    queue = dependencies.chunk_queue()
    monkeypatch.setattr(queue, "delay", lambda receipt, seconds: done.append((receipt, seconds)))
    return done


def test_a_notice_ahead_of_odoo_comes_back_later_with_the_messages_behind_it(notices, postponed):
    notices.ahead = {1}

    failed = invoke(
        sqs_record("m1", notice(1).model_dump_json()),
        sqs_record("m2", notice(2).model_dump_json()),
        sqs_record("m3", notice(3).model_dump_json(), group=OTHER_GROUP),
    )

    assert failed == ["m1", "m2"]
    assert notices.calls == [([1], True), ([3], True)]  # m2 is not tried: it must not overtake m1
    # m2 is handed back at once: SQS FIFO gives none of the group while m1 is hidden.
    assert postponed == [("handle-m1", NOTICE_DELAYS_S[0]), ("handle-m2", 0)]


@pytest.mark.parametrize("receives", [1, 2, 3, 4])
def test_each_try_waits_longer(notices, postponed, receives):
    notices.ahead = {1}

    assert invoke(sqs_record("m1", notice(1).model_dump_json(), receives=receives)) == ["m1"]

    assert postponed == [("handle-m1", NOTICE_DELAYS_S[receives - 1])]
    assert list(NOTICE_DELAYS_S) == sorted(NOTICE_DELAYS_S)


def test_the_last_delivery_reads_odoo_as_it_is(notices, postponed):
    notices.ahead = {1}  # e.g. Odoo 17 sent it for a change it then rolled back

    failed = invoke(sqs_record("m1", notice(1).model_dump_json(), receives=len(NOTICE_DELAYS_S) + 1))

    assert failed == []
    assert notices.calls == [([1], False)]
    assert postponed == []
