"""The error tree: stable, unique codes; user errors exit 2, defects exit 1."""

from __future__ import annotations

from hccprotocol import errors


def all_error_classes() -> list[type[errors.HccProtocolError]]:
    found: list[type[errors.HccProtocolError]] = []
    todo: list[type[errors.HccProtocolError]] = [errors.HccProtocolError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_codes_are_unique() -> None:
    codes = [cls.code for cls in all_error_classes()]
    assert len(codes) == len(set(codes))


def test_input_errors_exit_2_and_internal_errors_exit_1() -> None:
    for cls in all_error_classes():
        if issubclass(cls, errors.InputError):
            assert cls.exit_code == 2, cls
        elif issubclass(cls, errors.InternalError):
            assert cls.exit_code == 1, cls


def test_rendering_names_path_and_received_value() -> None:
    err = errors.PatientValidationError(
        "p.json: 1 problem",
        issues=(errors.FieldIssue("liver.inr", "abc", "expected INR", "float_parsing"),),
    )
    assert err.render() == "error [patient.invalid]: p.json: 1 problem\n  - liver.inr: expected INR (received 'abc')"
    assert err.to_dict()["issues"] == [
        {"path": "liver.inr", "code": "float_parsing", "message": "expected INR", "received": "abc"}
    ]
