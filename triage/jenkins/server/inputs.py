"""Pipeline `input` steps as pipeline-input-step-plugin exports and decides them (reference §1).

Ids (§1.3), the exported shapes of InputAction / InputStepExecution / InputStep and parameter
definitions (§1.2), who may decide (§1.5) and how submitted values are parsed (§1.4) live here.
The HTTP layer turns `InputFailure` into 400 + `X-Error` and `ServerFault` into 500.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from triage.jenkins.server.export import Prop

PKG = "org.jenkinsci.plugins.workflow.support.steps.input"
KINDS = {
    "string": "StringParameter",
    "text": "TextParameter",
    "boolean": "BooleanParameter",
    "choice": "ChoiceParameter",
    "password": "PasswordParameter",
}
# §1.3 SECURITY-2880: the pattern `DescriptorImpl.doCheckId` accepts for explicit ids.
SAFE_ID = re.compile(r"^[a-zA-Z0-9\[\-\]._~!$()*+,:@=]+$")
PASSWORD_DEFAULT = "<DEFAULT>"  # PasswordParameterDefinition.DEFAULT_VALUE (§1.4)


class InputFailure(Exception):
    """`hudson.model.Failure`: rendered as HTTP 400 with header `X-Error: <message>` (§1.5)."""


class ServerFault(Exception):
    """An unhandled exception in Jenkins: HTTP 500 with the message in an HTML body."""


def capitalize(text: str) -> str:
    """Upper-case the first character only if it is a-z (`InputStep.capitalize`, §1.3)."""
    if text and "a" <= text[0] <= "z":
        return text[0].upper() + text[1:]
    return text


def input_id(message: str, explicit: str | None = None) -> str:
    """Return the id Jenkins gives an input: explicit (fixEmpty) or MD5 of the message (§1.3)."""
    if explicit:
        return capitalize(explicit)
    return capitalize(hashlib.md5(message.encode("utf-8")).hexdigest())


def is_safe_id(explicit: str) -> bool:
    return bool(SAFE_ID.match(explicit)) and explicit not in (".", "..")


@dataclass
class Param:
    """A parameter definition of an input step: string, text, boolean, choice or password."""

    name: str
    kind: str = "string"
    default: Any = None
    description: str | None = None
    choices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter kind must be one of {sorted(KINDS)}, not {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"choice parameter {self.name!r} needs choices")
        if self.default is None:
            self.default = {"boolean": False, "choice": None}.get(self.kind, "")
        if self.kind == "choice" and self.default is None:
            # ChoiceParameterDefinition.getDefaultParameterValue: the first choice (§1.2).
            self.default = self.choices[0]

    @property
    def type_name(self) -> str:
        return KINDS[self.kind] + "Definition"

    @property
    def export_class(self) -> str:
        return "hudson.model." + self.type_name

    def export_props(self):
        props = [
            Prop("defaultParameterValue", lambda: ParamValue(self, self.default), 3),
            Prop("description", lambda: self.description, 3),
            Prop("name", lambda: self.name, 3),
            Prop("type", lambda: self.type_name, 3),
        ]
        if self.kind == "choice":
            props.append(Prop("choices", lambda: list(self.choices), 3))
        return props

    def bind(self, raw: dict) -> Any:
        """Bind one submitted `{"name","value"}` element as `createValue(req, jo)` would."""
        if "value" not in raw:
            raise ServerFault(f"Failed to instantiate class {self.export_class}: missing value")
        value = raw["value"]
        if self.kind == "boolean":
            if isinstance(value, str):
                return value.strip().lower() == "true"
            return bool(value)
        value = "" if value is None else str(value) if not isinstance(value, str) else value
        if self.kind == "choice" and value not in self.choices:
            raise ServerFault(f"Illegal choice for parameter {self.name}: {value}")
        if self.kind == "password" and value == PASSWORD_DEFAULT:
            return self.default
        return value


class ParamValue:
    """A ParameterValue: `name` at visibility 3, `value` at 4; passwords export no value."""

    def __init__(self, param: Param, value: Any):
        self.param, self.value = param, value

    @property
    def export_class(self) -> str:
        # ChoiceParameterDefinition creates a StringParameterValue (§1.2 example).
        kind = "string" if self.param.kind == "choice" else self.param.kind
        return "hudson.model." + KINDS[kind] + "Value"

    def export_props(self):
        props = [Prop("name", lambda: self.param.name, 3)]
        if self.param.kind != "password":
            props.append(Prop("value", lambda: self.value, 4))
        return props


@dataclass
class InputStep:
    """What the Jenkinsfile asked: `input message:, id:, ok:, submitter:, parameters:`."""

    message: str
    id: str | None = None
    ok: str | None = None
    cancel: str | None = None
    submitter: str | None = None
    submitter_parameter: str | None = None
    parameters: list[Param] = field(default_factory=list)

    export_class = f"{PKG}.InputStep"

    @property
    def normalized_id(self) -> str:
        return input_id(self.message, self.id)

    def export_props(self):
        return (
            Prop("cancel", lambda: self.cancel or "Abort", 2),
            Prop("id", lambda: self.normalized_id, 2),
            Prop("message", lambda: self.message, 2),
            Prop("ok", lambda: self.ok or "Proceed", 2),
            Prop("parameters", lambda: self.parameters, 2),
            Prop("submitter", lambda: self.submitter, 2),
            Prop("submitterParameter", lambda: self.submitter_parameter, 2),
        )


@dataclass
class Decision:
    """What happened to an input: proceeded (with values) or aborted, and by whom."""

    proceeded: bool
    user: str
    values: dict[str, Any] = field(default_factory=dict)


class InputExecution:
    """One paused `input` (`InputStepExecution`); `then` is the build result after proceeding."""

    export_class = f"{PKG}.InputStepExecution"

    def __init__(self, step: InputStep, then: str | None = "SUCCESS", started_ms: int = 0,
                 stage: str = "Approve"):
        self.step = step
        self.then = then
        self.decision: Decision | None = None
        # When the run reached the step (its flow node's PauseAction began) and when it was
        # decided: Stage View's paused stage is timed from these (§2.3).
        self.started_ms = started_ms
        self.decided_ms: int | None = None
        self.stage = stage

    @property
    def id(self) -> str:
        return self.step.normalized_id

    @property
    def display_name(self) -> str:
        msg = self.step.message
        return msg if len(msg) <= 32 else msg[:32] + "..."

    def export_props(self):
        return (
            Prop("displayName", lambda: self.display_name, 2),
            Prop("id", lambda: self.id, 2),
            Prop("input", lambda: self.step, 2, declared=InputStep.export_class),
            Prop("settled", lambda: self.decision is not None, 2),
        )

    # --- who may decide (§1.5) ---------------------------------------------------------------

    def _is_submitter(self, user) -> bool:
        if user is None:
            return False
        if user.admin:
            return True  # JENKINS-48998: administrators may always settle
        wanted = {s.strip().lower() for s in (self.step.submitter or "").split(",") if s.strip()}
        names = {user.id.lower(), *(g.lower() for g in user.groups)}
        return bool(wanted & names)

    def can_settle(self, user) -> bool:
        if self.step.submitter is None:
            return user is not None and (user.admin or user.can_build)
        return self._is_submitter(user)

    def check_proceed(self, user) -> None:
        if self.decision is not None:
            raise InputFailure("This input has been already given")
        if not self.can_settle(user):
            if self.step.submitter is not None:
                raise InputFailure(f"You need to be {self.step.submitter} to submit this.")
            raise InputFailure("You need to have Job/Build permissions to submit this.")

    def check_abort(self, user) -> None:
        if self.decision is not None:
            raise InputFailure("This input has been already given")
        can_cancel = user is not None and (user.admin or user.can_cancel)
        if not can_cancel and not self.can_settle(user):
            if self.step.submitter is not None:
                raise InputFailure(
                    f"You need to be '{self.step.submitter}' (or have Job/Cancel permissions)"
                    " to cancel this."
                )
            raise InputFailure("You need to have Job/Cancel permissions to cancel this.")

    def parse_values(self, form_json: Any, user_id: str) -> dict[str, Any]:
        """Bind the submitted `parameter` list; omitted names are NOT defaulted (§1.4)."""
        raw = form_json.get("parameter", []) if isinstance(form_json, dict) else []
        if isinstance(raw, dict):
            raw = [raw]  # JSONArray.fromObject accepts a single object
        by_name = {p.name: p for p in self.step.parameters}
        values: dict[str, Any] = {}
        for element in raw:
            name = element.get("name") if isinstance(element, dict) else None
            param = by_name.get(name)
            if param is None:
                raise ServerFault(f"No such parameter definition: {name}")
            values[name] = param.bind(element)
        if self.step.submitter_parameter:
            values[self.step.submitter_parameter] = user_id
        return values


class InputAction:
    """The run's `input` action: pending executions; stays on the run once all are decided."""

    export_class = f"{PKG}.InputAction"

    def __init__(self) -> None:
        self.all: list[InputExecution] = []

    @property
    def pending(self) -> list[InputExecution]:
        return [e for e in self.all if e.decision is None]

    def find(self, ident: str) -> InputExecution | None:
        """Exact, case-sensitive match among pending executions; first match wins (§1.3, §6.1)."""
        for execution in self.pending:
            if execution.id == ident:
                return execution
        return None

    def export_props(self):
        return (
            Prop("displayName", lambda: "Paused for Input" if self.pending else None, 1),
            Prop("executions", lambda: self.pending, 1, declared=InputExecution.export_class),
            Prop("waitingForInput", lambda: bool(self.pending), 1),
        )


class ApproverAction:
    """Added to the run when an input is approved; `userId` shows at build depth>=1."""

    export_class = f"{PKG}.ApproverAction"

    def __init__(self, user_id: str):
        self.user_id = user_id

    def export_props(self):
        return (Prop("userId", lambda: self.user_id, 1),)
