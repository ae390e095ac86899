from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.whoami_type_0 import WhoamiType0
from ...models.whoami_type_1 import WhoamiType1
from ...models.whoami_type_2 import WhoamiType2
from ...models.whoami_type_3 import WhoamiType3
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/auth/whoami",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3 | None:
    if response.status_code == 200:

        def _parse_response_200(
            data: object,
        ) -> WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_whoami_type_0 = WhoamiType0.from_dict(data)

                return componentsschemas_whoami_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_whoami_type_1 = WhoamiType1.from_dict(data)

                return componentsschemas_whoami_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_whoami_type_2 = WhoamiType2.from_dict(data)

                return componentsschemas_whoami_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_whoami_type_3 = WhoamiType3.from_dict(data)

            return componentsschemas_whoami_type_3

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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
) -> Response[Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3]:
    """
    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3 | None:
    """
    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3]:
    """
    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3 | None:
    """
    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WhoamiType0 | WhoamiType1 | WhoamiType2 | WhoamiType3
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
