data "patronus_site_paths" "berlin" {
  site_id = patronus_site.berlin.id
}

# What berlin's agent last measured: the RTT of each path that is up (null when it has no
# measurement yet), by peer, local link and remote endpoint.
output "berlin_path_rtt_ms" {
  value = {
    for p in data.patronus_site_paths.berlin.paths :
    "${p.peer_site_id} ${p.link} -> ${p.endpoint}" => p.rtt_ms if p.up
  }
}

check "berlin_paths_up" {
  assert {
    condition     = alltrue([for p in data.patronus_site_paths.berlin.paths : p.up])
    error_message = "berlin's agent reports paths down: ${join(", ", [for p in data.patronus_site_paths.berlin.paths : "${p.link} -> ${p.endpoint}" if !p.up])}"
  }
}
