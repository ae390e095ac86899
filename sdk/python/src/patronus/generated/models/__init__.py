"""Contains all the data models used in inputs/outputs"""

from .agent import Agent
from .agent_status_report import AgentStatusReport
from .api_token import ApiToken
from .api_token_created import ApiTokenCreated
from .api_token_update import ApiTokenUpdate
from .application import Application
from .application_protocol import ApplicationProtocol
from .application_usage import ApplicationUsage
from .applications_status import ApplicationsStatus
from .audit_event import AuditEvent
from .bgp_action import BgpAction
from .bgp_neighbor import BgpNeighbor
from .bgp_neighbor_spec import BgpNeighborSpec
from .bgp_prefix_list import BgpPrefixList
from .bgp_prefix_list_entry import BgpPrefixListEntry
from .bgp_route_map import BgpRouteMap
from .bgp_route_map_entry import BgpRouteMapEntry
from .bgp_session_problem import BgpSessionProblem
from .bgp_session_status import BgpSessionStatus
from .bgp_state import BgpState
from .bgp_status import BgpStatus
from .browser_session import BrowserSession
from .category import Category
from .compiled_config import CompiledConfig
from .config_bgp import ConfigBgp
from .config_bgp_neighbor import ConfigBgpNeighbor
from .config_endpoint import ConfigEndpoint
from .config_link import ConfigLink
from .config_peer import ConfigPeer
from .config_policy import ConfigPolicy
from .config_qos_class import ConfigQosClass
from .control_plane_outage import ControlPlaneOutage
from .enroll_request import EnrollRequest
from .enroll_response import EnrollResponse
from .enrollment_token import EnrollmentToken
from .enrollment_token_created import EnrollmentTokenCreated
from .failover_event import FailoverEvent
from .failover_event_record import FailoverEventRecord
from .failover_reason import FailoverReason
from .field_error import FieldError
from .fleet_health_counts import FleetHealthCounts
from .fleet_site import FleetSite
from .fleet_status import FleetStatus
from .fleet_status_site_names import FleetStatusSiteNames
from .group_role import GroupRole
from .health import Health
from .identity_provider import IdentityProvider
from .identity_provider_spec import IdentityProviderSpec
from .learned_route import LearnedRoute
from .learned_route_report import LearnedRouteReport
from .learned_route_state import LearnedRouteState
from .learned_routes_answer import LearnedRoutesAnswer
from .learned_routes_report import LearnedRoutesReport
from .link import Link
from .link_kind import LinkKind
from .link_shaping import LinkShaping
from .link_state import LinkState
from .link_update import LinkUpdate
from .login_methods import LoginMethods
from .login_request import LoginRequest
from .new_api_token import NewApiToken
from .new_enrollment_token import NewEnrollmentToken
from .new_link import NewLink
from .new_peering import NewPeering
from .new_policy import NewPolicy
from .new_policy_site_selector import NewPolicySiteSelector
from .new_qos_class import NewQosClass
from .new_site import NewSite
from .new_site_labels import NewSiteLabels
from .new_tenant import NewTenant
from .new_tenant_application import NewTenantApplication
from .new_user import NewUser
from .page_api_token import PageApiToken
from .page_audit_event import PageAuditEvent
from .page_enrollment_token import PageEnrollmentToken
from .page_failover_event_record import PageFailoverEventRecord
from .page_learned_route import PageLearnedRoute
from .page_link import PageLink
from .page_peering import PagePeering
from .page_policy import PagePolicy
from .page_qos_class import PageQosClass
from .page_site import PageSite
from .page_tenant import PageTenant
from .page_tenant_application import PageTenantApplication
from .page_user import PageUser
from .password_change import PasswordChange
from .path_health import PathHealth
from .path_history import PathHistory
from .path_point import PathPoint
from .path_selection import PathSelection
from .path_series import PathSeries
from .path_state import PathState
from .peer_state import PeerState
from .peering import Peering
from .peering_update import PeeringUpdate
from .policy import Policy
from .policy_action import PolicyAction
from .policy_match import PolicyMatch
from .policy_peer_status import PolicyPeerStatus
from .policy_site_selector import PolicySiteSelector
from .policy_status import PolicyStatus
from .policy_update import PolicyUpdate
from .policy_update_site_selector_type_0 import PolicyUpdateSiteSelectorType0
from .port_rule import PortRule
from .problem import Problem
from .protocol import Protocol
from .qos_class import QosClass
from .qos_class_update import QosClassUpdate
from .quotas import Quotas
from .quotas_update import QuotasUpdate
from .refresh_request import RefreshRequest
from .role import Role
from .session_method import SessionMethod
from .shaping_class import ShapingClass
from .shaping_direction import ShapingDirection
from .signature import Signature
from .signing_key import SigningKey
from .site import Site
from .site_bgp import SiteBgp
from .site_bgp_spec import SiteBgpSpec
from .site_config import SiteConfig
from .site_health import SiteHealth
from .site_labels import SiteLabels
from .site_link import SiteLink
from .site_paths import SitePaths
from .site_role import SiteRole
from .site_status import SiteStatus
from .site_update import SiteUpdate
from .site_update_labels_type_0 import SiteUpdateLabelsType0
from .sla import Sla
from .tenant import Tenant
from .tenant_application import TenantApplication
from .tenant_application_update import TenantApplicationUpdate
from .tenant_update import TenantUpdate
from .token_pair import TokenPair
from .topology import Topology
from .topology_mode import TopologyMode
from .topology_spec import TopologySpec
from .user import User
from .user_update import UserUpdate
from .whoami_type_0 import WhoamiType0
from .whoami_type_0_kind import WhoamiType0Kind
from .whoami_type_1 import WhoamiType1
from .whoami_type_1_kind import WhoamiType1Kind
from .whoami_type_2 import WhoamiType2
from .whoami_type_2_kind import WhoamiType2Kind
from .whoami_type_3 import WhoamiType3
from .whoami_type_3_kind import WhoamiType3Kind
from .xdp_attach_mode import XdpAttachMode
from .xdp_guard_counters import XdpGuardCounters
from .xdp_guard_link import XdpGuardLink
from .xdp_guard_peer import XdpGuardPeer
from .xdp_guard_state import XdpGuardState
from .xdp_guard_status import XdpGuardStatus

