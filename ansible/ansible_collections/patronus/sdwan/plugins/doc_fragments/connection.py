# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # How every module of the collection reaches the Patronus API.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Patronus API, for example V(https://patronus.example.net).
      - When not given, the E(PATRONUS_URL) environment variable of the host the module runs on is used.
    type: str
  token:
    description:
      - Bearer credential.
      - A tenant API token (C(ptrn_api_...)) for tenant resources; a platform token (C(ptrn_plat_...)) for
        P(patronus.sdwan.tenant#module) and P(patronus.sdwan.tenant_info#module).
      - When not given, the E(PATRONUS_TOKEN) environment variable of the host the module runs on is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer.
    type: int
    default: 30
notes:
  - The modules talk to the API only; run them on the controller (C(delegate_to=localhost)) or any host that
    reaches the API.
  - Requests that answer HTTP 429 or 503 are retried, honouring C(Retry-After); every create carries an
    C(Idempotency-Key) so that a retry never creates twice; updates and deletions send C(If-Match).
  - Use C(module_defaults) with the action group C(group/patronus.sdwan.all) to set O(url) and O(token) once.
"""
