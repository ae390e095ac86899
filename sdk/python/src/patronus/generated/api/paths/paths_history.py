import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.path_history import PathHistory
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    step: int | Unset = UNSET,
    peer_site_id: UUID | Unset = UNSET,
    link: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    params["step"] = step

    json_peer_site_id: str | Unset = UNSET
    if not isinstance(peer_site_id, Unset):
        json_peer_site_id = str(peer_site_id)
    params["peer_site_id"] = json_peer_site_id

    params["link"] = link

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/sites/{id}/paths/history".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PathHistory | Problem | None:
    if response.status_code == 200:
        response_200 = PathHistory.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[PathHistory | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    step: int | Unset = UNSET,
    peer_site_id: UUID | Unset = UNSET,
    link: str | Unset = UNSET,
) -> Response[PathHistory | Problem]:
    """
    Args:
        id (UUID):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        step (int | Unset):
        peer_site_id (UUID | Unset):
        link (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PathHistory | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        from_=from_,
        to=to,
        step=step,
        peer_site_id=peer_site_id,
        link=link,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    step: int | Unset = UNSET,
    peer_site_id: UUID | Unset = UNSET,
    link: str | Unset = UNSET,
) -> PathHistory | Problem | None:
    """
    Args:
        id (UUID):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        step (int | Unset):
        peer_site_id (UUID | Unset):
        link (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PathHistory | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        from_=from_,
        to=to,
        step=step,
        peer_site_id=peer_site_id,
        link=link,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    step: int | Unset = UNSET,
    peer_site_id: UUID | Unset = UNSET,
    link: str | Unset = UNSET,
) -> Response[PathHistory | Problem]:
    """
    Args:
        id (UUID):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        step (int | Unset):
        peer_site_id (UUID | Unset):
        link (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PathHistory | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        from_=from_,
        to=to,
        step=step,
        peer_site_id=peer_site_id,
        link=link,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    step: int | Unset = UNSET,
    peer_site_id: UUID | Unset = UNSET,
    link: str | Unset = UNSET,
) -> PathHistory | Problem | None:
    """
    Args:
        id (UUID):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        step (int | Unset):
        peer_site_id (UUID | Unset):
        link (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PathHistory | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            from_=from_,
            to=to,
            step=step,
            peer_site_id=peer_site_id,
            link=link,
        )
    ).parsed
