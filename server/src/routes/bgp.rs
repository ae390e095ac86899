//! A site's BGP settings: `GET/PUT/DELETE /v1/sites/{id}/bgp`.
//!
//! Design: one object per site, not a collection. A site has one BGP speaker, so one Terraform
//! resource (`patronus_site_bgp`, imported by the site's id) or one Ansible task owns all of it,
//! and neighbours, networks and filters that reference each other are checked and replaced
//! together: a route map and the neighbour that uses it cannot be created in the wrong order.
//! PUT replaces the whole object (201 when it creates it, 200 otherwise; `If-Match` as
//! everywhere, and `If-Match` on a site without settings is 412), DELETE removes it (BGP off).
//! The wire types and their bounds are documented in `patronus_api::bgp`; the write-only
//! neighbour password is kept across PUTs that leave it out (matched by the neighbour's address).
//!
//! Field checks (422, every error with its pointer): reserved or out-of-range ASNs, a router id
//! that is not a unicast address, timers outside FRR's bounds, a neighbour outside the site's LAN
//! prefixes, duplicate neighbours or filter names, prefix-list entries whose `ge`/`le` FRR would
//! refuse, malformed communities, and any route map or prefix list referenced but not defined.
//! Then, under the tenant's lock: an advertised network overlapping the overlay prefix, another
//! site's LAN prefixes or advertised networks (422 at `/networks/{i}`). The other way round,
//! `routes::sites` refuses LAN prefixes that overlap another site's advertised networks or that
//! would leave one of the site's own neighbours outside.
//!
//! Learned routes (`routes::bgp_routes`) go with the settings: a PUT drops those of neighbours it
//! removes and all of a neighbour's that its new `max_learned_prefixes` would not have accepted,
//! a DELETE all of them; the write then decides every learned prefix of the tenant again.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use axum::http::StatusCode;
use patronus_api::{
    BgpNeighborSpec, BgpPrefixList, BgpRouteMap, SiteBgp, SiteBgpSpec, BGP_DEFAULT_ASN_BASE, BGP_MAX_LEARNED_PREFIXES,
    BGP_RESERVED_ASNS,
};
use sqlx::types::Json as SqlJson;
use uuid::Uuid;

use crate::audit::Change;
use crate::db::{
    self,
    bgp::{BgpRow, StoredNeighbor},
    sites::SiteRow,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Path, Resource};
use crate::netaddr;
use crate::pipeline::{Tenant, Touched};
use crate::resource::{Kind, Stored};
use crate::validate::Errors;

const MAX_NEIGHBORS: usize = 64;
const MAX_NETWORKS: usize = 256;
const MAX_FILTERS: usize = 64;
const MAX_ENTRIES: usize = 256;
const MAX_COMMUNITIES: usize = 32;

