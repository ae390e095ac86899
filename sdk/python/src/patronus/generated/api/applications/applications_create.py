from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.new_tenant_application import NewTenantApplication
from ...models.problem import Problem
from ...models.tenant_application import TenantApplication
from ...types import Response


def _get_kwargs(
    *,
    body: NewTenantApplication,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/applications",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TenantApplication | None:
    if response.status_code == 201:
        response_201 = TenantApplication.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | TenantApplication]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: NewTenantApplication,
) -> Response[Problem | TenantApplication]:
    """
    Args:
        body (NewTenantApplication): A tenant-defined application: what a policy's
            `match.application` may name beside the
            built-in catalogue. At least one of `domains`, `prefixes` and `ports` is given. The agents
            recognise a flow as it by a name the flow carries (TLS or QUIC server name, HTTP `Host`,
            or an
            earlier DNS answer for its destination) matching `domains`; by its destination in
            `prefixes`
            (and then, if `ports` are given, on one of them); or, without `prefixes`, by its
            destination
            port when nothing in the flow names an application. Where it claims a domain pattern,
            prefix
            or port a built-in application does, it wins.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TenantApplication]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: NewTenantApplication,
) -> Problem | TenantApplication | None:
    """
    Args:
        body (NewTenantApplication): A tenant-defined application: what a policy's
            `match.application` may name beside the
            built-in catalogue. At least one of `domains`, `prefixes` and `ports` is given. The agents
            recognise a flow as it by a name the flow carries (TLS or QUIC server name, HTTP `Host`,
            or an
            earlier DNS answer for its destination) matching `domains`; by its destination in
            `prefixes`
            (and then, if `ports` are given, on one of them); or, without `prefixes`, by its
            destination
            port when nothing in the flow names an application. Where it claims a domain pattern,
            prefix
            or port a built-in application does, it wins.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TenantApplication
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: NewTenantApplication,
) -> Response[Problem | TenantApplication]:
    """
    Args:
        body (NewTenantApplication): A tenant-defined application: what a policy's
            `match.application` may name beside the
            built-in catalogue. At least one of `domains`, `prefixes` and `ports` is given. The agents
            recognise a flow as it by a name the flow carries (TLS or QUIC server name, HTTP `Host`,
            or an
            earlier DNS answer for its destination) matching `domains`; by its destination in
            `prefixes`
            (and then, if `ports` are given, on one of them); or, without `prefixes`, by its
            destination
            port when nothing in the flow names an application. Where it claims a domain pattern,
            prefix
            or port a built-in application does, it wins.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TenantApplication]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: NewTenantApplication,
) -> Problem | TenantApplication | None:
    """
    Args:
        body (NewTenantApplication): A tenant-defined application: what a policy's
            `match.application` may name beside the
            built-in catalogue. At least one of `domains`, `prefixes` and `ports` is given. The agents
            recognise a flow as it by a name the flow carries (TLS or QUIC server name, HTTP `Host`,
            or an
            earlier DNS answer for its destination) matching `domains`; by its destination in
            `prefixes`
            (and then, if `ports` are given, on one of them); or, without `prefixes`, by its
            destination
            port when nothing in the flow names an application. Where it claims a domain pattern,
            prefix
            or port a built-in application does, it wins.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TenantApplication
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
