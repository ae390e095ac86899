# bench/terraform.sh applies this: SITES sites (default 1000) with two WAN links each.
terraform {
  required_providers {
    patronus = {
      source = "patronus-sdwan/patronus"
    }
  }
}

provider "patronus" {}

variable "sites" {
  type    = number
  default = 1000
}

resource "patronus_site" "site" {
  count = var.sites

  name         = format("bench-%04d", count.index)
  lan_prefixes = [cidrsubnet("10.0.0.0/8", 16, count.index)]
  labels = {
    bench = "terraform"
  }
}

resource "patronus_link" "fiber" {
  count = var.sites

  site_id             = patronus_site.site[count.index].id
  name                = "fiber"
  interface           = "eth1"
  kind                = "fiber"
  endpoint            = format("198.51.%d.%d:51820", floor(count.index / 250), count.index % 250 + 1)
  bandwidth_up_mbps   = 500
  bandwidth_down_mbps = 1000
  priority            = 1
}

resource "patronus_link" "lte" {
  count = var.sites

  site_id             = patronus_site.site[count.index].id
  name                = "lte"
  interface           = "wwan0"
  kind                = "lte"
  bandwidth_up_mbps   = 20
  bandwidth_down_mbps = 100
  cost                = 10
  priority            = 2
}
