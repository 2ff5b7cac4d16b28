"""The IPython extension in an in-process shell: %load_ext, the %kumo magic, rich display."""

from __future__ import annotations

import boto3
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import kumo_intercept
from kumo_intercept.integrations import ipython as extension


@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "kumo_intercept")
    yield ip
    ip.run_line_magic("unload_ext", "kumo_intercept")
    ip.user_ns.pop("aws", None)


def magic(shell, line: str):
    return shell.run_line_magic("kumo", line)


def test_load_ext_starts_an_emulator_bound_to_aws(shell):
    aws = shell.user_ns["aws"]
    assert aws is kumo_intercept.current() and aws.active
    assert magic(shell, "") is aws and magic(shell, "status") is aws
    assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    assert aws.calls.names() == ["sts.GetCallerIdentity"]


def test_unload_ext_stops_the_emulator(shell):
    shell.run_line_magic("unload_ext", "kumo_intercept")
    assert kumo_intercept.current() is None
    with pytest.raises(UsageError, match="no emulator is running"):
        magic(shell, "state")
    shell.run_line_magic("load_ext", "kumo_intercept")
    assert kumo_intercept.current() is not None


def test_load_ext_leaves_a_users_aws_variable_alone():
    shell = InteractiveShell.instance()
    shell.user_ns["aws"] = "mine"
    shell.run_line_magic("load_ext", "kumo_intercept")
    try:
        assert shell.user_ns["aws"] == "mine"
        assert kumo_intercept.current() is not None
    finally:
        shell.run_line_magic("unload_ext", "kumo_intercept")
        del shell.user_ns["aws"]


def test_start_takes_kumo_options_and_advance_moves_the_virtual_clock(shell):
    aws = magic(shell, "start clock=virtual seed=3 region='eu-west-1'")
    assert shell.user_ns["aws"] is aws and aws.ids.seed == 3 and aws.region == "eu-west-1"
    start = aws.clock.time()
    magic(shell, "advance 90")
    magic(shell, "advance 15m")
    magic(shell, "advance 1.5h")
    assert aws.clock.time() - start == 90 + 900 + 5400
    assert magic(shell, "clock") == aws.clock.now()


def test_advance_on_the_wall_clock_says_how_to_get_a_virtual_one(shell):
    with pytest.raises(UsageError, match="start clock=virtual"):
        magic(shell, "advance 10")


def test_bad_input_is_a_usage_error(shell):
    magic(shell, "start clock=virtual")
    with pytest.raises(UsageError, match="duration such as 90"):
        magic(shell, "advance soon")
    with pytest.raises(UsageError, match="key=value"):
        magic(shell, "start virtual")
    with pytest.raises(UsageError, match="unknown %kumo command 'teleport'"):
        magic(shell, "teleport")
    with pytest.raises(UsageError, match="needs a name"):
        magic(shell, "snapshot")


def test_reset_forgets_resources(shell, capsys):
    aws = shell.user_ns["aws"]
    boto3.client("sts").get_session_token()
    assert aws.state.services() == ["sts"]
    magic(shell, "reset")
    assert aws.state.services() == [] and aws.state.tables() == {}
    assert "every resource was forgotten" in capsys.readouterr().out


def test_state_and_calls_display_as_html_and_text(shell):
    boto3.client("sns").create_topic(Name="orders")
    data, _ = shell.display_formatter.format(magic(shell, "state"))
    assert "<h4>sns · topics (1)</h4>" in data["text/html"]
    assert "sns · topics (1)" in data["text/plain"]
    data, _ = shell.display_formatter.format(magic(shell, "calls"))
    assert "<td>sns.CreateTopic</td>" in data["text/html"]
    data, _ = shell.display_formatter.format(shell.user_ns["aws"])
    assert data["text/plain"].startswith("kumo_intercept emulator (active)")
    assert "<td>orders</td>" in data["text/html"]


def test_snapshot_and_restore_go_back_to_a_named_state(shell):
    aws = shell.user_ns["aws"]
    sns = boto3.client("sns")
    sns.create_topic(Name="alerts")
    magic(shell, "snapshot one-topic")
    sns.create_topic(Name="audit")
    assert aws.state.sns.topics.names() == ["alerts", "audit"]
    magic(shell, "restore one-topic")
    assert aws.state.sns.topics.names() == ["alerts"]
    assert magic(shell, "snapshots") == ["one-topic"]


def test_help_lists_the_commands(shell, capsys):
    magic(shell, "help")
    out = capsys.readouterr().out
    for command in ("%kumo reset", "%kumo advance", "%kumo start", "%kumo snapshot NAME"):
        assert command in out


def test_parse_helpers():
    assert extension.parse_duration("2d") == 172800
    assert extension.parse_options("seed=None strict=True account_id=111122223333") == {
        "seed": None, "strict": True, "account_id": "111122223333"}