#[utoipa::path(get, path = "/v1/sites/{id}/bgp", tag = "bgp", params(("id" = Uuid, Path, description = "The site's id")),
    responses((status = 200, description = "The site's BGP settings", body = SiteBgp, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(site_id): Path<Uuid>) -> ApiResult<Resource<SiteBgp>> {
    cx.one::<BgpRow>(site_id).await
}

#[utoipa::path(put, path = "/v1/sites/{id}/bgp", tag = "bgp", params(("id" = Uuid, Path, description = "The site's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = SiteBgpSpec,
    responses(
        (status = 200, description = "Replaced", body = SiteBgp, headers(("ETag" = String))),
        (status = 201, description = "Created", body = SiteBgp, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn put(
    cx: Tenant,
    Path(site_id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<SiteBgpSpec>,
) -> ApiResult<Resource<SiteBgp>> {
    let mut w = cx.network_write().await?;
    let site = db::sites::get(w.conn(), site_id).await?.ok_or(ApiError::NotFound(Kind::Site))?;
    let current = db::bgp::lock(w.conn(), site_id).await?;
    match &current {
        Some(row) => if_match.check(&row.etag())?,
        // Nothing to match: any precondition fails (RFC 9110, 13.1.1).
        None if if_match.0.is_some() => return Err(ApiError::PreconditionFailed),
        None => {}
    }
    let mut errors = Errors::new();
    let next = check(&mut errors, &site, current.as_ref(), body);
    errors.check()?;
    if let Some(current) = &current {
        if current.same_settings(&next) {
            return Ok(w.unchanged(current));
        }
    }
    let overlay = db::topology::get(w.conn(), site.tenant_id).await?.overlay();
    check_overlaps(w.conn(), site_id, &next.networks.0, overlay).await?;
    let stored = db::bgp::upsert(w.conn(), &next).await?;
    // Routes the new settings would not have accepted are withdrawn now, not at the agent's next
    // report; the pipeline decides the rest again (networks, `overlay_import`).
    let addresses: Vec<IpAddr> = stored.neighbors.0.iter().map(|n| n.address).collect();
    db::learned_routes::prune_to_settings(w.conn(), site_id, &addresses, stored.max_learned_prefixes).await?;
    let api = stored.to_api();
    match current {
        Some(before) => {
            w.commit(Change::updated(Kind::SiteBgp, site_id, &before.to_api(), &api), Touched::Site(site_id)).await?;
            Ok(Resource::ok(stored.etag(), api))
        }
        None => {
            let resource = Resource::created(stored.etag(), format!("/v1/sites/{site_id}/bgp"), api);
            let change = Change::created(Kind::SiteBgp, site_id, &resource.body);
            w.commit_answering(change, Touched::Site(site_id), Some(resource.answer())).await?;
            Ok(resource)
        }
    }
}

#[utoipa::path(delete, path = "/v1/sites/{id}/bgp", tag = "bgp", params(("id" = Uuid, Path, description = "The site's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted: the site runs no BGP")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(site_id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    let current: BgpRow = w.current(site_id, &if_match).await?;
    db::bgp::delete(w.conn(), site_id).await?;
    w.deleted(&current, Touched::Site(site_id)).await
}

/// An advertised network may overlap neither another site's LAN prefixes nor its networks.
async fn check_overlaps(
    conn: &mut sqlx::PgConnection,
    site_id: Uuid,
    nets: &[ipnet::IpNet],
    overlay: ipnet::Ipv4Net,
) -> ApiResult<()> {
    if nets.is_empty() {
        return Ok(());
    }
    let pointer = |ours: &str| {
        let i = ours.parse::<ipnet::IpNet>().ok().and_then(|o| nets.iter().position(|n| *n == o));
        format!("/networks/{}", i.unwrap_or(0))
    };
    let mut errors = Errors::new();
    for (i, net) in nets.iter().enumerate() {
        if netaddr::overlaps(net, &ipnet::IpNet::V4(overlay)) {
            errors.add(&format!("/networks/{i}"), format!("overlaps the tenant's overlay prefix {overlay}"));
        }
    }
    errors.check()?;
    if let Some((site, theirs, ours)) = db::sites::overlapping_prefix(&mut *conn, site_id, nets).await? {
        return Err(ApiError::field(pointer(&ours), format!("overlaps LAN prefix {theirs} of site {site:?}")));
    }
    if let Some((site, theirs, ours)) = db::bgp::overlapping_network(&mut *conn, site_id, nets).await? {
        return Err(ApiError::field(pointer(&ours), format!("overlaps {theirs}, advertised by site {site:?}")));
    }
    Ok(())
}

/// The row a PUT body describes for `site`, with every field error recorded. `current` gives the
/// stored passwords of neighbours the body leaves without one.
pub(crate) fn check(errors: &mut Errors, site: &SiteRow, current: Option<&BgpRow>, body: SiteBgpSpec) -> BgpRow {
    let default_asn = BGP_DEFAULT_ASN_BASE.saturating_add(u32::try_from(site.overlay_offset).unwrap_or_default());
    let local_asn = body.local_asn.unwrap_or(default_asn);
    asn(errors, "/local_asn", local_asn);
    let router_id = body.router_id.unwrap_or_else(|| site.overlay_address.parse().unwrap_or(Ipv4Addr::UNSPECIFIED));
    if router_id.is_unspecified() || router_id.is_broadcast() || router_id.is_multicast() {
        errors.add("/router_id", "must be a unicast IPv4 address");
    }
    if body.networks.len() > MAX_NETWORKS {
        errors.add("/networks", format!("at most {MAX_NETWORKS} networks"));
    }
    // Kept in the order given, so that errors found later point at the caller's indices.
    netaddr::prefix_list(errors, "/networks", &body.networks);
    let prefix_lists = prefix_lists(errors, &body.prefix_lists);
    let route_maps = route_maps(errors, &body.route_maps, &prefix_lists);
    let neighbors = neighbors(errors, site, current, body.neighbors, &route_maps);
    if !(1..=BGP_MAX_LEARNED_PREFIXES).contains(&body.max_learned_prefixes) {
        errors.add("/max_learned_prefixes", format!("must be between 1 and {BGP_MAX_LEARNED_PREFIXES}"));
    }
    let now = chrono::Utc::now();
    BgpRow {
        site_id: site.id,
        tenant_id: site.tenant_id,
        local_asn: i64::from(local_asn),
        router_id: router_id.to_string(),
        networks: body.networks.into(),
        neighbors: SqlJson(neighbors),
        prefix_lists: SqlJson(body.prefix_lists),
        route_maps: SqlJson(body.route_maps),
        overlay_import: body.overlay_import,
        max_learned_prefixes: i32::try_from(body.max_learned_prefixes).unwrap_or(i32::MAX),
        version: current.map_or(1, |c| c.version),
        created_at: current.map_or(now, |c| c.created_at),
        updated_at: now,
    }
}

fn asn(errors: &mut Errors, pointer: &str, value: u32) {
    if BGP_RESERVED_ASNS.contains(&value) {
        errors.add(pointer, format!("{value} is reserved (0, 23456 AS_TRANS, 65535 and 4294967295 cannot be used)"));
    }
}

fn filter_name(errors: &mut Errors, pointer: &str, name: &str) {
    if !patronus_api::is_filter_name(name) {
        errors.add(pointer, "must be 1 to 63 characters of A-Z, a-z, 0-9, '_', '.', '-'");
    }
}

/// A community as FRR reads it in a route map: `AA:NN` (each 0–65535) or a well-known name.
pub(crate) fn community(errors: &mut Errors, pointer: &str, value: &str) {
    if patronus_api::frr_community(value).is_none() {
        errors.add(pointer, "must be AA:NN (each 0 to 65535), no-export, no-advertise or local-AS");
    }
}

/// Checks the prefix lists; returns the names defined.
fn prefix_lists<'a>(errors: &mut Errors, lists: &'a [BgpPrefixList]) -> HashSet<&'a str> {
    if lists.len() > MAX_FILTERS {
        errors.add("/prefix_lists", format!("at most {MAX_FILTERS} prefix lists"));
    }
    let mut names = HashSet::new();
    for (i, list) in lists.iter().enumerate() {
        let at = format!("/prefix_lists/{i}");
        filter_name(errors, &format!("{at}/name"), &list.name);
        if !names.insert(list.name.as_str()) {
            errors.add(&format!("{at}/name"), format!("another prefix list is named {:?}", list.name));
        }
        if list.entries.is_empty() || list.entries.len() > MAX_ENTRIES {
            errors.add(&format!("{at}/entries"), format!("must have 1 to {MAX_ENTRIES} entries"));
        }
        for (j, entry) in list.entries.iter().enumerate() {
            let at = format!("{at}/entries/{j}");
            netaddr::prefix(errors, &format!("{at}/prefix"), entry.prefix);
            let (len, max) = (entry.prefix.prefix_len(), entry.prefix.max_prefix_len());
            // FRR's rule: len < ge <= le <= the address's length.
            for (field, value) in [("ge", entry.ge), ("le", entry.le)] {
                if let Some(v) = value {
                    if v <= len || v > max {
                        errors.add(&format!("{at}/{field}"), format!("must be more than {len} and at most {max}"));
                    }
                }
            }
            if let (Some(ge), Some(le)) = (entry.ge, entry.le) {
                if ge > le {
                    errors.add(&format!("{at}/le"), "must be at least ge");
                }
            }
        }
    }
    names
}

/// Checks the route maps against the prefix lists they reference; returns the names defined.
fn route_maps<'a>(errors: &mut Errors, maps: &'a [BgpRouteMap], prefix_lists: &HashSet<&str>) -> HashSet<&'a str> {
    if maps.len() > MAX_FILTERS {
        errors.add("/route_maps", format!("at most {MAX_FILTERS} route maps"));
    }
    let mut names = HashSet::new();
    for (i, map) in maps.iter().enumerate() {
        let at = format!("/route_maps/{i}");
        filter_name(errors, &format!("{at}/name"), &map.name);
        if !names.insert(map.name.as_str()) {
            errors.add(&format!("{at}/name"), format!("another route map is named {:?}", map.name));
        }
        if map.entries.is_empty() || map.entries.len() > MAX_ENTRIES {
            errors.add(&format!("{at}/entries"), format!("must have 1 to {MAX_ENTRIES} entries"));
        }
        for (j, entry) in map.entries.iter().enumerate() {
            let at = format!("{at}/entries/{j}");
            if let Some(name) = &entry.match_prefix_list {
                if !prefix_lists.contains(name.as_str()) {
                    errors.add(&format!("{at}/match_prefix_list"), format!("no prefix list named {name:?} is defined"));
                }
            }
            for (field, list) in
                [("match_communities", &entry.match_communities), ("set_communities", &entry.set_communities)]
            {
                if list.len() > MAX_COMMUNITIES {
                    errors.add(&format!("{at}/{field}"), format!("at most {MAX_COMMUNITIES} communities"));
                }
                for (k, c) in list.iter().enumerate() {
                    community(errors, &format!("{at}/{field}/{k}"), c);
                }
            }
        }
    }
    names
}

