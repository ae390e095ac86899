# Links managed apart from their site: the site (patronus_site.berlin) leaves `links` out. A site
# that sets `links` manages all its links itself, and the provider refuses a patronus_link of it.
resource "patronus_link" "berlin_fiber" {
  site_id             = patronus_site.berlin.id
  name                = "fiber"
  interface           = "eth1"
  kind                = "fiber"
  endpoint            = "198.51.100.7:51820"
  bandwidth_up_mbps   = 500
  bandwidth_down_mbps = 1000
  priority            = 1
}

# Behind NAT: no endpoint. Peers reach the site over its other links, and it reaches them.
resource "patronus_link" "berlin_lte" {
  site_id             = patronus_site.berlin.id
  name                = "lte"
  interface           = "wwan0"
  kind                = "lte"
  bandwidth_up_mbps   = 20
  bandwidth_down_mbps = 100
  cost                = 10
  priority            = 2
}
