# bench/terraform_floor.sh applies this (shape "site"): Terraform's own cost for as many
# resources as bench/terraform/main.tf, with no provider plugin and no network (terraform_data is
# built in), each storing about what a patronus_site or patronus_link stores.
variable "sites" {
  type    = number
  default = 1000
}

resource "terraform_data" "site" {
  count = var.sites
  input = {
    name            = format("bench-%04d", count.index)
    description     = ""
    location        = ""
    labels          = { bench = "terraform" }
    role            = "edge"
    lan_prefixes    = [cidrsubnet("10.0.0.0/8", 16, count.index)]
    listen_port     = 51820
    overlay_address = "100.64.0.1"
    etag            = "\"1\""
  }
}

resource "terraform_data" "fiber" {
  count = var.sites
  input = {
    site_id             = terraform_data.site[count.index].id
    name                = "fiber"
    interface           = "eth1"
    kind                = "fiber"
    endpoint            = format("198.51.%d.%d:51820", floor(count.index / 250), count.index % 250 + 1)
    bandwidth_up_mbps   = 500
    bandwidth_down_mbps = 1000
    cost                = 0
    priority            = 1
    etag                = "\"1\""
  }
}

resource "terraform_data" "lte" {
  count = var.sites
  input = {
    site_id             = terraform_data.site[count.index].id
    name                = "lte"
    interface           = "wwan0"
    kind                = "lte"
    endpoint            = null
    bandwidth_up_mbps   = 20
    bandwidth_down_mbps = 100
    cost                = 10
    priority            = 2
    etag                = "\"1\""
  }
}
