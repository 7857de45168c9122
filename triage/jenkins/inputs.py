"""Input-step contracts: ids, the exported shapes, and the `json` form field of a proceed.

Reference: /work/shared/reference/jenkins-api.md, sections 1.2-1.4, 2.4 and traps 1, 4-6.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from triage.errors import ConfigError
from triage.jenkins.model import PASSWORD_DEFAULT, InputParam, PendingInput

# Section 1.2, "Recommended request": independent of depth, only what we show or send.
INPUT_TREE = (
    "waitingForInput,executions[id,settled,input[id,message,ok,cancel,submitter,"
    "submitterParameter,parameters[name,type,description,choices,"
    "defaultParameterValue[name,value]]]]"
)


def capitalize(text: str) -> str:
    """Upper-case the first character only if it is a-z (InputStep.capitalize, section 1.3)."""
    if text and "a" <= text[0] <= "z":
        return text[0].upper() + text[1:]
    return text


def input_id(message: str, explicit: str | None = None) -> str:
    """Return the id Jenkins gives an input step (section 1.3).

    Without an explicit id (or with an empty one, `Util.fixEmpty`): the MD5 of the message's
    UTF-8 bytes in lowercase hex, capitalised. Clients never need this to decide (they send the
    exported id); it lets a user name an input by its message or its Jenkinsfile id.
    """
    if explicit:
        return capitalize(explicit)
    return capitalize(hashlib.md5(message.encode("utf-8")).hexdigest())


def inputs_from_action(data: Mapping[str, Any] | None) -> tuple[PendingInput, ...] | None:
    """Read the InputAction export (section 1.2); None when the plugin exports nothing.

    Input-step releases before 466.v6d0a_5df34f81 export no fields at all (trap 4): the action
    then shows only `_class`, and the caller falls back to wfapi (section 2.4).
    """
    if data is None or "executions" not in data:
        return None
    found = []
    for execution in data.get("executions") or ():
        if execution.get("settled"):
            continue
        step = execution.get("input") or {}
        found.append(PendingInput(
            id=execution.get("id") or step.get("id"),
            message=step.get("message"),
            ok=step.get("ok") or "Proceed",
            cancel=step.get("cancel") or "Abort",
            submitter=step.get("submitter"),
            submitter_parameter=step.get("submitterParameter"),
            parameters=tuple(_param_from_core(p) for p in step.get("parameters") or ()),
        ))
    return tuple(found)


def _param_from_core(p: Mapping[str, Any]) -> InputParam:
    default = (p.get("defaultParameterValue") or {}).get("value")
    choices = p.get("choices")
    return InputParam(
        name=p["name"],
        type=p.get("type") or "StringParameterDefinition",
        description=p.get("description"),
        default=default,
        choices=tuple(choices) if choices is not None else None,
    )


def inputs_from_wfapi(items: list[Mapping[str, Any]] | None) -> tuple[PendingInput, ...]:
    """Read `{run}/wfapi/pendingInputActions` (section 2.4): older plugins' only source.

    This shape has no submitter and no cancel caption. It does carry the plain default of a
    password parameter; we drop it so it can never reach the history or a log.
    """
    found = []
    for item in items or ():
        params = []
        for p in item.get("inputs") or ():
            definition = p.get("definition") or {}
            is_password = p.get("type") == "PasswordParameterDefinition"
            choices = definition.get("choices")
            params.append(InputParam(
                name=p["name"],
                type=p.get("type") or "StringParameterDefinition",
                description=p.get("description"),
                default=None if is_password else definition.get("defaultVal"),
                choices=tuple(choices) if choices is not None else None,
            ))
        found.append(PendingInput(
            id=item["id"],
            message=item.get("message"),
            ok=item.get("proceedText") or "Proceed",
            cancel="Abort",
            parameters=tuple(params),
        ))
    return tuple(found)


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def parameter_values(param_defs: tuple[InputParam, ...], given: Mapping[str, str]) -> dict:
    """Return a value for *every* parameter: the given one, converted, else the default.

    Jenkins does not default omitted parameters on the REST path (section 1.4, trap 6), so
    every definition gets a value. Passwords without a value get `<DEFAULT>`, which asks
    Jenkins for the real default that its API never exposes.
    """
    known = {p.name for p in param_defs}
    unknown = sorted(set(given) - known)
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise ConfigError(f"Unknown parameter {unknown[0]!r}; this input takes: {names}.")
    return {p.name: _value(p, given.get(p.name)) for p in param_defs}


def _value(p: InputParam, text: str | None) -> Any:
    if p.type == "BooleanParameterDefinition":
        if text is None:
            return bool(p.default)
        lowered = text.strip().lower()
        if lowered not in _TRUE | _FALSE:
            raise ConfigError(f"Parameter {p.name} is a boolean; give true or false, not {text!r}.")
        return lowered in _TRUE
    if p.is_password:
        return PASSWORD_DEFAULT if text is None else text
    if p.choices is not None:
        value = text if text is not None else (p.default if p.default is not None else
                                               (p.choices[0] if p.choices else ""))
        if value not in p.choices:
            raise ConfigError(
                f"{value!r} is not a choice of parameter {p.name}; "
                f"choose one of: {', '.join(p.choices)}."
            )
        return value
    if text is not None:
        return text
    return "" if p.default is None else p.default


def proceed_form(values: Mapping[str, Any]) -> dict[str, str]:
    """Return the form for POST `proceed`: one field `json` (section 1.4, trap 5).

    Not a JSON body: Stapler reads only the form field named `json`.
    """
    body = {"parameter": [{"name": name, "value": value} for name, value in values.items()]}
    return {"json": json.dumps(body, separators=(",", ":"))}


def public_values(param_defs: tuple[InputParam, ...], values: Mapping[str, Any]) -> dict:
    """Return `values` without passwords: what the history may keep."""
    secret = {p.name for p in param_defs if p.is_password}
    return {k: v for k, v in values.items() if k not in secret}


def find_input(pending: tuple[PendingInput, ...], wanted: str) -> PendingInput | None:
    """Find an input by its exact id, else by the id Jenkins derives from `wanted`.

    Jenkins matches ids exactly (section 1.3), so we always send the exported id; accepting
    the Jenkinsfile id (`approve` -> `Approve`) or the message is a convenience for users.
    """
    for candidate in (wanted, capitalize(wanted), input_id(wanted)):
        for item in pending:
            if item.id == candidate:
                return item
    return None


def match_inputs(pending: tuple[PendingInput, ...], wanted: str) -> list[PendingInput]:
    """Return the inputs `wanted` names, as a person would name one.

    In order: the exported id, the Jenkinsfile id or message it derives from (`find_input`);
    the message itself, ignoring case and surrounding blanks; else every input whose id
    starts with `wanted`, ignoring case (people copy six characters of a hash id).
    """
    text = wanted.strip()
    exact = find_input(pending, text)
    if exact is not None:
        return [exact]
    by_message = [p for p in pending if (p.message or "").strip().lower() == text.lower()]
    if by_message:
        return by_message[:1]  # one message, one id: Jenkins' first match wins (trap 1)
    prefix = [p for p in pending if text and p.id.lower().startswith(text.lower())]
    return list({p.id: p for p in prefix}.values())
