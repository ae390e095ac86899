resource "patronus_site" "paris" {
  name         = "paris"
  lan_prefixes = ["10.1.0.0/16"]
}

# Compiled into the site's document; the site's agent runs them with FRR.
resource "patronus_site_bgp" "paris" {
  site_id  = patronus_site.paris.id
  networks = ["10.1.0.0/16"]
  neighbors = [{
    address      = "10.1.0.2"
    remote_asn   = 65010
    description  = "core switch"
    password     = var.core_bgp_password
    hold_time    = 30
    keepalive    = 10
    bfd          = true
    route_map_in = "from-core"
  }]
  prefix_lists = [{
    name    = "branch-lans"
    entries = [{ action = "permit", prefix = "10.0.0.0/8", ge = 16, le = 24 }]
  }]
  route_maps = [{
    name = "from-core"
    entries = [{
      action               = "permit"
      match_prefix_list    = "branch-lans"
      set_local_preference = 200
    }]
  }]
  overlay_import       = true
  max_learned_prefixes = 500
}

variable "core_bgp_password" {
  type      = string
  sensitive = true
}
