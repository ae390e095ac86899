"""The API's models, generated from the OpenAPI spec (attrs classes with ``to_dict``/``from_dict``).

Optional fields hold :data:`patronus.UNSET` when absent; in PATCH bodies ``None`` is sent as
JSON ``null`` (``LinkUpdate(endpoint=None)`` removes a link's endpoint) while ``UNSET`` leaves the
field as it is.
"""

from .generated.models import *  # noqa: F403
from .generated.models import __all__ as __all__  # noqa: F401
