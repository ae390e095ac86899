data "patronus_site_bgp_routes" "paris_refused" {
  site_id = patronus_site_bgp.paris.site_id
  state   = "refused"
}

# What paris learned over BGP but the overlay does not carry, and why.
output "paris_refused_routes" {
  value = { for r in data.patronus_site_bgp_routes.paris_refused.routes : "${r.prefix} from ${r.neighbor}" => r.reason }
}

check "paris_routes_in_the_overlay" {
  assert {
    condition     = length(data.patronus_site_bgp_routes.paris_refused.routes) == 0
    error_message = "paris has refused learned routes: ${join(", ", [for r in data.patronus_site_bgp_routes.paris_refused.routes : "${r.prefix} (${r.reason})"])}"
  }
}
