"""Plays EventBridge schedules that target the template's functions (moto never fires them)."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from local_stack.invoker import FunctionError, LambdaInvoker
from local_stack.moto_server import ACCOUNT_ID
from local_stack.resources import Deployment
from local_stack.schedules import Schedule, parse_schedule
from local_stack.template import Template

log = logging.getLogger("local_stack.schedule")


@dataclass(frozen=True)
class ScheduledTarget:
    rule: str  # logical id of the rule or schedule
    rule_arn: str
    function: str
    schedule: Schedule
    payload: Any | None  # the target's constant Input, if any


def scheduled_targets(template: Template, deployment: Deployment, region: str) -> list[ScheduledTarget]:
    functions = set(template.of_type("AWS::Lambda::Function"))
    found: list[ScheduledTarget] = []
    for kind, targets_key in (("AWS::Events::Rule", "Targets"), ("AWS::Scheduler::Schedule", "Target")):
        for name, resource in template.of_type(kind).items():
            props = resource.get("Properties", {})
            expression = props.get("ScheduleExpression")
            if not isinstance(expression, str) or str(props.get("State", "ENABLED")).upper() != "ENABLED":
                continue
            targets = props.get(targets_key) or []
            for target in targets if isinstance(targets, list) else [targets]:
                function = _target_function(target.get("Arn"), functions)
                if function is None:
                    continue
                physical = deployment.physical_ids.get(name, name)
                service, prefix = (
                    ("events", "rule") if kind == "AWS::Events::Rule" else ("scheduler", "schedule/default")
                )
                found.append(
                    ScheduledTarget(
                        rule=name,
                        rule_arn=f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{prefix}/{physical}",
                        function=function,
                        schedule=parse_schedule(expression),
                        payload=json.loads(target["Input"]) if isinstance(target.get("Input"), str) else None,
                    )
                )
    return found


def _target_function(arn: Any, functions: set[str]) -> str | None:
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        target = arn["Fn::GetAtt"]
        name = target.split(".")[0] if isinstance(target, str) else target[0]
        return name if name in functions else None
    return None


class Ticker:
    """`fire()` and `tick(moment)` for tests; `start()` ticks every wall-clock minute."""

    def __init__(self, targets: list[ScheduledTarget], invoker: LambdaInvoker, region: str) -> None:
        self.targets = targets
        self._invoker = invoker
        self._region = region
        self.started_at = datetime.now(UTC)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, moment: datetime | None = None) -> list[ScheduledTarget]:
        """Invoke every target whose schedule is due at this minute; the ones that ran.

        Rates count from `started_at` (when the rules were created), as EventBridge's do.
        """
        moment = moment or datetime.now(UTC)
        due = [target for target in self.targets if target.schedule.is_due(moment, self.started_at)]
        for target in due:
            self._invoke(target, moment)
        return due

    def fire(self, rule: str | None = None, moment: datetime | None = None) -> list[Any]:
        """Invoke the targets of one rule (or all) now, whatever their schedule; their answers."""
        chosen = [target for target in self.targets if rule is None or target.rule == rule]
        if not chosen:
            raise KeyError(f"no scheduled target for rule {rule!r}")
        return [self._invoke(target, moment or datetime.now(UTC)) for target in chosen]

    def start(self) -> None:
        self._stop.clear()
        self.started_at = datetime.now(UTC)
        self._thread = threading.Thread(target=self._run, name="schedule-ticker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            now = datetime.now(UTC)
            next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            if self._stop.wait((next_minute - now).total_seconds()):
                return
            try:
                self.tick(next_minute)
            except Exception:  # a failing target must not stop the other schedules
                log.exception("schedule tick failed")

    def _invoke(self, target: ScheduledTarget, moment: datetime) -> Any:
        event = target.payload if target.payload is not None else self.scheduled_event(target, moment)
        try:
            return self._invoker.invoke(target.function, event)
        except FunctionError as exc:
            # EventBridge invokes asynchronously: a failure is logged (and retried by Lambda), not raised.
            log.error("scheduled %s failed: %s", target.function, exc)
            return None

    def scheduled_event(self, target: ScheduledTarget, moment: datetime) -> dict[str, Any]:
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self._region,
            "resources": [target.rule_arn],
            "detail": {},
        }
