# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Attributes of the modules that change a resource.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and return the changed status and diff it predicts without writing anything.
  diff_mode:
    description: Returns the before and after of the changed fields only, with secrets masked, in diff mode.
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
  action_group:
    description: Part of the action group C(patronus.sdwan.all), for setting O(url) and O(token) in C(module_defaults).
    support: full
    membership:
      - patronus.sdwan.all
"""

    # Attributes of the *_info modules, which only read.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Reads only, so check mode changes nothing about what it does.
    support: full
  diff_mode:
    description: Reads only; there is no diff.
    support: N/A
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
  action_group:
    description: Part of the action group C(patronus.sdwan.all), for setting O(url) and O(token) in C(module_defaults).
    support: full
    membership:
      - patronus.sdwan.all
"""