__all__ = (
    "Agent",
    "AgentStatusReport",
    "ApiToken",
    "ApiTokenCreated",
    "ApiTokenUpdate",
    "Application",
    "ApplicationProtocol",
    "ApplicationUsage",
    "ApplicationsStatus",
    "AuditEvent",
    "BgpAction",
    "BgpNeighbor",
    "BgpNeighborSpec",
    "BgpPrefixList",
    "BgpPrefixListEntry",
    "BgpRouteMap",
    "BgpRouteMapEntry",
    "BgpSessionProblem",
    "BgpSessionStatus",
    "BgpState",
    "BgpStatus",
    "BrowserSession",
    "Category",
    "CompiledConfig",
    "ConfigBgp",
    "ConfigBgpNeighbor",
    "ConfigEndpoint",
    "ConfigLink",
    "ConfigPeer",
    "ConfigPolicy",
    "ConfigQosClass",
    "ControlPlaneOutage",
    "EnrollRequest",
    "EnrollResponse",
    "EnrollmentToken",
    "EnrollmentTokenCreated",
    "FailoverEvent",
    "FailoverEventRecord",
    "FailoverReason",
    "FieldError",
    "FleetHealthCounts",
    "FleetSite",
    "FleetStatus",
    "FleetStatusSiteNames",
    "GroupRole",
    "Health",
    "IdentityProvider",
    "IdentityProviderSpec",
    "LearnedRoute",
    "LearnedRouteReport",
    "LearnedRouteState",
    "LearnedRoutesAnswer",
    "LearnedRoutesReport",
    "Link",
    "LinkKind",
    "LinkShaping",
    "LinkState",
    "LinkUpdate",
    "LoginMethods",
    "LoginRequest",
    "NewApiToken",
    "NewEnrollmentToken",
    "NewLink",
    "NewPeering",
    "NewPolicy",
    "NewPolicySiteSelector",
    "NewQosClass",
    "NewSite",
    "NewSiteLabels",
    "NewTenant",
    "NewTenantApplication",
    "NewUser",
    "PageApiToken",
    "PageAuditEvent",
    "PageEnrollmentToken",
    "PageFailoverEventRecord",
    "PageLearnedRoute",
    "PageLink",
    "PagePeering",
    "PagePolicy",
    "PageQosClass",
    "PageSite",
    "PageTenant",
    "PageTenantApplication",
    "PageUser",
    "PasswordChange",
    "PathHealth",
    "PathHistory",
    "PathPoint",
    "PathSelection",
    "PathSeries",
    "PathState",
    "PeerState",
    "Peering",
    "PeeringUpdate",
    "Policy",
    "PolicyAction",
    "PolicyMatch",
    "PolicyPeerStatus",
    "PolicySiteSelector",
    "PolicyStatus",
    "PolicyUpdate",
    "PolicyUpdateSiteSelectorType0",
    "PortRule",
    "Problem",
    "Protocol",
    "QosClass",
    "QosClassUpdate",
    "Quotas",
    "QuotasUpdate",
    "RefreshRequest",
    "Role",
    "SessionMethod",
    "ShapingClass",
    "ShapingDirection",
    "Signature",
    "SigningKey",
    "Site",
    "SiteBgp",
    "SiteBgpSpec",
    "SiteConfig",
    "SiteHealth",
    "SiteLabels",
    "SiteLink",
    "SitePaths",
    "SiteRole",
    "SiteStatus",
    "SiteUpdate",
    "SiteUpdateLabelsType0",
    "Sla",
    "Tenant",
    "TenantApplication",
    "TenantApplicationUpdate",
    "TenantUpdate",
    "TokenPair",
    "Topology",
    "TopologyMode",
    "TopologySpec",
    "User",
    "UserUpdate",
    "WhoamiType0",
    "WhoamiType0Kind",
    "WhoamiType1",
    "WhoamiType1Kind",
    "WhoamiType2",
    "WhoamiType2Kind",
    "WhoamiType3",
    "WhoamiType3Kind",
    "XdpAttachMode",
    "XdpGuardCounters",
    "XdpGuardLink",
    "XdpGuardPeer",
    "XdpGuardState",
    "XdpGuardStatus",
)
