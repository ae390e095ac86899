# bench/terraform_floor.sh applies this (shape "inline"): Terraform's own cost for as many
# resources as bench/terraform/inline.tf (one per site, no dependencies), with no provider plugin
# and no network, each storing what a patronus_site with two inline links stores: the site's
# fields and a map of two link objects keyed by link name, as patronus_site's `links` is (until
# the provider made it a map, both were a set of two objects with a `name`). The value is in
# triggers_replace, which terraform_data keeps once (input would be kept twice, as input and
# output), as patronus_site keeps it.
variable "sites" {
  type    = number
  default = 1000
}

resource "terraform_data" "site" {
  count = var.sites
  triggers_replace = {
    id              = format("0192b3c4-0000-7000-8000-%012d", count.index)
    name            = format("bench-%04d", count.index)
    description     = ""
    location        = ""
    labels          = { bench = "terraform" }
    role            = "edge"
    lan_prefixes    = toset([cidrsubnet("10.0.0.0/8", 16, count.index)])
    listen_port     = 51820
    overlay_address = "100.64.0.1"
    etag            = "\"1\""
    links = tomap({
      fiber = {
        interface           = "eth1"
        kind                = "fiber"
        endpoint            = format("198.51.%d.%d:51820", floor(count.index / 250), count.index % 250 + 1)
        bandwidth_up_mbps   = 500
        bandwidth_down_mbps = 1000
        cost                = 0
        priority            = 1
      }
      lte = {
        interface           = "wwan0"
        kind                = "lte"
        endpoint            = null
        bandwidth_up_mbps   = 20
        bandwidth_down_mbps = 100
        cost                = 10
        priority            = 2
      }
    })
  }
}
