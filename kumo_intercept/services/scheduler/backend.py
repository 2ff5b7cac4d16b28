"""EventBridge Scheduler: schedule groups, schedules (``at``/``rate``/``cron`` in a time zone, flexible
windows, start and end dates) and their targets, invoked on the emulator clock.

Each schedule record holds its next nominal invocation (``NextTick``) and the moment it fires
(``FireAt``: the tick plus the flexible window's deterministic offset, see ``expressions``). A poller
registered with the emulator fires every due invocation in time order after each call, or when
``aws.drain()`` runs / a virtual clock moves. Targets are reached only through the emulator's ports
(see ``targets``). Roles are checked against IAM through ``ports.identity``.
"""

from __future__ import annotations

from typing import Any

from ...api import scheduler
from ...core.clock import from_epoch, to_epoch
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.schedule import ScheduleError
from ...core.tags import tags_merged, tags_without
from ...core.tokens import offset_page
from ...core.partitions import arn_prefix
from . import schema
from .expressions import ScheduleTimes, flexible_offset, parse_times, time_zone
from .targets import TargetInvoker

_DEFAULT_GROUP = "default"
#: how many invocations one poll fires at most (a clock moved by years would otherwise fire forever)
_MAX_FIRES_PER_POLL = 1000


def _schedule_missing(name: str) -> Exception:
    # wording: AWS's ResourceNotFoundException for GetSchedule of an unknown name
    return scheduler.resource_not_found_exception(f"Schedule {name} does not exist.")


def _group_missing(name: str) -> Exception:
    return scheduler.resource_not_found_exception(f"Schedule group {name} does not exist.")


def _plain(tags: list[scheduler.Tag]) -> list[dict[str, str]]:
    return [{"Key": tag["Key"], "Value": tag["Value"]} for tag in tags]


