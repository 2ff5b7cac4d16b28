"""State machines: create/describe/update/delete/list, definition validation, versions, aliases, tags.

Facts: the API reference of each operation; LocalStack's AWS-recorded
tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json (diagnostic codes, messages
and locations), test_sfn_api_versioning.snapshot.json (version ARNs ``<machine>:<n>``, an unchanged
revision publishes no new version) and test_sfn_api_aliasing.snapshot.json (alias ARNs ``<machine>:<alias>``).
"""

from __future__ import annotations

import json

import pytest

from sfn_helpers import ROLE, output

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_create_describe_update_delete(sfn, machine):
    arn = machine(PASS, name="flow")
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["name"], described["type"], described["status"]) == ("flow", "STANDARD", "ACTIVE")
    assert json.loads(described["definition"]) == PASS
    # creating again with the same definition and role is idempotent; another definition conflicts
    assert sfn.create_state_machine(name="flow", definition=json.dumps(PASS), roleArn=ROLE)["stateMachineArn"] == arn
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        sfn.create_state_machine(name="flow", definition=json.dumps({**PASS, "Comment": "x"}), roleArn=ROLE)
    new = {"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}}
    revision = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(new))["revisionId"]
    assert revision != described["revisionId"]
    assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["flow"]
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_validate_lists_every_problem(sfn):
    # ValidateStateMachineDefinition lists all diagnostics (codes and locations as AWS records them)
    answer = sfn.validate_state_machine_definition(definition=json.dumps({}))
    assert answer["result"] == "FAIL"
    assert answer["diagnostics"] == [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                                      "message": "These fields are required: [States, StartAt]", "location": "/"}]
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"},
                                         "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                               "End": True}}}
    problems = sfn.validate_state_machine_definition(definition=json.dumps(broken), type="EXPRESS")["diagnostics"]
    assert [(p["code"], p["location"]) for p in problems] == [
        ("MISSING_TRANSITION_TARGET", "/States/A/Next"), ("SCHEMA_VALIDATION_FAILED", "/States/B/Resource")]
    valid = sfn.validate_state_machine_definition(definition=json.dumps(PASS))
    assert (valid["result"], valid["diagnostics"], valid["truncated"]) == ("OK", [], False)


def test_create_refuses_an_invalid_definition(sfn):
    with pytest.raises(sfn.exceptions.InvalidDefinition) as info:
        sfn.create_state_machine(name="bad", definition=json.dumps({"StartAt": "X", "States": {"A": {"Type": "Pass", "End": True}}}),
                                 roleArn=ROLE)
    assert "MISSING_TRANSITION_TARGET" in info.value.response["Error"]["Message"]


def test_jsonata_needs_its_extra(sfn, monkeypatch):
    # QueryLanguage JSONata runs on the optional jsonata-python package; without it, a clear error
    import sys

    from kumo_intercept.core.errors import NotEmulatedError
    monkeypatch.setitem(sys.modules, "jsonata", None)
    with pytest.raises(NotEmulatedError, match=r"kumo_intercept\[jsonata\]"):
        sfn.create_state_machine(name="j", roleArn=ROLE, definition=json.dumps({**PASS, "QueryLanguage": "JSONata"}))


def test_jsonpath_state_in_a_jsonata_machine_is_invalid(sfn):
    # the message and location recorded in test_sfn_api_validation.snapshot.json (INVALID_DOWNGRADE_QUERY_LANGUAGE)
    definition = {"QueryLanguage": "JSONata", "StartAt": "Pass",
                  "States": {"Pass": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}
    problems = sfn.validate_state_machine_definition(definition=json.dumps(definition))["diagnostics"]
    assert problems == [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "location": "/States/Pass",
                         "message": "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"}]


def test_versions_and_aliases(sfn, machine):
    arn = machine(PASS, name="v")
    first = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert first == f"{arn}:1"
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == first
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 2, "End": True}}}), publish=True)
    versions = [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]]
    assert versions == [f"{arn}:2", first]
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": first, "weight": 100}])["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    execution = sfn.start_execution(stateMachineArn=alias, input='{"a": 1}')["executionArn"]
    described = sfn.describe_execution(executionArn=execution)
    assert described["stateMachineAliasArn"] == alias and described["stateMachineVersionArn"] == first
    assert output(described) == {"a": 1}  # version 1 runs, not the updated machine
    for_execution = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert json.loads(for_execution["definition"]) == PASS
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.delete_state_machine_version(stateMachineVersionArn=first)
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": f"{arn}:2", "weight": 100}])
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["routingConfiguration"][0]["stateMachineVersionArn"] \
        == f"{arn}:2"
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]] \
        == [alias]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=first)


def test_tags(sfn, machine):
    arn = machine(PASS)
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "a"}, {"key": "env", "value": "dev"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]


def test_summary_lists_machines_and_executions(aws, sfn, machine):
    arn = machine(PASS, name="s")
    sfn.start_execution(stateMachineArn=arn)
    summary = aws.backend("stepfunctions").summary()
    assert summary["state_machines"][0]["name"] == "s"
    assert summary["state_machines"][0]["executions"] == {"SUCCEEDED": 1}
    [execution] = aws.state.stepfunctions.executions(arn)
    assert execution["status"] == "SUCCEEDED"
    assert [e["type"] for e in aws.state.stepfunctions.history(execution["arn"])][0] == "ExecutionStarted"
