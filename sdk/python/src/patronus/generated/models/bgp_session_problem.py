from typing import Literal

BgpSessionProblem = Literal[
    "max_prefix_exceeded", "not_established", "password_mismatch"
]

BGP_SESSION_PROBLEM_VALUES: set[BgpSessionProblem] = {
    "max_prefix_exceeded",
    "not_established",
    "password_mismatch",
}


def check_bgp_session_problem(value: str) -> BgpSessionProblem:
    if value in BGP_SESSION_PROBLEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BGP_SESSION_PROBLEM_VALUES!r}"
    )
