resource "patronus_site" "berlin" {
  name         = "berlin"
  description  = "Headquarters"
  location     = "Berlin, DE"
  role         = "hub"
  lan_prefixes = ["10.1.0.0/16", "fd00:1::/64"]
  labels = {
    env    = "prod"
    region = "eu"
  }
}

# A site with its links inline, keyed by link name: the site owns its whole link set (a link it
# does not list is deleted), so no patronus_link may manage a link of this site. One resource per
# site, which is the way for a fleet.
resource "patronus_site" "paris" {
  name         = "paris"
  location     = "Paris, FR"
  lan_prefixes = ["10.2.0.0/16"]
  links = {
    fiber = {
      interface           = "eth1"
      kind                = "fiber"
      endpoint            = "198.51.100.20:51820"
      bandwidth_up_mbps   = 500
      bandwidth_down_mbps = 1000
      priority            = 1
    }
    lte = {
      # Behind NAT: no endpoint.
      interface           = "wwan0"
      kind                = "lte"
      bandwidth_up_mbps   = 20
      bandwidth_down_mbps = 100
      cost                = 10
      priority            = 2
    }
  }
}

# A fleet: one site per entry, each with its links.
variable "branches" {
  type = map(object({
    lan_prefix = string
    endpoint   = string
  }))
  default = {
    lyon      = { lan_prefix = "10.3.0.0/16", endpoint = "198.51.100.30:51820" }
    marseille = { lan_prefix = "10.4.0.0/16", endpoint = "198.51.100.40:51820" }
  }
}

resource "patronus_site" "branch" {
  for_each = var.branches

  name         = each.key
  lan_prefixes = [each.value.lan_prefix]
  links = {
    fiber = { interface = "eth1", kind = "fiber", endpoint = each.value.endpoint, bandwidth_up_mbps = 200, bandwidth_down_mbps = 500, priority = 1 }
    lte   = { interface = "wwan0", kind = "lte", bandwidth_up_mbps = 20, bandwidth_down_mbps = 100, cost = 10, priority = 2 }
  }
}