class SchedulerBackend(ServiceBackend):
    service_name = "scheduler"
    input_error_code = "ValidationException"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.groups = schema.GROUPS.open_ordered(self.store)
        self.schedules = schema.SCHEDULES.open_ordered(self.store)
        self.invoker = TargetInvoker(emulator)
        self._next_due: float | None = None
        self._due_known = False
        self.schedules.watch(self._schedule_changed)
        self.invoker.retries.watch(self._schedule_changed)
        emulator.pollers.append(self._poll)

    def _schedule_changed(self, key: tuple, old: Any, new: Any) -> None:
        self._due_known = False

    # -- groups -----------------------------------------------------------------------------------
    @staticmethod
    def _group_arn(key: tuple) -> str:
        account, region, name = key
        return f"{arn_prefix(region)}:scheduler:{region}:{account}:schedule-group/{name}"

    def _group(self, ctx: RequestContext[Any], name: str | None) -> tuple[tuple, dict]:
        """The group a ``GroupName`` names (the default group exists in every account and region)."""
        key = (ctx.account, ctx.region, name or _DEFAULT_GROUP)
        group = self.groups.get(key)
        if group is None:
            if key[2] != _DEFAULT_GROUP:
                raise _group_missing(key[2])
            group = {"CreationDate": ctx.time(), "LastModificationDate": ctx.time(), "Tags": []}
            self.groups.put(key, group)
        return key, group

    def _group_view(self, key: tuple, group: dict) -> scheduler.GetScheduleGroupOutput:
        return {"Arn": self._group_arn(key), "Name": key[2], "State": "ACTIVE",
                "CreationDate": from_epoch(group["CreationDate"]),
                "LastModificationDate": from_epoch(group["LastModificationDate"])}

    def create_schedule_group(self, ctx: Ctx[scheduler.CreateScheduleGroupRequest]) -> scheduler.CreateScheduleGroupResult:
        name = ctx.params["Name"]
        key = (ctx.account, ctx.region, name)
        if key in self.groups or name == _DEFAULT_GROUP:
            raise scheduler.conflict_exception(f"Schedule group {name} already exists.")
        now = ctx.time()
        self.groups.put(key, {"CreationDate": now, "LastModificationDate": now,
                              "Tags": tags_merged([], _plain(ctx.params.get("Tags", [])))})
        return {"ScheduleGroupArn": self._group_arn(key)}

    def get_schedule_group(self, ctx: Ctx[scheduler.GetScheduleGroupRequest]) -> scheduler.GetScheduleGroupResult:
        return self._group_view(*self._group(ctx, ctx.params["Name"]))

    def delete_schedule_group(self, ctx: Ctx[scheduler.DeleteScheduleGroupRequest]) -> scheduler.DeleteScheduleGroupResult:
        name = ctx.params["Name"]
        if name == _DEFAULT_GROUP:
            raise scheduler.validation_exception("Cannot delete the default schedule group.")
        key, _ = self._group(ctx, name)
        # AWS deletes the group's schedules too (asynchronously, state DELETING); here at once
        for schedule_key in list(self.schedules.irange(key + ("",), key + ("\uffff",))):
            self.schedules.delete(schedule_key)
        self.groups.delete(key)
        return {}

    def list_schedule_groups(self, ctx: Ctx[scheduler.ListScheduleGroupsRequest]) -> scheduler.ListScheduleGroupsResult:
        self._group(ctx, _DEFAULT_GROUP)
        prefix = ctx.params.get("NamePrefix", "")
        rows = [self._group_view(key, group)
                for key, group in self.groups.items_range((ctx.account, ctx.region, prefix),
                                                             (ctx.account, ctx.region, prefix + "\uffff"))]
        page, token = offset_page(rows, ctx.params.get("MaxResults", 100), ctx.params.get("NextToken"),
                                  scheduler.validation_exception("Invalid NextToken."))
        out: scheduler.ListScheduleGroupsResult = {"ScheduleGroups": page}
        if token:
            out["NextToken"] = token
        return out

    # -- tags (schedule groups are the taggable resource) -------------------------------------------
    def _tagged_group(self, ctx: RequestContext[Any], arn: str) -> tuple[tuple, dict]:
        prefix = f"{arn_prefix(ctx.region)}:scheduler:{ctx.region}:{ctx.account}:schedule-group/"
        if not arn.startswith(prefix):
            raise scheduler.resource_not_found_exception(f"Schedule group {arn} does not exist.")
        return self._group(ctx, arn[len(prefix):])

    def tag_resource(self, ctx: Ctx[scheduler.TagResourceRequest]) -> scheduler.TagResourceResult:
        key, group = self._tagged_group(ctx, ctx.params["ResourceArn"])
        self.groups.put(key, {**group, "Tags": tags_merged(group["Tags"], _plain(ctx.params["Tags"]))})
        return {}

    def untag_resource(self, ctx: Ctx[scheduler.UntagResourceRequest]) -> scheduler.UntagResourceResult:
        key, group = self._tagged_group(ctx, ctx.params["ResourceArn"])
        self.groups.put(key, {**group, "Tags": tags_without(group["Tags"], ctx.params["TagKeys"])})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[scheduler.ListTagsForResourceRequest]) -> scheduler.ListTagsForResourceResult:
        _, group = self._tagged_group(ctx, ctx.params["ResourceArn"])
        return {"Tags": [dict(tag) for tag in group["Tags"]]}  # type: ignore[misc]

    # -- schedules --------------------------------------------------------------------------------
    @staticmethod
    def _schedule_arn(key: tuple) -> str:
        account, region, group, name = key
        return f"{arn_prefix(region)}:scheduler:{region}:{account}:schedule/{group}/{name}"

    def _schedule(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        group_key, _ = self._group(ctx, ctx.params.get("GroupName"))
        key = (*group_key, ctx.params["Name"])
        schedule = self.schedules.get(key)
        if schedule is None:
            raise _schedule_missing(ctx.params["Name"])
        return key, schedule

    def _record(self, ctx: RequestContext[Any], created: float) -> dict:
        """A schedule record from Create/UpdateSchedule's params, checked as AWS checks them."""
        params = ctx.params
        expression = params["ScheduleExpression"]
        zone_name = params.get("ScheduleExpressionTimezone")
        try:
            zone = time_zone(zone_name)
        except ValueError:
            raise scheduler.validation_exception(f"Invalid timezone {zone_name}.") from None
        start = to_epoch(params["StartDate"]) if "StartDate" in params else None
        end = to_epoch(params["EndDate"]) if "EndDate" in params else None
        if start is not None and end is not None and end <= start:
            raise scheduler.validation_exception("The EndDate must be after the StartDate.")
        try:
            times = parse_times(expression, zone, start, end)
        except ScheduleError:
            raise scheduler.validation_exception(f"Invalid Schedule Expression {expression}.") from None
        window = params["FlexibleTimeWindow"]
        if window["Mode"] == "FLEXIBLE" and "MaximumWindowInMinutes" not in window:
            raise scheduler.validation_exception(
                "MaximumWindowInMinutes must be provided when FlexibleTimeWindow Mode is FLEXIBLE.")
        if window["Mode"] == "OFF" and "MaximumWindowInMinutes" in window:
            raise scheduler.validation_exception(
                "MaximumWindowInMinutes must not be provided when FlexibleTimeWindow Mode is OFF.")
        target = dict(params["Target"])
        self.invoker.check_target(ctx, target)
        record = {
            "ScheduleExpression": expression, "FlexibleTimeWindow": dict(window), "Target": target,
            "State": params.get("State", "ENABLED"), "CreationDate": created,
            "LastModificationDate": ctx.time(), "Seed": ctx.ids.uuid4(), "Anchor": times.anchor(ctx.time()),
            "StartDate": start, "EndDate": end,
        }
        for member in ("ScheduleExpressionTimezone", "Description", "KmsKeyArn", "ActionAfterCompletion"):
            if member in params:
                record[member] = params[member]
        return self._scheduled(record, times.first(ctx.time()))

    @staticmethod
    def _scheduled(record: dict, tick: float | None) -> dict:
        """The record with its next invocation at nominal ``tick`` (None: nothing left to invoke)."""
        window = record["FlexibleTimeWindow"]
        fire_at = tick
        if tick is not None and window["Mode"] == "FLEXIBLE":
            fire_at = tick + flexible_offset(record["Seed"], tick, window["MaximumWindowInMinutes"])
        return {**record, "NextTick": tick, "FireAt": fire_at}

    def create_schedule(self, ctx: Ctx[scheduler.CreateScheduleRequest]) -> scheduler.CreateScheduleResult:
        group_key, _ = self._group(ctx, ctx.params.get("GroupName"))
        key = (*group_key, ctx.params["Name"])
        if key in self.schedules:
            raise scheduler.conflict_exception(f"Schedule {ctx.params['Name']} already exists.")
        self.schedules.put(key, self._record(ctx, ctx.time()))
        return {"ScheduleArn": self._schedule_arn(key)}

    def update_schedule(self, ctx: Ctx[scheduler.UpdateScheduleRequest]) -> scheduler.UpdateScheduleResult:
        key, existing = self._schedule(ctx)
        self.schedules.put(key, self._record(ctx, existing["CreationDate"]))
        return {"ScheduleArn": self._schedule_arn(key)}

    def get_schedule(self, ctx: Ctx[scheduler.GetScheduleRequest]) -> scheduler.GetScheduleResult:
        key, schedule = self._schedule(ctx)
        out: scheduler.GetScheduleResult = {
            "Arn": self._schedule_arn(key), "GroupName": key[2], "Name": key[3],
            "ScheduleExpression": schedule["ScheduleExpression"], "State": schedule["State"],
            "FlexibleTimeWindow": schedule["FlexibleTimeWindow"],  # type: ignore[typeddict-item]
            "Target": schedule["Target"],  # type: ignore[typeddict-item]
            "CreationDate": from_epoch(schedule["CreationDate"]),
            "LastModificationDate": from_epoch(schedule["LastModificationDate"]),
            "ActionAfterCompletion": schedule.get("ActionAfterCompletion", "NONE"),
        }
        for member in ("ScheduleExpressionTimezone", "Description", "KmsKeyArn"):
            if member in schedule:
                out[member] = schedule[member]  # type: ignore[literal-required]
        for member in ("StartDate", "EndDate"):
            if schedule[member] is not None:
                out[member] = from_epoch(schedule[member])  # type: ignore[literal-required]
        return out

    def delete_schedule(self, ctx: Ctx[scheduler.DeleteScheduleRequest]) -> scheduler.DeleteScheduleResult:
        key, _ = self._schedule(ctx)
        self.schedules.delete(key)
        return {}

    def list_schedules(self, ctx: Ctx[scheduler.ListSchedulesRequest]) -> scheduler.ListSchedulesResult:
        params = ctx.params
        group = params.get("GroupName")
        prefix, state = params.get("NamePrefix", ""), params.get("State")
        rows: list[scheduler.ScheduleSummary] = []
        for key, schedule in self.schedules.items_range((ctx.account, ctx.region), (ctx.account, ctx.region, "\uffff")):
            if (group is not None and key[2] != group) or not key[3].startswith(prefix):
                continue
            if state is not None and schedule["State"] != state:
                continue
            rows.append({"Arn": self._schedule_arn(key), "GroupName": key[2], "Name": key[3],
                         "State": schedule["State"], "CreationDate": from_epoch(schedule["CreationDate"]),
                         "LastModificationDate": from_epoch(schedule["LastModificationDate"]),
                         "Target": {"Arn": schedule["Target"]["Arn"]}})
        page, token = offset_page(rows, params.get("MaxResults", 100), params.get("NextToken"),
                                  scheduler.validation_exception("Invalid NextToken."))
        out: scheduler.ListSchedulesResult = {"Schedules": page}
        if token:
            out["NextToken"] = token
        return out

    # -- the poller -------------------------------------------------------------------------------
    def _due(self) -> float | None:
        if not self._due_known:
            times = [s["FireAt"] for s in self.schedules.values()
                     if s["FireAt"] is not None and s["State"] == "ENABLED"]
            retry = self.invoker.next_retry()
            if retry is not None:
                times.append(retry)
            self._next_due = min(times) if times else None
            self._due_known = True
        return self._next_due

    def _poll(self) -> bool:
        """Fires every due invocation and retry, in time order."""
        due = self._due()
        now = self.emulator.clock.time()
        if due is None or now < due:
            return False
        fired = 0
        while fired < _MAX_FIRES_PER_POLL:
            earliest = self._earliest_due(now)
            retry = self.invoker.next_retry()
            if retry is not None and retry <= now and (
                    earliest is None or retry <= self.schedules[earliest]["FireAt"]):
                self.invoker.retry_due()
            elif earliest is not None:
                self._fire(earliest, self.schedules[earliest])
            else:
                break
            fired += 1
        return fired > 0

    def _earliest_due(self, now: float) -> tuple | None:
        best: tuple | None = None
        best_time = now
        for key, schedule in self.schedules.items():
            fire_at = schedule["FireAt"]
            if fire_at is None or schedule["State"] != "ENABLED" or fire_at > best_time:
                continue
            if best is None or fire_at < best_time:
                best, best_time = key, fire_at
        return best

    def _fire(self, key: tuple, schedule: dict) -> None:
        tick = schedule["NextTick"]
        times = self._times(schedule)
        following = times.after(tick, schedule["Anchor"])
        if following is None and schedule.get("ActionAfterCompletion") == "DELETE":
            self.schedules.delete(key)
        else:
            self.schedules.put(key, self._scheduled(schedule, following))
        self.invoker.invoke(key, self._schedule_arn(key), schedule, tick)

    @staticmethod
    def _times(schedule: dict) -> ScheduleTimes:
        return parse_times(schedule["ScheduleExpression"], time_zone(schedule.get("ScheduleExpressionTimezone")),
                           schedule["StartDate"], schedule["EndDate"])

    # -- inspection -------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return {
            "schedule_groups": [{"name": key[2], "account": key[0], "region": key[1], "tags": len(group["Tags"])}
                                for key, group in self.groups.items()],
            "schedules": [{"name": key[3], "group": key[2], "account": key[0], "region": key[1],
                           "expression": s["ScheduleExpression"], "state": s["State"],
                           "target": s["Target"]["Arn"],
                           "next": None if s["FireAt"] is None else from_epoch(s["FireAt"]).isoformat()}
                          for key, s in self.schedules.items()],
        }