fn neighbors(
    errors: &mut Errors,
    site: &SiteRow,
    current: Option<&BgpRow>,
    given: Vec<BgpNeighborSpec>,
    route_maps: &HashSet<&str>,
) -> Vec<StoredNeighbor> {
    if given.len() > MAX_NEIGHBORS {
        errors.add("/neighbors", format!("at most {MAX_NEIGHBORS} neighbours"));
    }
    let stored: HashMap<IpAddr, &StoredNeighbor> =
        current.map(|c| c.neighbors.0.iter().map(|n| (n.address, n)).collect()).unwrap_or_default();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(given.len());
    for (i, n) in given.into_iter().enumerate() {
        let at = format!("/neighbors/{i}");
        if !seen.insert(n.address) {
            errors.add(&format!("{at}/address"), format!("another neighbour has the address {}", n.address));
        }
        if !site.lan_prefixes.0.iter().any(|p| p.contains(&n.address)) {
            let detail = if site.lan_prefixes.0.is_empty() {
                "must be inside one of the site's LAN prefixes, and the site has none".to_string()
            } else {
                let lans: Vec<String> = site.lan_prefixes.texts();
                format!("must be inside one of the site's LAN prefixes ({})", lans.join(", "))
            };
            errors.add(&format!("{at}/address"), detail);
        } else if site.lan_prefixes.0.iter().any(|p| not_a_host(p, n.address)) {
            errors.add(&format!("{at}/address"), "must be a host address, not a prefix's network or broadcast address");
        }
        asn(errors, &format!("{at}/remote_asn"), n.remote_asn);
        crate::validate::text(errors, &format!("{at}/description"), &n.description, 200);
        let password = match n.password {
            None => stored.get(&n.address).and_then(|s| s.password.clone()),
            Some(p) if p.is_empty() => None,
            Some(p) => {
                if p.len() > 80 || !p.bytes().all(|b| b.is_ascii_graphic()) {
                    errors.add(&format!("{at}/password"), "must be 1 to 80 printable ASCII characters without spaces");
                }
                Some(p)
            }
        };
        if n.hold_time != 0 && n.hold_time < 3 {
            errors.add(&format!("{at}/hold_time"), "must be 0 (no hold timer) or between 3 and 65535");
        } else if n.hold_time != 0 && u32::from(n.keepalive) * 3 > u32::from(n.hold_time) {
            errors
                .add(&format!("{at}/keepalive"), format!("must be at most a third of hold_time ({})", n.hold_time / 3));
        }
        for (field, name) in [("route_map_in", &n.route_map_in), ("route_map_out", &n.route_map_out)] {
            if let Some(name) = name {
                if !route_maps.contains(name.as_str()) {
                    errors.add(&format!("{at}/{field}"), format!("no route map named {name:?} is defined"));
                }
            }
        }
        out.push(StoredNeighbor {
            address: n.address,
            remote_asn: n.remote_asn,
            description: n.description,
            password,
            keepalive: n.keepalive,
            hold_time: n.hold_time,
            bfd: n.bfd,
            route_map_in: n.route_map_in,
            route_map_out: n.route_map_out,
        });
    }
    out
}

/// The network address of a prefix, or the broadcast address of an IPv4 one (/30 and shorter).
fn not_a_host(prefix: &ipnet::IpNet, address: IpAddr) -> bool {
    match prefix {
        ipnet::IpNet::V4(p) if p.prefix_len() <= 30 => {
            address == IpAddr::V4(p.network()) || address == IpAddr::V4(p.broadcast())
        }
        ipnet::IpNet::V6(p) if p.prefix_len() <= 126 => address == IpAddr::V6(p.network()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::db::sites::Prefixes;
    use patronus_api::{BgpAction, BgpPrefixListEntry, BgpRouteMapEntry};

    fn site() -> SiteRow {
        let now = chrono::Utc::now();
        SiteRow {
            id: Uuid::from_u128(7),
            tenant_id: Uuid::from_u128(1),
            name: "paris".into(),
            description: String::new(),
            location: String::new(),
            labels: SqlJson(Default::default()),
            role: "edge".into(),
            lan_prefixes: Prefixes(vec!["10.1.0.0/16".parse().unwrap(), "fd00:1::/64".parse().unwrap()]),
            listen_port: 51820,
            overlay_offset: 7,
            overlay_address: "100.64.0.7".into(),
            links: SqlJson(Vec::new()),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn neighbor(address: &str, password: Option<&str>) -> BgpNeighborSpec {
        BgpNeighborSpec {
            address: address.parse().unwrap(),
            remote_asn: 65010,
            description: String::new(),
            password: password.map(str::to_string),
            keepalive: 60,
            hold_time: 180,
            bfd: false,
            route_map_in: None,
            route_map_out: None,
        }
    }

    fn pointers(body: SiteBgpSpec, current: Option<&BgpRow>) -> (BgpRow, Vec<String>) {
        let mut errors = Errors::new();
        let row = check(&mut errors, &site(), current, body);
        let pointers = match errors.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.0.into_iter().map(|f| f.pointer).collect(),
        };
        (row, pointers)
    }

    #[test]
    fn defaults_come_from_the_site_and_passwords_are_kept_or_removed_by_address() {
        let body = SiteBgpSpec {
            neighbors: vec![neighbor("10.1.0.2", Some("first")), neighbor("fd00:1::2", Some("v6"))],
            max_learned_prefixes: 1000,
            ..Default::default()
        };
        let (created, errors) = pointers(body, None);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(created.local_asn, 4_200_000_007);
        assert_eq!(created.router_id, "100.64.0.7");

        // Left out: kept; "": removed; given: replaced.
        let body = SiteBgpSpec {
            neighbors: vec![neighbor("10.1.0.2", None), neighbor("fd00:1::2", Some(""))],
            max_learned_prefixes: 1000,
            ..Default::default()
        };
        let (next, _) = pointers(body, Some(&created));
        assert_eq!(next.neighbors.0[0].password.as_deref(), Some("first"));
        assert_eq!(next.neighbors.0[1].password, None);
        assert!(!next.same_settings(&created));
        assert!(!format!("{next:?}").contains("first"), "Debug never prints a password");
    }

    #[test]
    fn references_timers_and_ranges_are_checked_together() {
        let mut n = neighbor("10.1.0.0", None);
        n.route_map_out = Some("missing".into());
        n.hold_time = 9;
        n.keepalive = 4;
        let body = SiteBgpSpec {
            local_asn: Some(65535),
            neighbors: vec![n],
            prefix_lists: vec![BgpPrefixList {
                name: "v6".into(),
                entries: vec![BgpPrefixListEntry {
                    action: BgpAction::Permit,
                    prefix: "fd00::/16".parse().unwrap(),
                    ge: Some(129),
                    le: None,
                }],
            }],
            route_maps: vec![BgpRouteMap {
                name: "out".into(),
                entries: vec![BgpRouteMapEntry {
                    action: BgpAction::Deny,
                    match_prefix_list: Some("v4".into()),
                    match_communities: vec!["65536:1".into()],
                    set_local_preference: None,
                    set_med: None,
                    set_communities: vec!["no-export".into()],
                }],
            }],
            max_learned_prefixes: 1000,
            ..Default::default()
        };
        let (_, errors) = pointers(body, None);
        assert_eq!(
            errors,
            [
                "/local_asn",
                "/prefix_lists/0/entries/0/ge",
                "/route_maps/0/entries/0/match_prefix_list",
                "/route_maps/0/entries/0/match_communities/0",
                "/neighbors/0/address",
                "/neighbors/0/keepalive",
                "/neighbors/0/route_map_out",
            ]
        );
    }
}
